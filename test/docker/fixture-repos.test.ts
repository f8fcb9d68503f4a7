/**
 * The fixture repositories, built in temporary folders: a project, its Dockerfile and
 * .dockerignore, and real binaries where the build context leaks them. Run through `check()` (the
 * API) and the built CLI, the way users meet it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/check/run.js';
import type { CheckOptions } from '../../src/check/run.js';
import type { CheckReport } from '../../src/model/reports.js';
import type { Finding } from '../../src/model/findings.js';
import { describe as words } from '../../src/report/messages.js';
import { main } from '../../src/cli.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const LEGACY_ABI = join(REPO, 'fixtures/addons/bin/legacy-abi.node'); // NODE_MODULE_VERSION 115
const DEASYNC_57 = join(REPO, 'fixtures/binaries/deasync-0.1.30-linux-x64-node-8.node'); // 57
const ARM64 = join(REPO, 'fixtures/addons/bin/arm64.node');
const NESTED = 'skills/db/node_modules/better-sqlite3/build/Release/better_sqlite3.node';
const TODAY = '2026-11-25';

const tmp = mkdtempSync(join(tmpdir(), 'ng-docker-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let repoCount = 0;
function repo(files: Record<string, string | { copy: string }>): string {
  const root = join(tmp, `repo-${++repoCount}`);
  const all: Record<string, string | { copy: string }> = {
    'package.json': '{ "name": "app", "version": "1.0.0" }\n',
    ...files,
  };
  for (const [rel, content] of Object.entries(all)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    if (typeof content === 'string') writeFileSync(join(root, rel), content);
    else copyFileSync(content.copy, join(root, rel));
  }
  return root;
}

const run = (cwd: string, options: Partial<CheckOptions> = {}) =>
  check({ cwd, targets: ['host'], today: TODAY, ...options });

const codes = (report: CheckReport) => report.findings.map((f) => f.code);
const only = <C extends Finding['code']>(report: CheckReport, code: C) =>
  report.findings.filter((f): f is Extract<Finding, { code: C }> => f.code === code);

async function cli(cwd: string, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const exitCode = await main(
    args,
    { isTTY: false, env: { ...process.env, NO_COLOR: '1', NATIVE_GUARD_TODAY: TODAY }, cwd },
    { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) },
  );
  return { stdout, stderr, exitCode };
}

const SLIM_COPY_ALL =
  'FROM node:22-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\nCMD ["node", "index.js"]\n';

// A real addon compiled here for NODE_MODULE_VERSION 137 (Node 24's), as `npm install` on a host
// with Node 24 would leave it: Node's own headers, with the embedder knob that sets the ABI number.
const gxx = spawnSync('g++', ['--version']).status === 0;
let compiled137 = '';
beforeAll(() => {
  if (!gxx) return;
  compiled137 = join(tmp, 'abi137.node');
  execFileSync('g++', [
    '-shared',
    '-fPIC',
    '-O2',
    '-I/usr/include/node',
    '-DNODE_EMBEDDER_MODULE_VERSION=137',
    '-DNODE_GYP_MODULE_NAME=better_sqlite3',
    '-o',
    compiled137,
    join(REPO, 'fixtures/addons/src/abi-init.cc'),
  ]);
}, 120_000);

describe('the leak: `COPY . .` with a .dockerignore that says `node_modules`', () => {
  it.skipIf(!gxx)(
    'a nested addon compiled for another ABI is an error, with the numbers and the line to add (needs g++)',
    async () => {
      const root = repo({
        Dockerfile: SLIM_COPY_ALL,
        '.dockerignore': 'node_modules\n',
        [NESTED]: { copy: compiled137 },
        'skills/db/node_modules/better-sqlite3/package.json':
          '{ "name": "better-sqlite3", "version": "12.4.1" }',
      });
      const report = await run(root, { dockerfile: 'Dockerfile' });
      const [stray] = only(report, 'STRAY_BINARY_IN_CONTEXT');
      expect(stray).toMatchObject({
        severity: 'error',
        target: 'node:22-slim',
        evidence: {
          file: NESTED,
          imagePath: `/app/${NESTED}`,
          via: { dockerfile: 'Dockerfile', line: 5, text: 'COPY . .' },
          mismatches: [{ code: 'ABI_MISMATCH', binaryAbi: '137', targetAbi: '127' }],
          add: '**/node_modules',
        },
      });
      expect(words(stray!).message).toContain(
        `${NESTED} is built for NODE_MODULE_VERSION 137; node:22-slim needs 127`,
      );
      expect(words(stray!).fix).toContain('`**/node_modules`');
      const nested = only(report, 'DOCKERIGNORE_MISSES_NESTED_NODE_MODULES');
      expect(nested).toHaveLength(1);
      expect(nested[0]!.evidence).toMatchObject({ folder: 'skills/db/node_modules', files: 2, binaries: 1 });
    },
  );

  it('committed real binaries (ABI 115, ABI 57) leak the same way, one finding per nested node_modules', async () => {
    const root = repo({
      Dockerfile: SLIM_COPY_ALL,
      '.dockerignore': 'node_modules\n',
      'node_modules/ignored/ignored.node': { copy: LEGACY_ABI },
      [NESTED]: { copy: LEGACY_ABI },
      'skills/db/node_modules/deasync/bin/linux-x64-node-8/deasync.node': { copy: DEASYNC_57 },
      'skills/mail/node_modules/x/x.node': { copy: LEGACY_ABI },
    });
    const report = await run(root, { dockerfile: 'Dockerfile' });
    const stray = only(report, 'STRAY_BINARY_IN_CONTEXT');
    expect(stray.map((f) => [f.evidence.file, f.evidence.mismatches])).toEqual([
      [
        'skills/db/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
        [{ code: 'ABI_MISMATCH', binaryAbi: '115', targetAbi: '127' }],
      ],
      [
        'skills/db/node_modules/deasync/bin/linux-x64-node-8/deasync.node',
        [{ code: 'ABI_MISMATCH', binaryAbi: '57', targetAbi: '127' }],
      ],
      ['skills/mail/node_modules/x/x.node', [{ code: 'ABI_MISMATCH', binaryAbi: '115', targetAbi: '127' }]],
    ]);
    expect(only(report, 'DOCKERIGNORE_MISSES_NESTED_NODE_MODULES').map((f) => f.evidence.folder)).toEqual([
      'skills/db/node_modules',
      'skills/mail/node_modules',
    ]);
    // the root node_modules is excluded, so it is neither sent nor reported
    expect(codes(report)).not.toContain('DOCKERIGNORE_MISSES_NODE_MODULES');
  });

  it('the same repository with `**/node_modules` has no finding', async () => {
    const root = repo({
      Dockerfile: SLIM_COPY_ALL,
      '.dockerignore': '**/node_modules\n',
      [NESTED]: { copy: LEGACY_ABI },
    });
    const report = await run(root, { dockerfile: 'Dockerfile' });
    expect(report.findings).toEqual([]);
    expect(report.docker?.scan).toMatchObject({ nodeModules: [], binaries: [] });
  });

  it('without any .dockerignore, the host node_modules copied after npm ci is reported too', async () => {
    const root = repo({ Dockerfile: SLIM_COPY_ALL, 'node_modules/x/x.node': { copy: LEGACY_ABI } });
    const report = await run(root, { dockerfile: 'Dockerfile' });
    expect(only(report, 'DOCKERIGNORE_MISSES_NODE_MODULES')[0]?.evidence).toMatchObject({
      folder: 'node_modules',
      imagePath: '/app/node_modules',
      dockerignore: null,
    });
    expect(only(report, 'STRAY_BINARY_IN_CONTEXT')[0]?.evidence.file).toBe('node_modules/x/x.node');
  });

  it('a loose .node outside node_modules asks for `**/*.node`; one built for arm64 fails on x64', async () => {
    const root = repo({
      Dockerfile: SLIM_COPY_ALL,
      '.dockerignore': '**/node_modules\n',
      'build/Release/addon.node': { copy: ARM64 },
    });
    const [stray] = only(await run(root, { dockerfile: 'Dockerfile' }), 'STRAY_BINARY_IN_CONTEXT');
    expect(stray?.evidence).toMatchObject({
      add: '**/*.node',
      mismatches: [{ code: 'ARCH_MISMATCH', binaryArches: ['arm64'], targetArch: 'x64' }],
    });
  });

  it('BuildKit reads <Dockerfile>.dockerignore before the context one', async () => {
    const root = repo({
      'docker/app.Dockerfile': SLIM_COPY_ALL,
      'docker/app.Dockerfile.dockerignore': '**/node_modules\n',
      '.dockerignore': 'node_modules\n',
      [NESTED]: { copy: LEGACY_ABI },
    });
    const report = await run(root, { dockerfile: 'docker/app.Dockerfile' });
    expect(report.docker?.dockerignore).toBe('docker/app.Dockerfile.dockerignore');
    expect(report.findings).toEqual([]);
  });
});

