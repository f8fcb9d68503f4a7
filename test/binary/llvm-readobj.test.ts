import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { inspectFile } from '../../src/binary/facts.js';
import type { BinaryFacts } from '../../src/model/binary.js';
import { allFixtureFiles } from './paths.js';

/**
 * An independent reading of every Mach-O and PE fixture by LLVM's llvm-readobj (binutils cannot
 * read Mach-O): arch, needed libraries, minimum macOS, and the registration symbols.
 */
function readobj(args: string[]): string | null {
  for (const name of [
    'llvm-readobj',
    'llvm-readobj-14',
    'llvm-readobj-15',
    'llvm-readobj-16',
    'llvm-readobj-17',
  ]) {
    try {
      return execFileSync(name, args, {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        maxBuffer: 64 << 20,
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return null;
    }
  }
  return null;
}

const available = readobj(['--version']) !== null;
const LLVM_ARCH: Record<string, string> = { x86_64: 'x64', aarch64: 'arm64', i386: 'ia32', x86: 'ia32' };

const files = allFixtureFiles().filter((f) => {
  const format = inspectFile(f).format;
  return format === 'macho' || format === 'pe';
});

/** llvm-readobj prints one `File:` block per Mach-O slice. */
function blocks(out: string): string[] {
  return out.split(/^File: /m).slice(1);
}

function machoView(block: string) {
  const needed = /NeededLibraries \[\n([\s\S]*?)\n\]/.exec(block)?.[1];
  return {
    arch: LLVM_ARCH[/^Arch: (\S+)/m.exec(block)?.[1] ?? ''],
    needed: needed ? needed.split('\n').map((l) => l.trim()) : [],
    minMacos: /Cmd: LC_(?:BUILD_VERSION|VERSION_MIN_MACOSX)[\s\S]*?Version: (\S+)/.exec(block)?.[1] ?? null,
    undefinedNapi: /Name: _napi_\w+ \(\d+\)\n\s+Extern\n\s+Type: Undef/.test(block),
    exportsNapiRegister: /Name: _napi_register_module_v1 \(\d+\)\n\s+Extern\n\s+Type: Section/.test(block),
  };
}

function expectMacho(facts: BinaryFacts, block: string): void {
  const view = machoView(block);
  expect(facts.arch).toBe(view.arch);
  expect([...facts.needed].sort()).toEqual([...view.needed].sort());
  expect(facts.minMacos ?? null).toBe(view.minMacos);
  const usesNapi =
    facts.module.kind === 'napi' || (facts.module.kind === 'abi' && facts.module.hybrid === true);
  expect(view.exportsNapiRegister || view.undefinedNapi).toBe(usesNapi);
}

describe.skipIf(!available)(
  'Mach-O and PE facts agree with llvm-readobj (skipped: LLVM is not installed)',
  () => {
    it('there are Mach-O and PE fixtures to check', () => expect(files.length).toBeGreaterThanOrEqual(8));

    for (const path of files) {
      it(path.slice(path.lastIndexOf('/') + 1), () => {
        const facts = inspectFile(path);
        if (facts.format === 'macho') {
          const out = readobj(['--file-headers', '--needed-libs', '--macho-version-min', '--syms', path]);
          expect(out).not.toBeNull();
          const slices = blocks(out!);
          if (facts.slices) {
            expect(slices).toHaveLength(facts.slices.length);
            facts.slices.forEach((slice, i) => expectMacho(slice, slices[i]!));
            expect(facts.arches).toEqual(slices.map((b) => machoView(b).arch));
          } else {
            expectMacho(facts, slices[0]!);
          }
          return;
        }
        const out = readobj(['--file-headers', '--coff-imports', '--coff-exports', path])!;
        const dlls = [...out.matchAll(/^(?:Import|DelayImport) \{\n\s+Name: (\S+)/gm)].map((m) => m[1]!);
        expect([...facts.needed].sort()).toEqual([...new Set(dlls)].sort());
        const machine = /Machine: IMAGE_FILE_MACHINE_(\w+)/.exec(out)?.[1];
        expect(facts.peMachine).toBe(machine === 'I386' ? 'I386' : machine);
        const exports = [...out.matchAll(/^Export \{\n\s+Ordinal: \d+\n\s+Name: (\S+)/gm)].map((m) => m[1]!);
        const abi = exports.find((e) => /^node_register_module_v\d+$/.test(e));
        if (abi)
          expect(facts.module).toMatchObject({
            kind: 'abi',
            abi: abi.slice('node_register_module_v'.length),
          });
        expect(facts.napiVersion !== null).toBe(exports.includes('node_api_module_get_api_version_v1'));
        const imported = [...out.matchAll(/Symbol: (\S+) \(\d+\)/g)].map((m) => m[1]!);
        if (imported.includes('node_module_register')) expect(facts.module.kind).toBe('abi');
        else if (imported.some((s) => s.startsWith('napi_')))
          expect(['napi', 'abi']).toContain(facts.module.kind);
      });
    }
  },
);
