// A machine without python3, make or a C++ compiler (a slim image): `check --online` for the host,
// then the real `npm install` of each native package with the same PATH. Every package predicted
// `fails` must really fail to install, and no other may. On this machine GitHub is unreachable, so
// better-sqlite3's and bcrypt's prebuilt downloads fail and their source builds cannot run.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/check/run.js';
import type { CheckReport } from '../../src/model/reports.js';
import { currentHostEnvironment } from '../../src/targets/index.js';
import { installRealProject } from '../helpers/real-project.js';

const PACKAGES = [
  'bufferutil@4',
  'better-sqlite3@12',
  'sharp@0.33',
  'bcrypt@5',
  '@parcel/watcher@2',
  'is-number@7',
];
const scratch = mkdtempSync(join(tmpdir(), 'ng-toolchain-less-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A PATH holding node and npm, plus the `sh` npm runs scripts with (every image has one). */
function bareBin(): string {
  const bin = join(scratch, 'bin');
  mkdirSync(bin);
  const which = (cmd: string) => {
    const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
    return realpathSync(r.stdout.trim());
  };
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync(which('npm'), join(bin, 'npm'));
  symlinkSync(which('sh'), join(bin, 'sh'));
  return bin;
}

let bin: string;
let report: CheckReport;

beforeAll(async () => {
  const installed = installRealProject(PACKAGES, { label: 'natives' });
  const project = join(scratch, 'project');
  mkdirSync(project);
  for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(installed, f), join(project, f));
  bin = bareBin();
  const base = currentHostEnvironment();
  const host = { ...base, env: { ...base.env, PATH: bin } };
  report = await check({ cwd: project, targets: ['host'], host, online: true, onlineTimeoutMs: 15_000 });
}, 20 * 60_000);

describe('toolchain-less host: predictions against real installs', () => {
  it('sees no toolchain, and checks the downloads', () => {
    const t = report.targets[0]!;
    expect(t.toolchain).toMatchObject({ python: false, make: false, cxx: false });
    expect(report.online?.checks.length).toBeGreaterThanOrEqual(2);
    expect(report.findings.filter((f) => f.code === 'PREBUILD_DOWNLOAD_UNVERIFIED')).toEqual([]);
  });

  it(
    'predicts failure for exactly the packages that really fail `npm install`',
    () => {
      const predicted = new Map(
        report.packages.map((p) => [`${p.name}@${p.version}`, p.predictions[0]!.outcome]),
      );
      expect([...predicted.keys()].map((k) => k.replace(/@[^@]+$/, '')).sort()).toEqual([
        '@parcel/watcher',
        'bcrypt',
        'better-sqlite3',
        'bufferutil',
        'sharp',
      ]);
      const actual = new Map<string, 'fails' | 'ok'>();
      for (const spec of predicted.keys()) {
        const dir = mkdtempSync(join(scratch, 'install-'));
        writeFileSync(
          join(dir, 'package.json'),
          JSON.stringify({ name: 'probe', version: '1.0.0', private: true }),
        );
        const r = spawnSync('npm', ['install', spec, '--no-audit', '--no-fund'], {
          cwd: dir,
          env: { ...process.env, PATH: bin },
          encoding: 'utf8',
          timeout: 10 * 60_000,
        });
        actual.set(spec, r.status === 0 ? 'ok' : 'fails');
      }
      const failsPredicted = [...predicted]
        .filter(([, o]) => o === 'fails')
        .map(([k]) => k)
        .sort();
      const failsActual = [...actual]
        .filter(([, o]) => o === 'fails')
        .map(([k]) => k)
        .sort();
      expect(failsPredicted).toEqual(failsActual);
      expect(failsPredicted.map((k) => k.replace(/@[^@]+$/, ''))).toEqual(['bcrypt', 'better-sqlite3']);
      // the others are predicted to get a prebuilt binary, and installed fine
      for (const [k, o] of predicted) if (o !== 'fails') expect({ k, o }).toEqual({ k, o: 'prebuilt' });
    },
    20 * 60_000,
  );
});
