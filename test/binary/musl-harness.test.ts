import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkFactsAgainstTarget } from '../../src/binary/compat.js';
import { inspectFile } from '../../src/binary/facts.js';
import type { BinaryFacts } from '../../src/model/binary.js';
import { binaryNotesWords } from '../../src/report/binary-words.js';
import type { Target } from '../../src/model/target.js';
import { muslHarnessRunnable, muslLoads } from '../helpers/musl.js';
import { addon, allFixtureFiles, binary } from './paths.js';

/**
 * The static model (checkFactsAgainstTarget on an alpine target) against musl's real dynamic
 * linker. fixtures/musl holds a musl-built `loader` that dlopen()s a file the way Node would (it
 * exports stubs of every Node-API and libuv function) and copies of Debian's musl 1.2.3 and 1.2.5
 * dynamic linkers; fixtures/musl/README.md says how they were made. The loader runs through the
 * copied linker, whose library path file (fixtures/musl/etc) is empty, so nothing on this machine
 * is loaded but musl and the file under test: no musl install is needed, only linux-x64.
 */
const MUSL = fileURLToPath(new URL('../../fixtures/musl/', import.meta.url));
const LOADER = `${MUSL}loader`;
const VERSIONS = ['1.2.3', '1.2.5'];
const runnable = muslHarnessRunnable;

function alpine(libcVersion: string): Target {
  return {
    id: 'node:22-alpine',
    runtime: 'node',
    version: '22.21.1',
    abi: '127',
    napi: 10,
    platform: 'linux',
    arch: 'x64',
    libc: 'musl',
    libcVersion,
    armv: null,
    uv: '1',
    toolchain: { python: false, make: false, cxx: false },
    image: { image: 'node:22-alpine', variant: 'alpine', distro: 'alpine', release: '3.22' },
    isHost: false,
  };
}

const harness = (version: string, file: string, mode: '--now' | '--lazy' = '--now') =>
  muslLoads(file, version, mode);

function model(facts: BinaryFacts, version: string) {
  return checkFactsAgainstTarget(facts, alpine(version)).find((m) => m.code === 'LIBC_MISMATCH');
}

const name = (path: string) => path.slice(path.lastIndexOf('/') + 1, -'.node'.length);

/** Why a fixture cannot be compared here, or null. */
function skipReason(facts: BinaryFacts): string | null {
  if (facts.notes.length > 0) return `damaged file (${binaryNotesWords(facts.notes)}): not a libc question`;
  const cxx = facts.needed.filter((n) => n === 'libstdc++.so.6' || n === 'libgcc_s.so.1');
  if (cxx.length > 0)
    return `needs ${cxx.join(', ')}: node alpine images ship them, but this machine has no musl build of them`;
  if (facts.module.kind === 'abi')
    return 'ABI-bound addon: imports V8/node C++ symbols, which the loader does not stand in for';
  return null;
}

const x64Elf = allFixtureFiles()
  .map((path) => ({ path, facts: inspectFile(path) }))
  .filter(({ facts }) => facts.format === 'elf' && facts.arch === 'x64');

/** What must come out, so the comparison cannot pass by both sides being wrong the same way. */
const EXPECTED: Record<string, 'loads' | 'fails'> = {
  'bufferutil-4.1.0-linux-x64': 'loads',
  'napi-ok': 'loads',
  musl: 'loads',
  'musl-libc-so': 'loads',
  'exit-in-init': 'loads',
  lfs64: 'loads',
  'glibc-new': 'fails',
  fortify: 'fails',
  'glibc-tls': 'fails',
};

describe.skipIf(!runnable)('musl harness (linux-x64 only: the copied musl is an x86_64 build)', () => {
  it('the loader needs nothing from this machine: only libc.so, which musl answers with itself', () => {
    expect(inspectFile(LOADER).needed).toEqual(['libc.so']);
    expect(readFileSync(`${MUSL}etc/ld-musl-x86_64.path`, 'utf8')).toBe('');
    for (const version of VERSIONS) expect(harness(version, addon('napi-ok')).loads, version).toBe(true);
  });

  it('covers the fixtures it must', () => {
    const compared = x64Elf.filter(({ facts }) => skipReason(facts) === null).map(({ path }) => name(path));
    expect(compared).toEqual(expect.arrayContaining(Object.keys(EXPECTED)));
  });

  for (const version of VERSIONS) {
    describe(`musl ${version}: the model's verdict is the dynamic linker's`, () => {
      for (const { path, facts } of x64Elf) {
        const reason = skipReason(facts);
        it.skipIf(reason !== null)(`${name(path)}${reason ? ` (skipped: ${reason})` : ''}`, () => {
          const real = harness(version, path);
          const mismatch = model(facts, version);
          expect(mismatch === undefined, real.error ?? 'loads').toBe(real.loads);
          const expected = EXPECTED[name(path)];
          if (expected) expect(real.loads ? 'loads' : 'fails').toBe(expected);
          // musl stops at the first problem; the model must have named it.
          if (mismatch && real.error) {
            const named = [...mismatch.missingLibraries, ...mismatch.missingSymbols];
            expect(named.some((n) => real.error!.includes(`${n}:`) || real.error!.includes(`${n} `))).toBe(
              true,
            );
          }
        });
      }
    });
  }

  it('musl really remaps LFS64 names since 1.2.4: lfs64 loads on 1.2.5 although it exports no fopen64', () => {
    expect(harness('1.2.5', addon('lfs64'))).toEqual({ loads: true, error: null });
  });

  it("under Node's RTLD_LAZY musl defers missing functions: glibc-new and fortify load (and would crash when called)", () => {
    for (const version of VERSIONS) {
      for (const file of [addon('glibc-new'), addon('fortify')]) {
        expect(harness(version, file, '--now').loads).toBe(false);
        expect(harness(version, file, '--lazy').loads).toBe(true);
      }
      // A missing library fails either way.
      expect(harness(version, addon('glibc-tls'), '--lazy').loads).toBe(false);
    }
  });

  it('the real registry glibc prebuild bufferutil 4.1.0 loads on both', () => {
    for (const version of VERSIONS)
      expect(harness(version, binary('bufferutil-4.1.0-linux-x64')).loads).toBe(true);
  });
});
