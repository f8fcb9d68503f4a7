import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { extract, grade, truthOf } from '../../bench/truth/truth.mjs';
import { linuxGypPkgConfigModules, linuxGypTargetStandards } from '../../src/strategies/gyp-flags.js';
import { linuxGypLibraries } from '../../src/strategies/gyp-libraries.js';
import { hostPkgConfigModules } from '../../src/targets/pkg-config.js';
import { hostSystemLibraries } from '../../src/targets/libc.js';
import { REPO } from '../helpers/build.js';
import { checkRecordSlim, readRecord } from './slim-check.js';

/** The packages' real binding.gyp files (npm pack <name>@<version>), in fixtures/gyp/. */
const gyp = (file: string) => readFileSync(join(REPO, 'fixtures', 'gyp', file), 'utf8');

describe('the system libraries a binding.gyp links on Linux', () => {
  it('authenticate-pam 1.0.5: -lpam', () => {
    expect(linuxGypLibraries(gyp('authenticate-pam-1.0.5.binding.gyp'))).toEqual(['pam']);
  });
  it('keyboard-layout 2.0.17: the OS=="linux" branch\'s -lX11 -lxkbfile, not the mac or win ones', () => {
    expect(linuxGypLibraries(gyp('keyboard-layout-2.0.17.binding.gyp'))).toEqual(['X11', 'xkbfile']);
  });
  it('says nothing certain for a condition on anything but OS, a command, or its own library folder', () => {
    expect(
      linuxGypLibraries(`{'targets':[{'conditions':[['use_system==1',{'libraries':['-lz']}]]}]}`),
    ).toBeNull();
    expect(linuxGypLibraries(`{'targets':[{'libraries':['<!@(pkg-config --libs alsa)']}]}`)).toBeNull();
    expect(linuxGypLibraries(`{'targets':[{'libraries':['-L<(module_root_dir)/lib','-lfoo']}]}`)).toBeNull();
    expect(linuxGypLibraries(`{'targets':[{'libraries':['-lstdc++','-lpthread']}]}`)).toEqual([]);
    expect(linuxGypLibraries('not a gyp file {')).toBeNull();
  });
});

/**
 * The recorded host cells (Node 20, python3/make/g++ there): both builds failed, because the
 * development packages of PAM (libpam0g-dev) and libxkbfile (libxkbfile-dev) are not installed
 * (security/pam_appl.h, X11/extensions/XKBrules.h missing). Judged only on a machine that lacks
 * their link-time libraries too, with the recorded toolchain.
 */
const libs = process.platform === 'linux' && process.arch === 'x64' ? hostSystemLibraries('x64') : null;
const onPath = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const recorded =
  !!libs && process.versions.node.startsWith('20.') && ['python3', 'make', 'g++'].every(onPath);

for (const [name, version, lib] of [
  ['authenticate-pam', '1.0.5', 'libpam.so'],
  ['keyboard-layout', '2.0.17', 'libxkbfile.so'],
] as const) {
  describe.skipIf(!recorded || libs!.includes(lib))(
    `${name}@${version} on the recorded host (no ${lib})`,
    () => {
      it('host: the build links a library this machine lacks: fails, as the real install did', () => {
        const record = readRecord(name, version);
        const report = checkRecordSlim(record, ['--target', 'host'], 'host') as {
          findings: Array<{ code: string; target?: string; evidence: Record<string, unknown> }>;
        };
        const p = extract(report, [name], ['host']).host ?? null;
        const cell = record.runs.host!;
        const g = grade(truthOf(cell, [name], []), p, cell);
        expect({ outcome: p?.outcome, grade: g.grade, why: g.why }).toMatchObject({ grade: 'right' });
        expect(report.findings.find((f) => f.code === 'BUILD_LIBRARY_MISSING')?.evidence).toMatchObject({
          file: 'binding.gyp',
        });
      });
    },
  );
}

describe('what else a real binding.gyp asks of the build (fixtures/gyp/, from npm pack)', () => {
  it('native-keymap 3.3.9: the OS=="linux" branch\'s `${PKG_CONFIG:-pkg-config} x11 xkbfile` (cflags piped to sed, and libs)', () => {
    expect(linuxGypPkgConfigModules(gyp('native-keymap-3.3.9.binding.gyp'))).toEqual(['x11', 'xkbfile']);
    // its libraries come from that command: the -l reader makes no claim
    expect(linuxGypLibraries(gyp('native-keymap-3.3.9.binding.gyp'))).toBeNull();
  });
  it("mmap-io 1.1.7: cflags_cc -std=c++11 (its mac branch's OTHER_CPLUSPLUSFLAGS do not count)", () => {
    expect(linuxGypTargetStandards(gyp('mmap-io-1.1.7.binding.gyp'))).toEqual([
      { target: 'mmap-io', standard: 'c++11', year: 2011, nan: true },
    ]);
    expect(linuxGypPkgConfigModules(gyp('mmap-io-1.1.7.binding.gyp'))).toEqual([]);
  });
  it("grpc 1.24.11: its -std=c++14 is in target_defaults, merged before node-gyp's gnu++17 (it compiled on Node 20): no pin", () => {
    expect(linuxGypTargetStandards(gyp('grpc-1.24.11.binding.gyp'))).toEqual([]);
  });
  it('the files read before say nothing new: no pkg-config, no pinned standard', () => {
    for (const f of ['authenticate-pam-1.0.5.binding.gyp', 'keyboard-layout-2.0.17.binding.gyp']) {
      expect(linuxGypPkgConfigModules(gyp(f)), f).toEqual([]);
      expect(linuxGypTargetStandards(gyp(f)), f).toEqual([]);
    }
  });
});

/**
 * The recorded host cells of native-keymap 3.3.9 (no libxkbfile-dev: gyp's `pkg-config x11 xkbfile
 * --libs` fails) and mmap-io 1.1.7 (`-std=c++11` against Node 20's headers: `std::is_lvalue_reference_v`
 * unknown). native-keymap's is judged only where xkbfile.pc is absent too.
 */
const hasXkbfilePc = hostPkgConfigModules(process.env).includes('xkbfile');
for (const [name, version, code, skip] of [
  ['native-keymap', '3.3.9', 'BUILD_PKG_CONFIG_MISSING', hasXkbfilePc],
  ['mmap-io', '1.1.7', 'BUILD_CXX_STANDARD_TOO_OLD', false],
] as const) {
  describe.skipIf(!recorded || skip)(`${name}@${version} on the recorded host`, () => {
    it(`host: ${code}, fails, as the real install did`, () => {
      const record = readRecord(name, version);
      const report = checkRecordSlim(record, ['--target', 'host'], 'host') as {
        findings: Array<{ code: string; target?: string; evidence: Record<string, unknown> }>;
      };
      const p = extract(report, [name], ['host']).host ?? null;
      const cell = record.runs.host!;
      const g = grade(truthOf(cell, [name], []), p, cell);
      expect({ outcome: p?.outcome, grade: g.grade, why: g.why }).toMatchObject({
        outcome: 'fails',
        grade: 'right',
      });
      expect(report.findings.find((f) => f.code === code)?.evidence).toMatchObject({ file: 'binding.gyp' });
    });
  });
}