describe('toolchain in the image: an alpine final stage and a source-build-only dependency', () => {
  const gypOnly = {
    'node_modules/gyp-only/package.json': '{ "name": "gyp-only", "version": "0.1.0" }',
    'node_modules/gyp-only/binding.gyp':
      "{ 'targets': [{ 'target_name': 'gyp_only', 'sources': ['a.cc'] }] }",
    '.dockerignore': '**/node_modules\n',
  };
  const prediction = (report: CheckReport, target: string) =>
    report.packages.find((p) => p.name === 'gyp-only')?.predictions.find((p) => p.target === target);

  it('fails with TOOLCHAIN_MISSING', async () => {
    const root = repo({
      ...gypOnly,
      Dockerfile: 'FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci\n',
    });
    const report = await run(root, { dockerfile: 'Dockerfile' });
    expect(report.targets.map((t) => t.id)).toEqual(['host', 'node:22-alpine']);
    expect(prediction(report, 'node:22-alpine')?.outcome).toBe('fails');
    expect(only(report, 'TOOLCHAIN_MISSING')[0]).toMatchObject({
      target: 'node:22-alpine',
      severity: 'error',
    });
  });

  it('is a source build with `RUN apk add --no-cache python3 make g++`', async () => {
    const root = repo({
      ...gypOnly,
      Dockerfile:
        'FROM node:22-alpine\nRUN apk add --no-cache python3 make g++\nWORKDIR /app\nCOPY . .\nRUN npm ci\n',
    });
    const report = await run(root, { dockerfile: 'Dockerfile' });
    expect(prediction(report, 'node:22-alpine')?.outcome).toBe('source-build');
    expect(codes(report)).not.toContain('TOOLCHAIN_MISSING');
    expect(report.targets[1]?.toolchain).toEqual({ python: true, make: true, cxx: true, known: true });
  });

  const multiStage = (final: string) =>
    [
      'FROM node:22 AS build',
      'WORKDIR /app',
      'COPY package*.json ./',
      'RUN npm ci',
      `FROM ${final}`,
      'WORKDIR /app',
      'COPY --from=build /app/node_modules ./node_modules',
      'COPY . .',
    ].join('\n');

  it('multi-stage: compiled in a full node:22 stage, copied into node:22-slim: fine', async () => {
    const report = await run(repo({ ...gypOnly, Dockerfile: multiStage('node:22-slim') }), {
      dockerfile: 'Dockerfile',
    });
    expect(report.targets.map((t) => t.id)).toEqual(['host', 'node:22']);
    expect(prediction(report, 'node:22')?.outcome).toBe('source-build');
    expect(codes(report)).not.toContain('DOCKER_STAGE_MISMATCH');
    expect(codes(report)).not.toContain('TOOLCHAIN_MISSING');
    expect(report.docker?.install).toMatchObject({ stage: 'build', copiedAt: 7, target: 'node:22' });
  });

  it('multi-stage into node:22-alpine: glibc binaries in a musl image', async () => {
    const report = await run(repo({ ...gypOnly, Dockerfile: multiStage('node:22-alpine') }), {
      dockerfile: 'Dockerfile',
    });
    const [mismatch] = only(report, 'DOCKER_STAGE_MISMATCH');
    // the binary is compiled in the build stage, so its symbols can't be read: likely, not certain
    expect(mismatch).toMatchObject({
      severity: 'warning',
      package: 'gyp-only@0.1.0',
      target: 'node:22-alpine',
      evidence: {
        installStage: 'build',
        installTarget: 'node:22',
        outcome: 'source-build',
        mismatches: [{ code: 'LIBC_MISMATCH', binaryLibc: 'glibc', targetLibc: 'musl' }],
        via: { line: 7 },
      },
    });
    expect(words(mismatch!).message).toContain('is linked against glibc; node:22-alpine uses musl');
  });

  it('multi-stage into node:22-alpine: a shipped glibc binary that needs the glibc loader is certain to fail', async () => {
    const shipped = {
      'node_modules/glibc-bound/package.json':
        '{ "name": "glibc-bound", "version": "1.0.0", "main": "bound.node" }',
      'node_modules/glibc-bound/bound.node': {
        copy: fileURLToPath(new URL('../../fixtures/addons/bin/glibc-tls.node', import.meta.url)),
      },
      '.dockerignore': '**/node_modules\n',
    };
    const report = await run(repo({ ...shipped, Dockerfile: multiStage('node:22-alpine') }), {
      dockerfile: 'Dockerfile',
    });
    const [mismatch] = only(report, 'DOCKER_STAGE_MISMATCH');
    expect(mismatch).toMatchObject({
      severity: 'error',
      package: 'glibc-bound@1.0.0',
      evidence: {
        outcome: 'prebuilt',
        mismatches: [{ code: 'LIBC_MISMATCH', missingLibraries: ['ld-linux-x86-64.so.2'] }],
      },
    });
    // the same copy into a glibc image is fine
    const slim = await run(repo({ ...shipped, Dockerfile: multiStage('node:22-slim') }), {
      dockerfile: 'Dockerfile',
    });
    expect(only(slim, 'DOCKER_STAGE_MISMATCH')).toEqual([]);
  });

  it('multi-stage into node:22-alpine: a pkg-prebuilds prebuild is picked again when it loads (a warning)', async () => {
    const hid = {
      'node_modules/hid/package.json': JSON.stringify({
        name: 'hid',
        version: '1.0.0',
        dependencies: { 'pkg-prebuilds': '^1.1.0' },
        scripts: { install: 'pkg-prebuilds-verify ./binding-options.js || node-gyp rebuild' },
      }),
      'node_modules/hid/binding-options.js': "module.exports = { name: 'hid', napi_versions: [4] }\n",
      'node_modules/hid/prebuilds/hid-linux-x64/node-napi-v4.node': {
        copy: fileURLToPath(new URL('../../fixtures/addons/bin/glibc-tls.node', import.meta.url)),
      },
      '.dockerignore': '**/node_modules\n',
    };
    const report = await run(repo({ ...hid, Dockerfile: multiStage('node:22-alpine') }), {
      dockerfile: 'Dockerfile',
    });
    const [mismatch] = only(report, 'DOCKER_STAGE_MISMATCH');
    expect(mismatch).toMatchObject({
      severity: 'warning',
      package: 'hid@1.0.0',
      evidence: {
        outcome: 'prebuilt',
        binary: 'prebuilds/hid-linux-x64/node-napi-v4.node',
        repickedAtLoad: true,
      },
    });
    expect(words(mismatch!).message).toContain('pkg-prebuilds) picks again when it loads');
  });

  it('a build stage on $BUILDPLATFORM copied into an arm64 image is an arch problem', async () => {
    const text = multiStage('node:22-slim').replace(
      'FROM node:22 AS build',
      'FROM --platform=$BUILDPLATFORM node:22 AS build',
    );
    const report = await run(repo({ ...gypOnly, Dockerfile: text }), {
      dockerfile: 'Dockerfile',
      arch: 'arm64',
    });
    expect(only(report, 'DOCKER_STAGE_MISMATCH')[0]?.evidence.mismatches).toEqual([
      { code: 'ARCH_MISMATCH', binaryArches: ['x64'], targetArch: 'arm64' },
    ]);
  });
});

