import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostPkgConfigModules, pkgConfigDirs } from '../../src/targets/pkg-config.js';

const work = mkdtempSync(join(tmpdir(), 'ng-pkgconfig-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the host's pkg-config modules, from folder listings", () => {
  it('PKG_CONFIG_PATH and PKG_CONFIG_LIBDIR come first, relative entries are dropped, the defaults follow', () => {
    const dirs = pkgConfigDirs({ PKG_CONFIG_PATH: '/opt/a/pkgconfig:rel/pc:', PKG_CONFIG_LIBDIR: '/opt/b' });
    expect(dirs.slice(0, 2)).toEqual(['/opt/a/pkgconfig', '/opt/b']);
    expect(dirs).not.toContain('rel/pc');
    expect(dirs).toEqual(
      expect.arrayContaining(['/usr/lib/pkgconfig', '/usr/share/pkgconfig', '/usr/local/lib/pkgconfig']),
    );
  });

  it('lists the .pc files of a folder on PKG_CONFIG_PATH as modules, nothing else', () => {
    const dir = join(work, 'pc');
    mkdirSync(dir);
    for (const f of ['ng-test-alpha.pc', 'ng-test-beta.pc', 'README', '.pc']) writeFileSync(join(dir, f), '');
    const modules = hostPkgConfigModules({ PKG_CONFIG_PATH: dir });
    expect(modules).toEqual(expect.arrayContaining(['ng-test-alpha', 'ng-test-beta']));
    expect(modules).not.toContain('README');
    expect(modules).not.toContain('');
    expect(hostPkgConfigModules({})).not.toContain('ng-test-alpha');
  });
});
