import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/findings.js';
import { describe as words } from '../../src/report/messages.js';
import { verify } from '../../src/verify/run.js';
import type { VerifyReport } from '../../src/model/reports.js';
import { addon, binary } from '../binary/paths.js';
import { copyRealPackage, tempDir, writeProject } from '../helpers/fixture-project.js';

/**
 * verify() end to end on projects built from the fixture addons, loading them for real with the
 * Node running the tests. The addons are linux-x64 glibc builds.
 */
const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
const runnable =
  process.platform === 'linux' && process.arch === 'x64' && !!report?.header?.glibcVersionRuntime;
if (!runnable)
  console.warn(
    `verify fixture-project tests skipped: the fixture addons are linux-x64 glibc builds; this is ${process.platform}-${process.arch}${report?.header?.glibcVersionRuntime ? '' : ' without glibc'}`,
  );
/** Node 20 has Node-API 9 and crashes on the napi-v10 fixture; Node 22.14 and later load it. */
const NAPI = Number(process.versions.napi);

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('ng-verify-');
});
afterAll(() => tmp.cleanup());

/** A package that ships one binary as its main: what it is, is what loads. */
const shipped = (file: string) => ({
  manifest: { main: 'addon.node' },
  files: { 'addon.node': { copy: file } },
});

const row = (r: VerifyReport, pkg: string) => r.binaries.find((b) => b.package?.startsWith(`${pkg}@`));
const finding = (r: VerifyReport, pkg: string): Finding | undefined =>
  r.findings.find((f) => f.package?.startsWith(`${pkg}@`));