describe('image targets from FROM lines', () => {
  it('ARG NODE_VERSION=22 with FROM node:${NODE_VERSION}-alpine, and --build-arg', async () => {
    const text = 'ARG NODE_VERSION=22\nFROM node:${NODE_VERSION}-alpine\nRUN npm ci\n';
    const root = repo({ Dockerfile: text });
    expect((await run(root, { dockerfile: 'Dockerfile' })).targets[1]).toMatchObject({
      id: 'node:22-alpine',
      abi: '127',
      libc: 'musl',
    });
    const report = await run(root, { dockerfile: 'Dockerfile', buildArgs: { NODE_VERSION: '24' } });
    expect(report.targets[1]).toMatchObject({ id: 'node:24-alpine', abi: '137' });
  });

  it('FROM --platform=linux/arm64 node:22-slim is an arm64 target, and an x64 binary in the context fails there', async () => {
    const root = repo({
      Dockerfile: 'FROM --platform=linux/arm64 node:22-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\n',
      'skills/x/node_modules/x/x.node': { copy: LEGACY_ABI },
    });
    const report = await run(root, { dockerfile: 'Dockerfile' });
    expect(report.targets[1]).toMatchObject({ id: 'node:22-slim (linux/arm64)', arch: 'arm64' });
    expect(only(report, 'STRAY_BINARY_IN_CONTEXT')[0]?.evidence.mismatches).toEqual([
      { code: 'ARCH_MISMATCH', binaryArches: ['x64'], targetArch: 'arm64' },
    ]);
  });

  it('a base image that is not the node image gets a hint, and no guessed target', async () => {
    const root = repo({ Dockerfile: 'FROM mycorp/node-base:22\nRUN npm ci\n' });
    const report = await run(root, { dockerfile: 'Dockerfile' });
    expect(report.targets.map((t) => t.id)).toEqual(['host']);
    const [unknown] = only(report, 'DOCKER_BASE_IMAGE_UNKNOWN');
    expect(unknown?.evidence).toMatchObject({
      image: 'mycorp/node-base:22',
      reason: 'not-node-image',
      hint: '--target node22-linux-x64-glibc',
    });
    expect(words(unknown!).fix).toContain('native-guard check --target node22-linux-x64-glibc');
  });
});

