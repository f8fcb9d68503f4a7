import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findNestedProjects, findNodeFiles } from '../../src/tree/projects.js';
import { tempDir } from '../helpers/fixture-project.js';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('ng-projects-');
});
afterAll(() => tmp.cleanup());

function touch(root: string, ...rels: string[]) {
  for (const rel of rels) {
    const file = join(root, ...rel.split('/'));
    mkdirSync(join(file, '..'), { recursive: true });
    if (rel.endsWith('/')) mkdirSync(file, { recursive: true });
    else writeFileSync(file, rel.endsWith('.json') ? '{}' : '');
  }
}

describe('findNestedProjects', () => {
  it('finds folders with their own package.json and node_modules, outside node_modules and dot folders', () => {
    const root = join(tmp.dir, 'app');
    touch(
      root,
      'package.json',
      'node_modules/',
      'skills/db/package.json',
      'skills/db/node_modules/',
      'skills/db/tools/x/package.json',
      'skills/db/tools/x/node_modules/',
      'skills/web/package.json', // no node_modules: not installed, nothing to load
      'plugins/a/package.json',
      'plugins/a/node_modules/',
      'node_modules/dep/package.json',
      'node_modules/dep/node_modules/',
      '.cache/p/package.json',
      '.cache/p/node_modules/',
    );
    expect(findNestedProjects(root)).toEqual(['plugins/a', 'skills/db', 'skills/db/tools/x']);
  });

  it('does not follow symbolic links (a loop back to the root ends nowhere)', () => {
    const root = join(tmp.dir, 'loop');
    touch(root, 'package.json', 'a/package.json', 'a/node_modules/');
    symlinkSync(root, join(root, 'a', 'back'));
    symlinkSync(join(root, 'a'), join(root, 'link-to-a'));
    expect(findNestedProjects(root)).toEqual(['a']);
  });

  it('stops at the depth bound', () => {
    const root = join(tmp.dir, 'deep');
    touch(root, 'package.json', '1/2/3/4/p/package.json', '1/2/3/4/p/node_modules/');
    expect(findNestedProjects(root, { maxDepth: 5, maxDirs: 100 })).toEqual(['1/2/3/4/p']);
    expect(findNestedProjects(root, { maxDepth: 3, maxDirs: 100 })).toEqual([]);
  });
});

describe('findNodeFiles', () => {
  it("lists a folder's .node files, without node_modules, node-gyp intermediates or excluded folders", () => {
    const root = join(tmp.dir, 'pkg');
    touch(
      root,
      'a.node',
      'build/Release/b.node',
      'build/Release/obj.target/b.node',
      'build/Debug/obj/c.node',
      'prebuilds/linux-x64/d.node',
      'node_modules/other/e.node',
      '.git/f.node',
      'skills/db/g.node',
      'lib/h.txt',
    );
    expect(findNodeFiles(root)).toEqual([
      'a.node',
      'build/Release/b.node',
      'prebuilds/linux-x64/d.node',
      'skills/db/g.node',
    ]);
    expect(findNodeFiles(root, { exclude: new Set(['skills/db']) })).not.toContain('skills/db/g.node');
  });
});
