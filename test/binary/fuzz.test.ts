import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { parse, parseChecked } from './harness.js';
import { allFixtureFiles } from './paths.js';

/**
 * A property-based slice of the fuzzing `npm run fuzz` does at scale: damaged fixtures and random
 * bytes behind every magic number always parse (no throw, well-formed facts, bounded work).
 * Seeded, so a failure reproduces; fast-check prints the counterexample and its seed.
 */
const fixtures = allFixtureFiles()
  .map((path) => Uint8Array.from(readFileSync(path)))
  .filter((b) => b.length > 0);

// The offsets each fixture's parser reads: damage aimed there reaches the parsing code.
const boundaries = fixtures.map((b) => [...parse(b).boundaries].filter((o) => o >= 0 && o < b.length));

const INTERESTING = [
  0, 1, 2, 4, 8, 16, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
  0xfffffff0, 0xffffffff,
];

const edit = fc.record({
  aimed: fc.boolean(),
  at: fc.nat(),
  delta: fc.integer({ min: -8, max: 8 }),
  width: fc.constantFrom(1, 2, 4, 8),
  bigEndian: fc.boolean(),
  value: fc.oneof(fc.constantFrom(...INTERESTING), fc.nat({ max: 0xffffffff })),
});

const damaged = fc
  .record({
    fixture: fc.nat({ max: fixtures.length - 1 }),
    edits: fc.array(edit, { minLength: 1, maxLength: 6 }),
    cut: fc.option(fc.nat(), { nil: undefined }),
  })
  .map(({ fixture, edits, cut }) => {
    const bytes = fixtures[fixture]!.slice();
    const v = new DataView(bytes.buffer);
    for (const e of edits) {
      const targets = boundaries[fixture]!;
      const base = e.aimed && targets.length > 0 ? targets[e.at % targets.length]! + e.delta : e.at;
      const at = Math.abs(base) % bytes.length;
      if (at + e.width > bytes.length) continue;
      if (e.width === 1) v.setUint8(at, e.value & 0xff);
      else if (e.width === 2) v.setUint16(at, e.value & 0xffff, !e.bigEndian);
      else if (e.width === 4) v.setUint32(at, e.value, !e.bigEndian);
      else v.setBigUint64(at, BigInt(e.value) * (e.value > 0xffff ? 0x100000001n : 1n), !e.bigEndian);
    }
    return cut === undefined ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
  });

const MAGICS = [
  [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1],
  [0x7f, 0x45, 0x4c, 0x46, 1, 1, 1],
  [0x7f, 0x45, 0x4c, 0x46, 2, 2, 1],
  [0x7f, 0x45, 0x4c, 0x46, 1, 2, 1],
  [0xcf, 0xfa, 0xed, 0xfe],
  [0xce, 0xfa, 0xed, 0xfe],
  [0xfe, 0xed, 0xfa, 0xcf],
  [0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2],
  [0xca, 0xfe, 0xba, 0xbf, 0, 0, 0, 2],
  [0x4d, 0x5a],
];

const random = fc
  .record({ magic: fc.constantFrom(...MAGICS), body: fc.uint8Array({ maxLength: 4096 }) })
  .map(({ magic, body }) => {
    const bytes = new Uint8Array(magic.length + body.length);
    bytes.set(magic);
    bytes.set(body, magic.length);
    return bytes;
  });

describe('property: any input parses within bounds', () => {
  it('1,500 damaged fixtures', () => {
    fc.assert(
      fc.property(damaged, (bytes) => {
        parseChecked(bytes);
      }),
      { numRuns: 1500, seed: 20_251_125 },
    );
  });

  it('500 random bodies behind every magic number', () => {
    fc.assert(
      fc.property(random, (bytes) => {
        parseChecked(bytes);
      }),
      { numRuns: 500, seed: 20_251_126 },
    );
  });
});
