import { describe as group, expect, it } from 'vitest';
import { checkFactsAgainstTarget } from '../../src/binary/compat.js';
import { inspectFile } from '../../src/binary/facts.js';
import { makeFinding } from '../../src/model/findings.js';
import { describe } from '../../src/report/messages.js';
import type { Target } from '../../src/model/target.js';
import { addon, binary } from './paths.js';

const alpine: Target = {
  id: 'node:22-alpine',
  runtime: 'node',
  version: '22.21.1',
  abi: '127',
  napi: 10,
  platform: 'linux',
  arch: 'x64',
  libc: 'musl',
  libcVersion: '1.2.5',
  armv: null,
  uv: '1',
  toolchain: { python: false, make: false, cxx: false },
  image: { image: 'node:22-alpine', variant: 'alpine', distro: 'alpine', release: '3.22' },
  isHost: false,
};

/** The LIBC_MISMATCH finding the check would make for `file`, in words. */
function words(file: string, fallback: 'none' | 'source-build' = 'none') {
  const [m] = checkFactsAgainstTarget(inspectFile(file), alpine);
  if (m?.code !== 'LIBC_MISMATCH') throw new Error(`no LIBC_MISMATCH for ${file}`);
  const { code: _code, ...fields } = m;
  return describe(
    makeFinding(
      'LIBC_MISMATCH',
      { package: 'demo@1.0.0', target: 'node:22-alpine' },
      { ...fields, file: 'build/Release/demo.node', strategy: 'node-gyp-build', fallback },
    ),
  );
}

group('LIBC_MISMATCH words name what the target lacks', () => {
  it('a missing symbol', () => {
    expect(words(addon('glibc-new')).message).toBe(
      'demo@1.0.0 on node:22-alpine: build/Release/demo.node is linked against glibc, the target uses musl: ' +
        'it imports arc4random, which musl does not export',
    );
  });

  it("glibc's loader", () => {
    expect(words(binary('sharp-linux-x64-0.33.5')).message).toContain(
      'it needs ld-linux-x86-64.so.2, which musl does not have',
    );
  });

  it('several symbols, and the source-build fallback', () => {
    const w = words(addon('fortify'), 'source-build');
    expect(w.message).toContain('it imports __memcpy_chk, __sprintf_chk, which musl does not export');
    expect(w.message).toMatch(/compiles from source instead$/);
    expect(w.fix).toContain('musl prebuild');
  });

  it('counts the symbols beyond the ten it lists', () => {
    const finding = makeFinding(
      'LIBC_MISMATCH',
      { package: 'demo@1.0.0' },
      {
        file: 'a.node',
        strategy: 'shipped-binary',
        fallback: 'none',
        binaryLibc: 'glibc',
        targetLibc: 'musl',
        missingLibraries: [],
        missingSymbols: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'],
        missingSymbolCount: 14,
      },
    );
    expect(describe(finding).message).toContain(
      'imports a, b, c, d, e, f, g, h, i, j and 4 more, which musl',
    );
  });
});
