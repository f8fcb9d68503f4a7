// The installed-tree loader on corpus cases (fixtures/broken), in-process: what each fix in
// src/tree/actual.ts reports, at the record level. The CLI-level view is test/robustness.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInstalledTree, TreeError } from '../../src/tree/actual.js';
import { readBounded, readRegularFile } from '../../src/io/files.js';
import { readLockfile } from '../../src/tree/lockfile.js';
import type { ProjectTree } from '../../src/model/package.js';
import { materializeCase } from '../robustness/corpus.js';
import { rejectedWords } from '../helpers/error-words.js';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ng-hostile-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function load(name: string): Promise<ProjectTree> {
  const dir = join(work, name);
  materializeCase(name, dir);
  return loadInstalledTree(dir);
}

const locations = (t: ProjectTree) => t.packages.map((p) => p.location);
const problems = (t: ProjectTree) => t.problems.map((p) => [p.kind, p.location, p.errorCode]);

describe('loadInstalledTree on hostile trees', () => {
  it('a FIFO as a dependency package.json is reported, not read', async () => {
    const t = await load('package-json-fifo');
    expect(problems(t)).toContainEqual(['package-json-invalid', 'node_modules/fifo-pkg', 'ENOTREG']);
    expect(locations(t)).toContain('node_modules/healthy-addon');
  });

  it('a FIFO as the project lockfile is a one-line TreeError naming it', async () => {
    const dir = join(work, 'lockfile-fifo');
    materializeCase('lockfile-fifo', dir);
    await expect(loadInstalledTree(dir)).rejects.toThrow(TreeError);
    expect(await rejectedWords(loadInstalledTree(dir))).toContain(join(dir, 'package-lock.json'));
  });

  it('dangling links, cycles, links to a file or to a folder without package.json: LINK_BROKEN with the reason', async () => {
    const dangling = await load('dangling-link');
    expect(problems(dangling)).toEqual([['link-broken', 'node_modules/gone', 'ENOENT']]);
    expect(dangling.problems[0]).toMatchObject({
      reason: 'link-target-missing',
      written: '../vanished/gone',
    });
    const loop = await load('symlink-loop');
    expect(problems(loop)).toEqual(
      expect.arrayContaining([
        ['link-broken', 'node_modules/loop-a', 'ELOOP'],
        ['link-broken', 'node_modules/loop-b', 'ELOOP'],
      ]),
    );
    const ancestor = await load('link-to-ancestor');
    expect(problems(ancestor).sort()).toEqual([
      ['link-broken', 'node_modules/file-link', 'ENOTDIR'],
      ['link-broken', 'node_modules/nm-self', 'ENOENT'],
    ]);
    // the self-link to the root (npm's `file:.`) adds no record of its own
    expect(locations(ancestor)).toEqual(['', 'node_modules/healthy-addon']);
  });

  it('a file named @scope: reported, and the packages beside it are still read', async () => {
    const t = await load('scope-is-file');
    expect(problems(t)).toEqual([['folder-unreadable', 'node_modules/@scope', 'ENOTDIR']]);
    expect(locations(t)).toEqual(['', 'node_modules/healthy-addon']);
  });

  it('node_modules that is a file is reported', async () => {
    const t = await load('node-modules-file');
    expect(problems(t)).toEqual([['folder-unreadable', 'node_modules', 'ENOTDIR']]);
  });

  it('names that differ only in case: both read, the second reported', async () => {
    const t = await load('case-duplicates');
    expect(locations(t)).toEqual(
      expect.arrayContaining([
        'node_modules/Native-Dup',
        'node_modules/native-dup',
        'node_modules/healthy-addon',
      ]),
    );
    expect(t.problems.map((p) => p.kind)).toEqual(['case-conflict']);
  });

  it('a BOM in a package.json read past a current hidden lockfile is no problem', async () => {
    const t = await load('bom-package-json');
    expect(t.problems).toEqual([]);
    const bom = t.packages.find((p) => p.location === 'node_modules/bom-addon')!;
    expect(bom.manifest.scripts.install).toBe('node install.js');
  });

  it('missing name and version are reported, the package still listed', async () => {
    const t = await load('missing-name-version');
    expect(problems(t)).toEqual([['package-json-invalid', 'node_modules/nameless', null]]);
    expect(t.problems[0]).toMatchObject({ reason: 'missing-fields', missing: ['name', 'version'] });
    expect(locations(t)).toContain('node_modules/nameless');
  });
});

describe('readers never block', () => {
  it('readRegularFile refuses a FIFO and a folder with a code; readBounded returns null', () => {
    const fifo = join(work, 'a-fifo');
    execFileSync('mkfifo', [fifo]);
    expect(() => readRegularFile(fifo)).toThrow(expect.objectContaining({ code: 'ENOTREG' }));
    expect(() => readRegularFile(work)).toThrow(expect.objectContaining({ code: 'EISDIR' }));
    expect(readBounded(fifo, 100)).toBeNull();
    expect(readBounded('/dev/zero', 100)).toBeNull();
  });

  it('a lockfile with a BOM parses; a FIFO lockfile is LOCKFILE_INVALID, not a hang', () => {
    const dir = mkdtempSync(join(work, 'lock-'));
    writeFileSync(join(dir, 'package-lock.json'), '\uFEFF{"lockfileVersion":3,"packages":{"":{}}}');
    expect(readLockfile(dir).index?.lockfileVersion).toBe(3);
    const fifoDir = mkdtempSync(join(work, 'lockfifo-'));
    execFileSync('mkfifo', [join(fifoDir, 'package-lock.json')]);
    expect(readLockfile(fifoDir).problem?.errorCode).toBe('ENOTREG');
  });
});
