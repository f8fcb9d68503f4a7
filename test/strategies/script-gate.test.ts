import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { platformGate } from '../../src/strategies/script-node.js';

// win-version-info 6.0.1's skip.js, as published (fixtures/trees/chains)
const skipJs = readFileSync(
  fileURLToPath(
    new URL('../../fixtures/trees/chains/node_modules/win-version-info/skip.js', import.meta.url),
  ),
  'utf8',
);

describe('platformGate: a file that only exits non-zero on some platforms', () => {
  it("reads win-version-info's skip.js: fails on win32 only", () => {
    expect(platformGate(skipJs)).toEqual({ platforms: ['win32'], negate: false });
  });

  it('reads process.platform directly, !==, several platforms, and braces or none', () => {
    expect(platformGate("if (process.platform !== 'darwin') process.exit(1)\n")).toEqual({
      platforms: ['darwin'],
      negate: true,
    });
    expect(
      platformGate(
        "'use strict'\nconst p = process.platform\nif (p === 'win32' || p === 'darwin') {\n  process.exit(2)\n}\n",
      ),
    ).toEqual({ platforms: ['win32', 'darwin'], negate: false });
    expect(
      platformGate("if (process.platform !== 'linux' && process.platform !== 'darwin') process.exit(1)"),
    ).toEqual({ platforms: ['linux', 'darwin'], negate: true });
  });

  it('is not a gate when the file does anything else, exits 0, or mixes its conditions', () => {
    for (const text of [
      "require('./build'); if (process.platform === 'win32') process.exit(1)",
      "if (process.platform === 'win32') process.exit(0)",
      "if (process.platform === 'win32') process.exit(1)\nrequire('child_process').execSync('node-gyp rebuild')",
      "if (process.env.FORCE || process.platform === 'win32') process.exit(1)",
      "if (process.platform === 'win32' && process.platform === 'darwin') process.exit(1)",
      "if (process.platform === 'plan9') process.exit(1)",
      `if (process.platform === 'win32') process.exit(1)\n${' '.repeat(4096)}`,
    ]) {
      expect(platformGate(text), text.slice(0, 60)).toBeNull();
    }
  });
});