describe.skipIf(!runnable)('verify on fixture projects (linux-x64 glibc)', () => {
  it('gives each misbehaving addon its own code, and every other addon in the run loads', async () => {
    const good = Object.fromEntries(
      Array.from({ length: 8 }, (_, i) => [`node_modules/good-${i}`, shipped(addon('napi-ok'))]),
    );
    const dir = writeProject(join(tmp.dir, 'misbehaving'), {
      packages: {
        ...good,
        'node_modules/segv': shipped(addon('crash-segv')),
        'node_modules/abort': shipped(addon('crash-abort')),
        'node_modules/hang': shipped(addon('hang')),
        'node_modules/exits': shipped(addon('exit-in-init')),
        'node_modules/throws': shipped(addon('throw-in-init')),
        'node_modules/truncated': shipped(addon('truncated')),
        'node_modules/aarch64': shipped(addon('arm64')),
        'node_modules/newer-napi': shipped(addon('napi-v10')),
      },
    });
    const r = await verify({ cwd: dir, timeoutMs: 1500, jobs: 2 });
    for (let i = 0; i < 8; i++) expect(row(r, `good-${i}`), `good-${i}`).toMatchObject({ loaded: true });
    expect(row(r, 'good-0')).toMatchObject({
      file: 'node_modules/good-0/addon.node',
      resolvedBy: 'shipped-binary',
      project: '',
    });
    expect(row(r, 'segv')).toMatchObject({ loaded: false, code: 'LOAD_CRASHED' });
    expect(finding(r, 'segv')?.evidence).toMatchObject({ signal: 'SIGSEGV', exitCode: null, source: 'load' });
    expect(finding(r, 'abort')?.evidence).toMatchObject({ signal: 'SIGABRT' });
    expect(finding(r, 'exits')).toMatchObject({
      code: 'LOAD_CRASHED',
      evidence: { signal: null, exitCode: 3, exitCalled: false },
    });
    expect(finding(r, 'hang')).toMatchObject({ code: 'LOAD_TIMEOUT', evidence: { timeoutMs: 1500 } });
    expect(finding(r, 'throws')).toMatchObject({
      code: 'LOAD_FAILED',
      evidence: {
        errorCode: 'E_FIXTURE_INIT',
        message: "thrown from the addon's init function",
        entryPoint: false,
      },
    });
    expect(finding(r, 'truncated')).toMatchObject({
      code: 'INVALID_BINARY',
      evidence: { notes: expect.arrayContaining([{ code: 'OUTSIDE_FILE', part: 'section-headers' }]) },
    });
    expect(finding(r, 'aarch64')).toMatchObject({
      code: 'ARCH_MISMATCH',
      evidence: { binaryArches: ['arm64'], targetArch: 'x64', errorCode: 'ERR_DLOPEN_FAILED' },
    });
    if (NAPI < 10) {
      // Node 20 (Node-API 9) crashes on a Node-API 10 addon; the facts say why
      expect(finding(r, 'newer-napi')).toMatchObject({
        code: 'NAPI_VERSION_TOO_HIGH',
        evidence: { declared: 10, available: NAPI },
      });
    } else {
      expect(row(r, 'newer-napi')).toMatchObject({ loaded: true });
      expect(finding(r, 'newer-napi')).toBeUndefined();
    }
    expect(r.findings.every((f) => f.severity === 'error')).toBe(true);
    expect(r.findings).toHaveLength(NAPI < 10 ? 8 : 7);
    expect(r.node).toMatchObject({
      version: process.versions.node,
      abi: process.versions.modules,
      napi: NAPI,
      arch: 'x64',
      libc: 'glibc',
    });
  });

  it('a package that catches a failed binary and runs JavaScript is a warning; one that does not is an error', async () => {
    const dir = writeProject(join(tmp.dir, 'fallback'), {
      packages: {
        // bufferutil's own entry point, with an Alpine build where the linux-x64 one should be
        'node_modules/fb-musl': {
          manifest: { dependencies: { 'node-gyp-build': '^4' } },
          files: {
            'index.js':
              "try { module.exports = require('node-gyp-build')(__dirname) } catch (e) { module.exports = require('./fallback') }\n",
            'fallback.js': 'module.exports = { js: true }\n',
            'prebuilds/linux-x64/fb.node': { copy: addon('musl') },
          },
        },
        // the same with no binary at all: node-gyp-build throws "No native build was found"
        'node_modules/fb-none': {
          manifest: { dependencies: { 'node-gyp-build': '^4' } },
          files: {
            'index.js':
              "try { module.exports = require('node-gyp-build')(__dirname) } catch (e) { module.exports = require('./fallback') }\n",
            'fallback.js': 'module.exports = { js: true }\n',
            'prebuilds/darwin-arm64/fb.node': { copy: binary('bufferutil-4.1.0-darwin-arm64') },
          },
        },
        'node_modules/no-fallback': {
          manifest: { dependencies: { 'node-gyp-build': '^4' } },
          files: {
            'index.js': "module.exports = require('node-gyp-build')(__dirname)\n",
            'prebuilds/darwin-arm64/x.node': { copy: binary('bufferutil-4.1.0-darwin-arm64') },
          },
        },
        // loads its binary on first use: the entry point loads, the first call will throw
        'node_modules/lazy': {
          manifest: { dependencies: { 'node-gyp-build': '^4' } },
          files: { 'index.js': "exports.open = () => require('node-gyp-build')(__dirname)\n" },
        },
      },
    });
    copyRealPackage('node-gyp-build', join(dir, 'node_modules'));
    const r = await verify({ cwd: dir, jobs: 2 });
    expect(finding(r, 'fb-musl')).toMatchObject({
      code: 'JS_FALLBACK_IN_USE',
      severity: 'warning',
      evidence: {
        file: 'node_modules/fb-musl/prebuilds/linux-x64/fb.node',
        failure: { code: 'LIBC_MISMATCH', library: 'libc.musl-x86_64.so.1' },
      },
    });
    expect(row(r, 'fb-musl')).toMatchObject({ loaded: false, code: 'JS_FALLBACK_IN_USE' });
    expect(finding(r, 'fb-none')).toMatchObject({
      code: 'JS_FALLBACK_IN_USE',
      evidence: {
        file: null,
        failure: { code: 'BINARY_MISSING' },
        message: expect.stringContaining('No native build was found'),
      },
    });
    expect(finding(r, 'no-fallback')).toMatchObject({
      code: 'BINARY_MISSING',
      severity: 'error',
      evidence: {
        resolvedBy: 'node-gyp-build',
        message: expect.stringContaining('No native build was found for platform=linux arch=x64'),
        tried: expect.arrayContaining(['node_modules/no-fallback/build/Release']),
        prebuilds: ['darwin-arm64'],
      },
    });
    expect(finding(r, 'lazy')).toMatchObject({ code: 'BINARY_MISSING', evidence: { lazy: true } });
    expect(words(finding(r, 'no-fallback')!)).toMatchObject({
      message: expect.stringContaining('this version ships prebuilds only for darwin-arm64'),
      fix: expect.stringContaining('npm rebuild no-fallback'),
    });
  });

  it('reports stray binaries no package loads, but not bundled prebuilds or what a package resolves', async () => {
    const dir = writeProject(join(tmp.dir, 'strays'), {
      files: {
        // the app's own leftover from a local build
        'build/Release/leftover.node': { copy: addon('musl') },
      },
      packages: {
        'node_modules/foo': {
          manifest: { dependencies: { 'node-gyp-build': '^4' } },
          files: {
            'prebuilds/linux-x64/foo.napi.node': { copy: addon('napi-ok') },
            'prebuilds/darwin-arm64/foo.napi.node': { copy: binary('bufferutil-4.1.0-darwin-arm64') },
            'bin/linux-x64-node-8/foo.node': { copy: binary('deasync-0.1.30-linux-x64-node-8') },
            'lib/old.node': { copy: binary('deasync-0.1.30-linux-x64-node-8') },
          },
        },
      },
    });
    const r = await verify({ cwd: dir });
    expect(row(r, 'foo')).toMatchObject({
      file: 'node_modules/foo/prebuilds/linux-x64/foo.napi.node',
      loaded: true,
    });
    const strays = r.findings.filter((f) => f.code === 'STRAY_BINARY');
    expect(strays.map((f) => (f.evidence as { file: string }).file).sort()).toEqual([
      'build/Release/leftover.node',
      'node_modules/foo/lib/old.node',
    ]);
    expect(strays.find((f) => f.package === 'foo@1.0.0')).toMatchObject({
      severity: 'warning',
      evidence: {
        loaded: false,
        failure: { code: 'ABI_MISMATCH', binaryAbi: '57', targetAbi: process.versions.modules },
        mismatches: [{ code: 'ABI_MISMATCH', binaryAbi: '57', targetAbi: process.versions.modules }],
      },
    });
    expect(strays.find((f) => f.package === 'fixture-app@1.0.0')?.evidence).toMatchObject({
      failure: { code: 'LIBC_MISMATCH' },
    });
    // warnings only: nothing the app loads failed
    expect(r.findings.some((f) => f.severity === 'error')).toBe(false);
  });

  it('finds a nested project whose node_modules holds a binary for another ABI (the leak into images)', async () => {
    const dir = writeProject(join(tmp.dir, 'leak'), {
      packages: {
        'node_modules/ok': shipped(addon('napi-ok')),
        'skills/db': { manifest: { dependencies: { dbdriver: '1.0.0' } } },
        // built on a laptop with Node 8 and copied along with the skill
        'skills/db/node_modules/dbdriver': {
          manifest: { gypfile: true, main: 'index.js' },
          files: {
            'binding.gyp': "{ 'targets': [{ 'target_name': 'db' }] }",
            'index.js': "module.exports = require('./build/Release/db.node')\n",
            'build/Release/db.node': { copy: binary('deasync-0.1.30-linux-x64-node-8') },
          },
        },
      },
    });
    const r = await verify({ cwd: dir });
    expect(r.projects).toEqual(['', 'skills/db']);
    expect(row(r, 'dbdriver')).toMatchObject({
      project: 'skills/db',
      location: 'skills/db/node_modules/dbdriver',
      file: 'skills/db/node_modules/dbdriver/build/Release/db.node',
      loaded: false,
      code: 'ABI_MISMATCH',
    });
    const f = finding(r, 'dbdriver')!;
    expect(f).toMatchObject({
      evidence: { binaryAbi: '57', targetAbi: process.versions.modules, project: 'skills/db' },
    });
    const fix = words(f).fix;
    expect(fix).toContain('npm rebuild dbdriver --prefix skills/db');
    expect(fix).toContain('`**/node_modules` to .dockerignore');
    expect(row(r, 'ok')).toMatchObject({ loaded: true });
  });
});

describe.skipIf(!runnable)('verify on the committed mixed fixture tree', () => {
  it('loads what each convention resolves to, and says which packages have no binary where they look', async () => {
    const r = await verify({ cwd: fileURLToPath(new URL('../../fixtures/trees/mixed', import.meta.url)) });
    const byPackage = Object.fromEntries(
      r.binaries.map((b) => [b.package, [b.resolvedBy, b.loaded, b.code ?? null]]),
    );
    expect(byPackage).toMatchObject({
      'ngb-tagged@1.0.0': ['node-gyp-build', true, null],
      'plat-parent@1.0.0': ['platform-package', true, null],
      'npg-addon@5.1.1': ['node-pre-gyp', false, 'BINARY_MISSING'],
      'pbi-addon@2.3.4': ['bindings', false, 'BINARY_MISSING'],
      'runtime-only@1.0.0': ['node-gyp-build', false, 'BINARY_MISSING'],
      'gyp-only@0.1.0': ['build-output', false, 'BINARY_MISSING'],
    });
    expect(r.findings.find((f) => f.package === 'runtime-only@1.0.0')?.evidence).toMatchObject({
      prebuilds: ['darwin-x64'],
    });
  });
});
