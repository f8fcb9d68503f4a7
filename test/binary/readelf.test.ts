import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { inspectFile } from '../../src/binary/facts.js';
import { isNodeCxxSymbol } from '../../src/binary/module.js';
import { compareVersions } from '../../src/binary/reader.js';
import { allFixtureFiles } from './paths.js';

/**
 * An independent reading of every ELF fixture by binutils' readelf: our arch, NEEDED list,
 * highest GLIBC_/GLIBCXX_ versions and registration exports must match what it prints.
 */
function tool(name: string, args: string[]): string | null {
  try {
    return execFileSync(name, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 << 20,
    });
  } catch (error) {
    // readelf exits non-zero on damaged files but still prints what it could read.
    const out = (error as { stdout?: unknown }).stdout;
    return typeof out === 'string' && out.length > 0 ? out : null;
  }
}

const hasReadelf = tool('readelf', ['--version']) !== null;

const READELF_MACHINE: Record<string, string> = {
  'Advanced Micro Devices X86-64': 'x64',
  AArch64: 'arm64',
  ARM: 'arm',
  'Intel 80386': 'ia32',
};

const GLIBC_LIBRARY =
  /^(?:libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|ld-linux[\w.-]*)$/;

interface ReadelfView {
  arch: string | undefined;
  needed: string[];
  glibc: string | null;
  glibcxx: string | null;
  exports: string[];
  imports: string[];
  /** Non-weak undefined symbols, `name@GLIBC_x` when the version is needed from a glibc library. */
  strongImports: string[];
}

function parseReadelf(out: string): ReadelfView {
  const machine = /^\s*Machine:\s+(.*)$/m.exec(out)?.[1]?.trim() ?? '';
  const needed = [...out.matchAll(/\(NEEDED\)\s+Shared library: \[(.*)\]/g)].map((m) => m[1]!);
  let glibc: string | null = null;
  let glibcxx: string | null = null;
  const versionNeeds = out.slice(out.indexOf("Version needs section '.gnu.version_r'"));
  let file = '';
  /** Version index (the number readelf prints after a symbol) → version name, for glibc's libraries. */
  const glibcIndex = new Map<string, string>();
  for (const line of versionNeeds.split('\n')) {
    const f = /File: (\S+)/.exec(line);
    if (f) file = f[1]!;
    const v = /Name: (GLIBC_\S+)\s+Flags: \S+\s+Version: (\d+)/.exec(line);
    if (v && GLIBC_LIBRARY.test(file)) glibcIndex.set(v[2]!, v[1]!);
    const g = /Name: GLIBC_(\d+\.\d+(?:\.\d+)?)\s/.exec(line);
    if (g && GLIBC_LIBRARY.test(file) && (glibc === null || compareVersions(g[1]!, glibc) > 0)) glibc = g[1]!;
    const x = /Name: GLIBCXX_(\d+\.\d+(?:\.\d+)?)\s/.exec(line);
    if (x && (glibcxx === null || compareVersions(x[1]!, glibcxx) > 0)) glibcxx = x[1]!;
  }
  const exports: string[] = [];
  const imports: string[] = [];
  const strongImports = new Set<string>();
  const dynsym = out.slice(out.indexOf("Symbol table '.dynsym'"));
  for (const line of dynsym.split('\n')) {
    // Num: Value Size Type Bind Vis Ndx Name [(version index)]
    const m = /^\s*\d+:\s+[0-9a-f]+\s+\d+\s+\w+\s+(\w+)\s+\w+\s+(\w+)\s+(\S+)(?:\s+\((\d+)\))?/.exec(line);
    if (!m) continue;
    const name = m[3]!.replace(/@.*$/, '');
    if (m[2] === 'UND') {
      imports.push(name);
      if (m[1] !== 'WEAK' && !/^(?:napi_|node_api_|uv_|node_|_Z)/.test(name)) {
        const version = m[4] !== undefined ? glibcIndex.get(m[4]) : undefined;
        strongImports.add(version ? `${name}@${version}` : name);
      }
    } else if (m[1] === 'GLOBAL' || m[1] === 'WEAK') exports.push(name);
  }
  return {
    arch: READELF_MACHINE[machine],
    needed,
    glibc,
    glibcxx,
    exports,
    imports,
    strongImports: [...strongImports].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
  };
}

