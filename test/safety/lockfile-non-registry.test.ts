// Lockfile mode fetches registry tarballs only. A lockfile entry whose version is a git, file or
// directory spec (a git dependency, a hand-written or tampered lockfile) handed to pacote makes it
// spawn `git` from PATH, or pack a folder (running its `prepare`). Here a hostile `git` sits first on
// PATH and the folder's prepare writes a marker: `check --lockfile-only` must leave none, and say
// which packages it did not read.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt } from '../helpers/build.js';
import { tempDir } from '../helpers/fixture-project.js';

const runnable = process.platform === 'linux';
let tmp: ReturnType<typeof tempDir>;

beforeAll(() => {
  if (!runnable) return;
  ensureBuilt();
  tmp = tempDir('ng-non-registry-');
});
afterAll(() => tmp?.cleanup());

describe.skipIf(!runnable)('check --lockfile-only with non-registry lockfile entries', () => {
  it('runs no git and no prepare, and reports each such package as not read (ENOTREGISTRY)', () => {
    const root = join(tmp.dir, 'app');
    const bin = join(tmp.dir, 'bin');
    const marker = join(tmp.dir, 'marker');
    mkdirSync(bin, { recursive: true });
    const hostile = `#!/bin/sh\necho "$0 $*" >> '${marker}'\nexit 1\n`;
    for (const tool of ['git', 'npm-cli-git']) {
      writeFileSync(join(bin, tool), hostile);
      chmodSync(join(bin, tool), 0o755);
    }
    // a folder a `file:` spec points at, whose prepare would run if pacote packed it
    const folder = join(tmp.dir, 'local-addon');
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, 'package.json'),
      JSON.stringify({
        name: 'local-addon',
        version: '1.0.0',
        scripts: { prepare: `echo prepare >> '${marker}'`, install: 'node-gyp rebuild' },
      }),
    );
    mkdirSync(root, { recursive: true });
    writeFileSync(
      join(root, 'package.json'),
      JSON.stringify({
        name: 'app',
        version: '1.0.0',
        dependencies: {
          'git-addon': 'git+ssh://git@git.example.invalid/someone/git-addon.git',
          'local-addon': `file:${folder}`,
        },
      }),
    );
    writeFileSync(
      join(root, 'package-lock.json'),
      JSON.stringify({
        name: 'app',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': {
            name: 'app',
            version: '1.0.0',
            dependencies: {
              'git-addon': 'git+ssh://git@git.example.invalid/someone/git-addon.git',
              'local-addon': `file:${folder}`,
            },
          },
          'node_modules/git-addon': {
            version:
              'git+ssh://git@git.example.invalid/someone/git-addon.git#0123456789abcdef0123456789abcdef01234567',
            resolved:
              'git+ssh://git@git.example.invalid/someone/git-addon.git#0123456789abcdef0123456789abcdef01234567',
            hasInstallScript: true,
          },
          'node_modules/local-addon': {
            version: `file:${folder}`,
            resolved: `file:${folder}`,
            hasInstallScript: true,
          },
        },
      }),
    );
    const r = spawnSync(process.execPath, [CLI, 'check', '--lockfile-only', '--json'], {
      cwd: root,
      env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.signal, r.stderr).toBeNull();
    expect(existsSync(marker) ? readFileSync(marker, 'utf8') : '').toBe('');
    const report = JSON.parse(r.stdout) as {
      findings: Array<{
        code: string;
        package: string;
        evidence: { code?: string; notRegistry?: string; detail?: string };
      }>;
    };
    const unavailable = report.findings.filter((f) => f.code === 'MANIFEST_UNAVAILABLE');
    expect(unavailable.map((f) => [f.package.split('@')[0], f.evidence.code]).sort()).toEqual([
      ['git-addon', 'ENOTREGISTRY'],
      ['local-addon', 'ENOTREGISTRY'],
    ]);
    // the evidence names the spec as data; the JSON's `detail` keeps the words
    for (const f of unavailable) {
      expect(f.evidence.notRegistry).toMatch(/^(git|local)-addon@/);
      expect(f.evidence.detail).toBe(`not a registry package: ${f.evidence.notRegistry}`);
    }
  });
});
