import { describe, expect, it } from 'vitest';
import { checkFactsAgainstTarget } from '../../src/binary/compat.js';
import type { BinaryFacts } from '../../src/model/binary.js';
import { fakeHost } from '../targets/helpers.js';

/** tree-sitter 0.25.1's prebuilds/linux-x64/tree-sitter.node as `native-guard inspect` reads it. */
const treeSitter: BinaryFacts = {
  format: 'elf',
  arch: 'x64',
  arches: ['x64'],
  platform: 'linux',
  libc: 'glibc',
  needed: ['libstdc++.so.6', 'libgcc_s.so.1', 'libc.so.6'],
  glibcVersion: '2.17',
  glibcxxVersion: '3.4.31',
  module: { kind: 'napi' },
  napiVersion: null,
  notes: [],
};

describe('GLIBCXX_TOO_OLD: the binary against the target libstdc++', () => {
  it("needs more than Debian 12's libstdc++ defines", () => {
    expect(checkFactsAgainstTarget(treeSitter, fakeHost({ glibcxxVersion: '3.4.30' }))).toEqual([
      { code: 'GLIBCXX_TOO_OLD', needed: '3.4.31', available: '3.4.30' },
    ]);
  });
  it('loads where libstdc++ is new enough (trixie 3.4.33), compares numerically (3.4.9 < 3.4.30)', () => {
    expect(checkFactsAgainstTarget(treeSitter, fakeHost({ glibcxxVersion: '3.4.33' }))).toEqual([]);
    expect(
      checkFactsAgainstTarget(
        { ...treeSitter, glibcxxVersion: '3.4.9' },
        fakeHost({ glibcxxVersion: '3.4.30' }),
      ),
    ).toEqual([]);
  });
  it('gives no verdict when either side is unknown, or on musl', () => {
    expect(checkFactsAgainstTarget(treeSitter, fakeHost())).toEqual([]);
    expect(
      checkFactsAgainstTarget(
        { ...treeSitter, glibcxxVersion: null },
        fakeHost({ glibcxxVersion: '3.4.30' }),
      ),
    ).toEqual([]);
    expect(
      checkFactsAgainstTarget(
        {
          ...treeSitter,
          libc: 'musl',
          glibcVersion: null,
          needed: ['libstdc++.so.6', 'libc.musl-x86_64.so.1'],
        },
        fakeHost({ libc: 'musl', libcVersion: '1.2.5', glibcxxVersion: '3.4.30' }),
      ).map((m) => m.code),
    ).not.toContain('GLIBCXX_TOO_OLD');
  });
});

/** msnodesqlv8 5.5.0's prebuilds/linux-x64/msnodesqlv8.glibc.node as `native-guard inspect` reads it. */
const msnodesqlv8: BinaryFacts = {
  ...treeSitter,
  needed: ['libodbc.so.2', 'libstdc++.so.6', 'libm.so.6', 'libgcc_s.so.1', 'libc.so.6'],
  glibcVersion: '2.34',
  glibcxxVersion: '3.4.26',
};
const debianBase = ['libc.so.6', 'libm.so.6', 'libgcc_s.so.1', 'libstdc++.so.6'];

describe('SHARED_LIBRARY_MISSING: NEEDED libraries against the libraries the target is known to have', () => {
  it('names the library the loader cannot find', () => {
    expect(checkFactsAgainstTarget(msnodesqlv8, fakeHost({ systemLibraries: debianBase }))).toEqual([
      { code: 'SHARED_LIBRARY_MISSING', libraries: ['libodbc.so.2'] },
    ]);
    expect(
      checkFactsAgainstTarget(msnodesqlv8, fakeHost({ systemLibraries: [...debianBase, 'libodbc.so.2'] })),
    ).toEqual([]);
  });
  it('no verdict without a known library set, for a binary with a RUNPATH, or for what Node itself holds', () => {
    expect(checkFactsAgainstTarget(msnodesqlv8, fakeHost())).toEqual([]);
    expect(
      checkFactsAgainstTarget(
        { ...msnodesqlv8, runpath: ['$ORIGIN/../lib'] },
        fakeHost({ systemLibraries: debianBase }),
      ),
    ).toEqual([]);
    expect(
      checkFactsAgainstTarget(
        { ...msnodesqlv8, needed: ['libnode.so.115', 'libc.so.6'] },
        fakeHost({ systemLibraries: debianBase }),
      ),
    ).toEqual([]);
  });
});