const elfFixtures = allFixtureFiles().filter((f) => inspectFile(f).format === 'elf');

describe.skipIf(!hasReadelf)('ELF facts agree with readelf (skipped: readelf is not installed)', () => {
  it('there are ELF fixtures to check', () => expect(elfFixtures.length).toBeGreaterThan(20));

  for (const path of elfFixtures) {
    const name = path.slice(path.lastIndexOf('/fixtures/') + 1);
    it(name, () => {
      const out = tool('readelf', ['-d', '--dyn-syms', '-V', '-h', '-l', '-W', path]);
      expect(out).not.toBeNull();
      const view = parseReadelf(out!);
      const facts = inspectFile(path);

      expect(facts.arch).toBe(view.arch);
      expect(facts.needed).toEqual(view.needed);
      expect(facts.glibcVersion).toBe(view.glibc);
      expect(facts.glibcxxVersion).toBe(view.glibcxx);
      expect(facts.cImports).toEqual(view.strongImports);

      const abiExport = view.exports.find((e) => /^node_register_module_v\d+$/.test(e));
      const napiExport = view.exports.includes('napi_register_module_v1');
      const cxxImport = view.imports.some(isNodeCxxSymbol);
      const napiImport = view.imports.some((i) => i.startsWith('napi_'));
      if (abiExport) {
        expect(facts.module).toMatchObject({
          kind: 'abi',
          abi: abiExport.slice('node_register_module_v'.length),
        });
      } else if ((napiExport || napiImport) && cxxImport) {
        expect(facts.module).toEqual({ kind: 'abi', abi: null, hybrid: true });
      } else if (napiExport && !view.imports.includes('node_module_register')) {
        expect(facts.module).toEqual({ kind: 'napi' });
      } else if (view.imports.includes('node_module_register')) {
        expect(facts.module.kind).toBe('abi');
      }
      // Every fixture that exports the version function on x64/arm64 has a readable body.
      const declaresVersion = view.exports.includes('node_api_module_get_api_version_v1');
      expect(facts.napiVersion !== null).toBe(
        declaresVersion && (view.arch === 'x64' || view.arch === 'arm64'),
      );
    });
  }
});

const hasObjdump = tool('objdump', ['--version']) !== null;

describe.skipIf(!hasReadelf || !hasObjdump)(
  'napiVersion agrees with objdump disassembly on x64 (skipped: binutils missing)',
  () => {
    for (const path of elfFixtures.filter(
      (f) => inspectFile(f).arch === 'x64' && inspectFile(f).napiVersion !== null,
    )) {
      it(path.slice(path.lastIndexOf('/') + 1), () => {
        const syms = tool('readelf', ['--dyn-syms', '-W', path])!;
        const address =
          /^\s*\d+:\s+([0-9a-f]+)\s+\d+\s+FUNC\s+GLOBAL\s+\w+\s+\d+\s+node_api_module_get_api_version_v1\b/m.exec(
            syms,
          )?.[1];
        expect(address).toBeDefined();
        const start = parseInt(address!, 16);
        const asm = tool('objdump', [
          '-d',
          `--start-address=0x${start.toString(16)}`,
          `--stop-address=0x${(start + 16).toString(16)}`,
          path,
        ])!;
        const imm = /mov\s+\$0x([0-9a-f]+),%eax/.exec(asm)?.[1];
        expect(imm).toBeDefined();
        expect(inspectFile(path).napiVersion).toBe(parseInt(imm!, 16));
      });
    }
  },
);
