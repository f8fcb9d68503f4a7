import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mapThroughSource, placeInStage, scanContext } from '../../src/docker/context.js';
import { parseDockerfile } from '../../src/docker/dockerfile.js';
import { compileIgnore } from '../../src/docker/ignore.js';

const NESTED = 'skills/db/node_modules/better-sqlite3/build/Release/better_sqlite3.node';

describe('mapThroughSource (COPY semantics)', () => {
  it.each([
    ['.', '/app/', NESTED, false, `/app/${NESTED}`],
    ['./', '/app/', 'a.node', false, '/app/a.node'],
    ['skills/', '/app/skills/', NESTED, false, `/app/${NESTED}`],
    [
      'skills',
      '/srv',
      NESTED,
      false,
      `/srv/db/node_modules/better-sqlite3/build/Release/better_sqlite3.node`,
    ],
    ['skills/*/node_modules', '/nm/', NESTED, false, '/nm/better-sqlite3/build/Release/better_sqlite3.node'],
    ['package*.json', '/app/', NESTED, false, null],
    ['build/Release/addon.node', '/app/addon.node', 'build/Release/addon.node', false, '/app/addon.node'],
    ['build/Release/addon.node', '/app/', 'build/Release/addon.node', false, '/app/addon.node'],
    ['build/Release/*.node', '/app/', 'build/Release/addon.node', false, '/app/addon.node'],
    ['skills/db', '/app/db', 'skills/db/node_modules', true, '/app/db/node_modules'],
    ['other', '/app/', NESTED, false, null],
    [
      '/app/node_modules',
      '/app/node_modules',
      '/app/node_modules/x/y.node',
      false,
      '/app/node_modules/x/y.node',
    ],
    ['/app', '/srv/', '/app/node_modules/x/y.node', false, '/srv/node_modules/x/y.node'],
    ['/', '/', '/app/x.node', false, '/app/x.node'],
  ])('COPY %s %s puts %s at %s', (source, dest, path, isDir, expected) => {
    expect(mapThroughSource(source, dest, path, isDir)).toBe(expected);
  });
});

describe('placeInStage', () => {
  const place = (text: string, path: string, isDir = false) => {
    const { stages } = parseDockerfile(text);
    return placeInStage(stages, stages.at(-1)!, path, isDir)?.imagePath ?? null;
  };

  it('COPY . . after npm ci puts the host node_modules over the installed one', () => {
    const text = 'FROM node:22\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n';
    expect(place(text, 'node_modules/x/x.node')).toBe('/app/node_modules/x/x.node');
  });

  it('npm ci after COPY . . deletes the root node_modules first, not a nested one', () => {
    const text = 'FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\n';
    expect(place(text, 'node_modules/x/x.node')).toBeNull();
    expect(place(text, NESTED)).toBe(`/app/${NESTED}`);
  });

  it('npm install keeps what is there', () => {
    expect(place('FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm install\n', 'node_modules/x/x.node')).toBe(
      '/app/node_modules/x/x.node',
    );
  });

  it('follows COPY --from and FROM <stage>', () => {
    const text = [
      'FROM node:22 AS build',
      'WORKDIR /app',
      'COPY . .',
      'RUN npm ci',
      'FROM build AS test',
      'FROM node:22-slim',
      'COPY --from=test /app /srv',
    ].join('\n');
    expect(place(text, NESTED)).toBe(`/srv/${NESTED}`);
    expect(place(text, 'node_modules/x/x.node')).toBeNull();
  });

  it('COPY --from an image, and COPY --exclude, bring nothing from the context', () => {
    expect(place('FROM node:22\nCOPY --from=nginx:latest /etc /etc\n', NESTED)).toBeNull();
    expect(place('FROM node:22\nCOPY --exclude=**/node_modules . /app/\n', NESTED)).toBeNull();
  });

  it('a COPY that names only other files places nothing', () => {
    expect(place('FROM node:22\nCOPY package.json src/ /app/\n', NESTED)).toBeNull();
  });
});

describe('scanContext', () => {
  const root = mkdtempSync(join(tmpdir(), 'ng-context-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const touch = (rel: string) => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), 'x');
  };
  touch('package.json');
  touch('node_modules/a/a.node');
  touch(NESTED);
  touch('skills/db/node_modules/better-sqlite3/node_modules/inner/inner.node');
  touch('skills/db/node_modules/better-sqlite3/package.json');
  touch('build/Release/addon.node');
  touch('keep/node_modules/k/k.node');
  symlinkSync('..', join(root, 'skills/loop'));
  symlinkSync(join(root, 'node_modules/a/a.node'), join(root, 'linked.node'));

  it('with `node_modules`: the root one is pruned, nested ones are sent', () => {
    const scan = scanContext(root, compileIgnore('node_modules\n'));
    expect(scan.nodeModules.map((n) => n.path)).toEqual(['keep/node_modules', 'skills/db/node_modules']);
    expect(scan.nodeModules[1]!.files).toBe(3);
    expect(scan.binaries).toEqual([
      'build/Release/addon.node',
      'keep/node_modules/k/k.node',
      'skills/db/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'skills/db/node_modules/better-sqlite3/node_modules/inner/inner.node',
    ]);
    expect(scan.links).toBe(2);
  });

  it('with `**/node_modules` and `**/*.node`: nothing', () => {
    const scan = scanContext(root, compileIgnore('**/node_modules\n**/*.node\n'));
    expect(scan.nodeModules).toEqual([]);
    expect(scan.binaries).toEqual([]);
  });

  it('an exception re-includes a folder inside an excluded one', () => {
    const scan = scanContext(root, compileIgnore('**/node_modules\n!keep/node_modules/k\n'));
    expect(scan.nodeModules).toEqual([{ path: 'keep/node_modules', files: 1, partly: true }]);
    expect(scan.binaries).toEqual(['build/Release/addon.node', 'keep/node_modules/k/k.node']);
  });

  it('stops at its entry limit and says so', () => {
    const scan = scanContext(root, compileIgnore(''), { maxEntries: 3, maxDepth: 64 });
    expect(scan.truncated).toBe(true);
  });

  it('an unreadable context is reported, not thrown', () => {
    const scan = scanContext(join(root, 'missing'), compileIgnore(''));
    expect(scan.unreadable).toEqual([{ path: '.', code: 'ENOENT' }]);
  });
});
