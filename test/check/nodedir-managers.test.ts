// `.npmrc`'s nodedir reaches node-gyp under npm, Yarn 1 and pnpm 10 only; pnpm 11+, Yarn 2+ and Bun
// ignore it and node-gyp downloads Node's headers (measured with real installs: pnpm 11.29.0's
// better-sqlite3 build fetched node-v20.20.2-headers.tar.gz with `nodedir=/usr` in .npmrc, and built
// offline with `npm_config_nodedir=/usr` in the environment; docs/package-managers.md).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../../src/check/run.js';
import { passesNpmrcNodedir } from '../../src/managers/detect.js';
import { currentHostEnvironment } from '../../src/targets/index.js';

const scratch = mkdtempSync(join(tmpdir(), 'ng-nodedir-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('passesNpmrcNodedir', () => {
  it('npm, Yarn 1 and pnpm 10 pass it; pnpm 11+ (and a pnpm of unknown version), Yarn 2+ and Bun do not', () => {
    expect(passesNpmrcNodedir({ manager: 'npm' })).toBe(true);
    expect(passesNpmrcNodedir({ manager: 'yarn-classic', version: '1.22.22' })).toBe(true);
    expect(passesNpmrcNodedir({ manager: 'pnpm', version: '10.34.9' })).toBe(true);
    expect(passesNpmrcNodedir({ manager: 'pnpm', version: '11.29.0' })).toBe(false);
    expect(passesNpmrcNodedir({ manager: 'pnpm', version: '12.25.1' })).toBe(false);
    expect(passesNpmrcNodedir({ manager: 'pnpm' })).toBe(false);
    expect(passesNpmrcNodedir({ manager: 'yarn-berry', version: '4.18.1' })).toBe(false);
    expect(passesNpmrcNodedir({ manager: 'bun', version: '1.4.5' })).toBe(false);
  });
});

/** A project whose .npmrc points nodedir at real Node headers, managed by `packageManager`. */
function project(packageManager: string): string {
  const dir = join(scratch, packageManager.replace(/[@.]/g, '-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'p', version: '1.0.0', packageManager }));
  // the headers of the Node running the test: beside its binary (.../include/node)
  writeFileSync(join(dir, '.npmrc'), `nodedir=${join(process.execPath, '..', '..')}\n`);
  return dir;
}

const headersSource = async (dir: string, env: NodeJS.ProcessEnv = {}) => {
  const base = currentHostEnvironment();
  const clean = Object.fromEntries(Object.entries(base.env).filter(([k]) => !/^npm_config_/i.test(k)));
  const report = await check({ cwd: dir, host: { ...base, env: { ...clean, ...env } } });
  return report.targets[0]!.toolchain.details?.headers?.source ?? null;
};

describe.runIf(process.platform === 'linux')(
  "the host's headers follow what the manager passes to node-gyp",
  () => {
    it('npm and pnpm 10: .npmrc nodedir', async () => {
      expect(await headersSource(project('npm@11.6.2'))).toBe('nodedir');
      expect(await headersSource(project('pnpm@10.34.9'))).toBe('nodedir');
    });

    it('pnpm 11, Yarn 4 and Bun: not .npmrc nodedir; npm_config_nodedir in the environment still counts', async () => {
      for (const pm of ['pnpm@11.29.0', 'yarn@4.18.1', 'bun@1.4.5']) {
        expect(await headersSource(project(pm)), pm).not.toBe('nodedir');
        const dir = join(process.execPath, '..', '..');
        expect(await headersSource(project(pm), { npm_config_nodedir: dir }), pm).toBe('npm_config_nodedir');
      }
    });
  },
);