describe('check finds ./Dockerfile by itself', () => {
  const files = {
    Dockerfile: SLIM_COPY_ALL,
    '.dockerignore': 'node_modules\n',
    [NESTED]: { copy: LEGACY_ABI },
  };

  it('runs the leak check without adding the image as a target, and says so', async () => {
    const root = repo(files);
    const report = await run(root);
    expect(report.targets.map((t) => t.id)).toEqual(['host']);
    expect(codes(report)).toContain('STRAY_BINARY_IN_CONTEXT');
    expect(report.docker?.explicit).toBe(false);
    const { stdout } = await cli(root, 'check', '--target', 'host');
    expect(stdout).toContain('found in the project: build-context check only');
  });

  it('--no-dockerfile skips it', async () => {
    const report = await run(repo(files), { dockerfile: false });
    expect(report.docker).toBeUndefined();
    expect(report.findings).toEqual([]);
  });

  it('nativeGuard.ignore silences the codes like any other', async () => {
    const root = repo({
      ...files,
      'package.json':
        '{ "name": "app", "version": "1.0.0", "nativeGuard": { "ignore": ["STRAY_BINARY_IN_CONTEXT"] } }',
    });
    const report = await run(root);
    expect(codes(report)).toEqual(['DOCKERIGNORE_MISSES_NESTED_NODE_MODULES']);
    expect(report.ignored).toBe(1);
  });
});

