import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectFile } from '../../src/binary/facts.js';
import {
  BINDINGS_TRY,
  bindingsNames,
  bindingsSearchList,
  resolveRuntimeBinaries,
} from '../../src/strategies/runtime.js';
import type { Target } from '../../src/model/target.js';
import { folderFiles } from '../../src/io/files.js';
import { loadInstalledTree } from '../../src/tree/actual.js';
import { nativePackagesOf } from '../../src/verify/plan.js';
import { addon } from '../binary/paths.js';
import { tempDir, writeProject } from '../helpers/fixture-project.js';
import { installRealProject } from '../helpers/real-project.js';
import { fakeHost } from '../helpers/targets.js';

const node20 = fakeHost();
const node22 = fakeHost({ version: '22.23.3', abi: '127', napi: 10 });
const ok = { copy: addon('napi-ok') };

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('ng-runtime-');
});
afterAll(() => tmp.cleanup());

/** What verify resolves for each native package of a project on disk, for a target. */
async function resolved(dir: string, target: Target, env: Record<string, string | undefined> = {}) {
  const tree = await loadInstalledTree(dir);
  const { natives } = nativePackagesOf(tree, {
    target,
    env,
    execPath: '/nonexistent/bin/node',
    readFacts: inspectFile,
  });
  return Object.fromEntries(
    natives.map((n) => [
      n.native.pkg.name,
      resolveRuntimeBinaries(n.ctx).map((b) =>
        b.kind === 'file'
          ? { kind: b.kind, loader: b.loader, file: b.path.slice(dir.length + 1), fromPackage: b.fromPackage }
          : b.kind === 'missing'
            ? { kind: b.kind, loader: b.loader, expected: b.expected?.slice(dir.length + 1) ?? null }
            : b,
      ),
    ]),
  );
}

describe('node-gyp-build at run time', () => {
  it('build/Release, then build/Debug, then the prebuild tagged for the Node', async () => {
    const dir = writeProject(join(tmp.dir, 'ngb'), {
      packages: {
        'node_modules/built': {
          manifest: { dependencies: { 'node-gyp-build': '^4' }, gypfile: true },
          files: {
            'build/Release/built.node': ok,
            'prebuilds/linux-x64/built.napi.node': ok,
            'binding.gyp': '{}',
          },
        },
        'node_modules/debug-only': {
          manifest: { dependencies: { 'node-gyp-build': '^4' } },
          files: { 'build/Debug/d.node': ok, 'prebuilds/linux-x64/d.napi.node': ok },
        },
        'node_modules/tagged': {
          manifest: { dependencies: { 'node-gyp-build': '^4' } },
          files: {
            'prebuilds/linux-x64/t.abi115.node': ok,
            'prebuilds/linux-x64/t.abi127.node': ok,
            'prebuilds/darwin-arm64/t.napi.node': ok,
          },
        },
        'node_modules/none': {
          manifest: { dependencies: { 'node-gyp-build': '^4' } },
          files: { 'prebuilds/darwin-arm64/n.napi.node': ok },
        },
      },
    });
    const on20 = await resolved(dir, node20);
    expect(on20.built).toEqual([
      {
        kind: 'file',
        loader: 'node-gyp-build',
        file: 'node_modules/built/build/Release/built.node',
        fromPackage: null,
      },
    ]);
    expect(on20['debug-only']![0]).toMatchObject({ file: 'node_modules/debug-only/build/Debug/d.node' });
    expect(on20.tagged![0]).toMatchObject({ file: 'node_modules/tagged/prebuilds/linux-x64/t.abi115.node' });
    expect(on20.none).toEqual([{ kind: 'missing', loader: 'node-gyp-build', expected: null }]);
    const on22 = await resolved(dir, node22);
    expect(on22.tagged![0]).toMatchObject({ file: 'node_modules/tagged/prebuilds/linux-x64/t.abi127.node' });
    // PREBUILDS_ONLY skips the build folders, as node-gyp-build does
    const prebuildsOnly = await resolved(dir, node20, { PREBUILDS_ONLY: '1' });
    expect(prebuildsOnly.built![0]).toMatchObject({
      file: 'node_modules/built/prebuilds/linux-x64/built.napi.node',
    });
  });

  it("matches node-gyp-build's own path() on this machine", async () => {
    const dir = join(tmp.dir, 'ngb');
    const real = createRequire(import.meta.url)('node-gyp-build') as { path(dir: string): string };
    const host = fakeHost({
      version: process.versions.node,
      abi: process.versions.modules,
      napi: Number(process.versions.napi),
      platform: process.platform,
      arch: process.arch,
    });
    const ours = await resolved(dir, host);
    for (const name of ['built', 'debug-only', 'tagged', 'none']) {
      let theirs: string | null = null;
      try {
        theirs = real.path(join(dir, 'node_modules', name)).slice(dir.length + 1);
      } catch (err) {
        // no prebuild for this Node (`tagged` has ABI 115 and 127 only; on Node 24 it has none)
        expect((err as Error).message, name).toMatch(/^No native build was found/);
      }
      if (theirs === null) expect(ours[name]![0], name).toMatchObject({ kind: 'missing' });
      else expect(ours[name]![0], name).toMatchObject({ kind: 'file', file: theirs });
    }
  });
});

