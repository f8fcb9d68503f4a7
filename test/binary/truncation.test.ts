import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectWellFormed, parse, parseChecked } from './harness.js';
import { allFixtureFiles } from './paths.js';

/**
 * Every fixture cut short at every structural boundary its parser reads (each offset and end the
 * parser asked for on the whole file, and one byte either side), at every length up to 128, and
 * at 128 evenly spaced lengths. A cut file must parse without throwing, within the work bounds,
 * and must never look clean while saying something the whole file does not: if it has no
 * note, its facts are the whole file's.
 */
const MAX_BOUNDARIES = 400;

function truncationLengths(bytes: Uint8Array): number[] {
  const lengths = new Set<number>();
  for (let n = 0; n <= Math.min(128, bytes.length); n++) lengths.add(n);
  for (let i = 1; i < 128; i++) lengths.add(Math.floor((bytes.length * i) / 128));
  const boundaries = [...parse(bytes).boundaries]
    .filter((b) => b > 0 && b < bytes.length)
    .sort((a, b) => a - b);
  const step = Math.max(1, Math.ceil(boundaries.length / MAX_BOUNDARIES));
  for (let i = 0; i < boundaries.length; i += step) {
    for (const d of [-1, 0, 1]) lengths.add(boundaries[i]! + d);
  }
  lengths.add(bytes.length - 1);
  return [...lengths].filter((n) => n >= 0 && n < bytes.length).sort((a, b) => a - b);
}

describe('truncated fixtures', () => {
  for (const path of allFixtureFiles()) {
    const name = path.slice(path.lastIndexOf('/') + 1);
    it(name, () => {
      const bytes = Uint8Array.from(readFileSync(path));
      const whole = parse(bytes).facts;
      expectWellFormed(whole, name);
      for (const n of truncationLengths(bytes)) {
        const cut = parseChecked(bytes.subarray(0, n), `${name} cut at ${n}`).facts;
        if (cut.notes.length === 0 && whole.notes.length === 0)
          expect(cut, `${name} cut at ${n}`).toEqual(whole);
        // What the headers say cannot change by cutting the file later.
        if (cut.format !== null) expect(cut.format).toBe(whole.format);
        if (cut.arch !== null && whole.slices === undefined) expect(cut.arch).toBe(whole.arch);
      }
    });
  }
});