describe('the CLI', () => {
  it('`native-guard docker` prints the analysis and exits 1 on the leak', async () => {
    const root = repo({
      Dockerfile: SLIM_COPY_ALL,
      '.dockerignore': 'node_modules\n',
      [NESTED]: { copy: LEGACY_ABI },
    });
    const { stdout, exitCode } = await cli(root, 'docker');
    expect(exitCode).toBe(1);
    expect(stdout).toContain('image   node:22-slim: node 22.');
    expect(stdout).toContain('STRAY_BINARY_IN_CONTEXT');
    const json = JSON.parse((await cli(root, 'docker', '--json')).stdout) as {
      findings: Array<{ code: string }>;
    };
    expect(json.findings.map((f) => f.code)).toEqual([
      'STRAY_BINARY_IN_CONTEXT',
      'DOCKERIGNORE_MISSES_NESTED_NODE_MODULES',
    ]);
  });

  it('`check --dockerfile` without a path means ./Dockerfile', async () => {
    const root = repo({ Dockerfile: 'FROM node:22-alpine\nRUN npm ci\n' });
    const { stdout, exitCode } = await cli(root, 'check', '--dockerfile', '--json');
    expect(exitCode).toBe(0);
    expect((JSON.parse(stdout) as { targets: Array<{ id: string }> }).targets.map((t) => t.id)).toContain(
      'node:22-alpine',
    );
  });

  it.each([
    ['', 'DOCKERFILE_PROBLEM'],
    ['# nothing but a comment\n', 'DOCKERFILE_PROBLEM'],
    ['RUN npm ci\n', 'DOCKERFILE_PROBLEM'],
    ['FROM node:22 \\\n  AS \\\n\n', 'DOCKERFILE_PROBLEM'],
    ['FROM node:22\nRUN <<EOF\napk add python3\n', null],
    ['\u0000\u0001\u0002garbage\\\\\\\n', 'DOCKERFILE_PROBLEM'],
  ])('a broken Dockerfile %j is a finding, never a crash', async (text, code) => {
    const root = repo({ Dockerfile: text });
    const { stdout, stderr, exitCode } = await cli(root, 'docker', '--json');
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    const findings = (JSON.parse(stdout) as { findings: Array<{ code: string }> }).findings.map(
      (f) => f.code,
    );
    if (code) expect(findings).toContain(code);
  });

  it.each([
    [['check', '--dockerfile', 'nope/Dockerfile'], /^native-guard: no Dockerfile at .*nope\/Dockerfile\n$/],
    [
      ['docker', '--docker-target', 'nope'],
      /^native-guard: --docker-target nope: no such stage \(stages: 0\)\n$/,
    ],
    [['docker', '--build-arg', '1=x'], /^native-guard: --build-arg "1=x": expected NAME=value\n$/],
  ])('%j is a one-line error with exit 2', async (args, message) => {
    const root = repo({ Dockerfile: 'FROM node:22\n' });
    const { stderr, exitCode } = await cli(root, ...args);
    expect(exitCode).toBe(2);
    expect(stderr).toMatch(message);
  });
});