describe('bindings at run time', () => {
  it('reads the names the package passes to bindings, else binding.gyp targets', () => {
    const pkg = join(tmp.dir, 'names');
    mkdirSync(join(pkg, 'lib'), { recursive: true });
    writeFileSync(join(pkg, 'lib', 'db.js'), "addon = require('bindings')('better_sqlite3.node');\n");
    writeFileSync(
      join(pkg, 'index.js'),
      "module.exports = require('bindings')({ bindings: 'other', module_root: x })\n",
    );
    writeFileSync(join(pkg, 'binding.gyp'), "{ 'targets': [{ 'target_name': 'gyp_only' }] }");
    expect(bindingsNames(folderFiles(pkg, inspectFile), 'index.js').sort()).toEqual([
      'better_sqlite3.node',
      'other',
    ]);
    const gypOnly = join(tmp.dir, 'gyp-only');
    mkdirSync(gypOnly, { recursive: true });
    writeFileSync(
      join(gypOnly, 'binding.gyp'),
      "{ 'targets': [{ 'target_name': 'a' }, { 'target_name': 'b' }] }",
    );
    expect(bindingsNames(folderFiles(gypOnly, inspectFile), undefined)).toEqual(['a', 'b']);
  });

  it('the first existing file of the search list, for the verifying Node', async () => {
    const dir = writeProject(join(tmp.dir, 'bindings'), {
      packages: {
        'node_modules/sq': {
          manifest: { dependencies: { bindings: '^1' }, main: 'lib/index.js' },
          files: {
            'lib/index.js': "module.exports = require('bindings')('sq.node')\n",
            'build/Release/sq.node': ok,
            'lib/binding/node-v127-linux-x64/sq.node': ok,
          },
        },
        'node_modules/compiled': {
          manifest: { dependencies: { bindings: '^1' } },
          files: {
            'index.js': "module.exports = require('bindings')('c')\n",
            'lib/binding/node-v127-linux-x64/c.node': ok,
          },
        },
      },
    });
    expect((await resolved(dir, node20)).sq![0]).toMatchObject({
      file: 'node_modules/sq/build/Release/sq.node',
    });
    expect((await resolved(dir, node22)).compiled![0]).toMatchObject({
      loader: 'bindings',
      file: 'node_modules/compiled/lib/binding/node-v127-linux-x64/c.node',
    });
    expect((await resolved(dir, node20)).compiled![0]).toMatchObject({ kind: 'missing', loader: 'bindings' });
  });

  it("the search list is the real bindings package's, slot by slot", { timeout: 600_000 }, () => {
    const project = installRealProject(['bindings@1.5.0'], { label: 'bindings' });
    const bindingsJs = join(project, 'node_modules', 'bindings');
    const host = {
      version: process.versions.node,
      abi: process.versions.modules,
      platform: process.platform,
      arch: process.arch,
    };
    const list = bindingsSearchList('x', host, {});
    expect(list).toHaveLength(BINDINGS_TRY.length);
    // one module root per slot, holding the file at that slot and at every later one: bindings
    // must pick exactly the slot we say is first
    const roots = list.map((_, i) => {
      const root = join(tmp.dir, 'slots', String(i));
      mkdirSync(root, { recursive: true });
      writeFileSync(join(root, 'package.json'), '{"name":"slot","version":"1.0.0"}');
      for (const rel of list.slice(i)) {
        mkdirSync(join(root, ...rel.split('/').slice(0, -1)), { recursive: true });
        writeFileSync(join(root, ...rel.split('/')), '');
      }
      return root;
    });
    const script = `const b = require(${JSON.stringify(bindingsJs)});
      const roots = ${JSON.stringify(roots)};
      console.log(JSON.stringify(roots.map((r) => b({ bindings: 'x', module_root: r, path: true }).slice(r.length + 1))));`;
    const picked = JSON.parse(
      execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }),
    ) as string[];
    expect(picked).toEqual(list);
  });
});

