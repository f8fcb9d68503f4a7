import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { extract, grade, truthOf } from '../../bench/truth/truth.mjs';
import { linuxGypLibraries } from '../../src/strategies/gyp-libraries.js';
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