describe('node-pre-gyp and platform packages at run time', () => {
  it("node-pre-gyp's module_path evaluated for the verifying Node", async () => {
    const dir = writeProject(join(tmp.dir, 'npg'), {
      packages: {
        'node_modules/npg': {
          manifest: {
            main: 'index.js',
            dependencies: { '@mapbox/node-pre-gyp': '^1' },
            scripts: { install: 'node-pre-gyp install --fallback-to-build' },
            binary: {
              module_name: 'npg',
              module_path: './lib/binding/{node_abi}-{platform}-{arch}',
              host: 'https://example.invalid',
            },
          },
          files: { 'index.js': '', 'lib/binding/node-v115-linux-x64/npg.node': ok },
        },
      },
    });
    expect((await resolved(dir, node20)).npg).toEqual([
      {
        kind: 'file',
        loader: 'node-pre-gyp',
        file: 'node_modules/npg/lib/binding/node-v115-linux-x64/npg.node',
        fromPackage: null,
      },
    ]);
    expect((await resolved(dir, node22)).npg).toEqual([
      {
        kind: 'missing',
        loader: 'node-pre-gyp',
        expected: 'node_modules/npg/lib/binding/node-v127-linux-x64/npg.node',
      },
    ]);
  });

  // @discordjs/opus 0.10.0's own binary block: its fork puts the libc version into module_path. A
  // real npm ci on Node 20.20.2 (glibc 2.36) built into prebuild/node-v115-napi-v3-linux-x64-glibc-2.36
  // (bench/truth/records/@discordjs+opus@0.10.0.json).
  it('@discordjs/node-pre-gyp: module_path with the libc version of the verifying machine', async () => {
    const opus = JSON.parse(
      readFileSync(new URL('./download/fixtures/discordjs-opus-0.10.0.json', import.meta.url), 'utf8'),
    ) as { binary: unknown; main: string; scripts: unknown; dependencies: unknown };
    const dir = writeProject(join(tmp.dir, 'opus'), {
      packages: {
        'node_modules/@discordjs/opus': {
          manifest: {
            main: opus.main,
            binary: opus.binary,
            scripts: opus.scripts,
            dependencies: opus.dependencies,
          },
          files: { 'lib/index.js': '', 'prebuild/node-v115-napi-v3-linux-x64-glibc-2.36/opus.node': ok },
        },
      },
    });
    expect((await resolved(dir, node20))['@discordjs/opus']).toEqual([
      {
        kind: 'file',
        loader: 'node-pre-gyp',
        file: 'node_modules/@discordjs/opus/prebuild/node-v115-napi-v3-linux-x64-glibc-2.36/opus.node',
        fromPackage: null,
      },
    ]);
  });

  it("a platform package's binary counts for the package that picks it", async () => {
    const dir = writeProject(join(tmp.dir, 'plat'), {
      packages: {
        'node_modules/img': {
          manifest: {
            optionalDependencies: { '@img/img-linux-x64': '1.0.0', '@img/img-darwin-arm64': '1.0.0' },
          },
          files: { 'index.js': '' },
        },
        'node_modules/@img/img-linux-x64': {
          manifest: { os: ['linux'], cpu: ['x64'] },
          files: { 'lib/img-linux-x64.node': ok },
        },
      },
    });
    expect((await resolved(dir, node20)).img).toEqual([
      {
        kind: 'file',
        loader: 'platform-package',
        file: 'node_modules/@img/img-linux-x64/lib/img-linux-x64.node',
        fromPackage: '@img/img-linux-x64@1.0.0',
      },
    ]);
  });
});
