import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCommand } from '../../src/commands/verify.js';
import type { CommandIo } from '../../src/commands/types.js';
import { addon } from '../binary/paths.js';
import { tempDir, writeProject } from '../helpers/fixture-project.js';
import { CLI } from '../helpers/build.js';
import { rejectedWords } from '../helpers/error-words.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
const runnable =
  process.platform === 'linux' && process.arch === 'x64' && !!report?.header?.glibcVersionRuntime;
if (!runnable)
  console.warn(
    `verify command output tests skipped: the fixture addons are linux-x64 glibc builds; this is ${process.platform}-${process.arch}${report?.header?.glibcVersionRuntime ? '' : ' without glibc'}`,
  );

let tmp: ReturnType<typeof tempDir>;
let project: string;
beforeAll(() => {
  tmp = tempDir('ng-verify-cli-');
  project = writeProject(join(tmp.dir, 'app'), {
    root: { name: 'my-app' },
    files: { 'build/Release/leftover.node': { copy: addon('musl') } },
    packages: {
      'node_modules/fast': {
        manifest: { main: 'addon.node' },
        files: { 'addon.node': { copy: addon('napi-ok') } },
      },
      'node_modules/alpine-build': {
        manifest: { main: 'addon.node' },
        files: { 'addon.node': { copy: addon('musl') } },
      },
    },
  });
});
afterAll(() => tmp.cleanup());

const io = (cwd: string, env: Record<string, string | undefined> = {}): CommandIo => ({
  isTTY: false,
  env: { ...process.env, NO_COLOR: '1', ...env },
  cwd,
});

/** Paths and versions that differ per machine and run, replaced for stable text. */
const redact = (text: string) =>
  text
    .replaceAll(project, '<root>')
    .replaceAll(process.execPath, '<node>')
    .replaceAll(process.versions.node, '<version>')
    // only the running Node's own ABI becomes <abi>: a wrong number stays and fails the snapshot
    .replace(`(abi ${process.versions.modules}, napi `, '(abi <abi>, napi ')
    .replace(/napi \d+, linux x64 glibc [\d.]+/, 'napi <napi>, linux x64 glibc <glibc>');

describe('native-guard verify: usage', () => {
  it('prints its help', async () => {
    const r = await verifyCommand.run(['--help'], io(tmp.dir));
    expect(r.exitCode).toBe(0);
    for (const flag of ['--node <path>', '--timeout <ms>', '--jobs <n>', '--no-nested', '--json']) {
      expect(r.stdout).toContain(flag);
    }
  });

  it('rejects bad arguments with one-line usage errors', async () => {
    await expect(verifyCommand.run(['extra'], io(tmp.dir))).rejects.toMatchObject({ code: 'EUSAGE' });
    await expect(verifyCommand.run(['--jobs', '0'], io(tmp.dir))).rejects.toMatchObject({
      code: 'EUSAGE',
      message: '--jobs takes a positive integer (got "0")',
    });
    await expect(verifyCommand.run(['--timeout', 'soon'], io(tmp.dir))).rejects.toMatchObject({
      code: 'EUSAGE',
    });
  });

  it('says so when --node is not a Node binary', async () => {
    const nope = verifyCommand.run(['--node', 'nope/bin/node'], io(project));
    await expect(nope).rejects.toMatchObject({ code: 'ENODE' });
    expect(await rejectedWords(nope)).toBe(`--node ${join(project, 'nope/bin/node')}: no such file`);
    const fake = join(tmp.dir, 'fake-node');
    writeFileSync(fake, '#!/bin/sh\necho "not node" >&2\nexit 1\n');
    chmodSync(fake, 0o755);
    const broken = verifyCommand.run(['--node', fake], io(project));
    await expect(broken).rejects.toMatchObject({ code: 'ELOADER' });
    expect(await rejectedWords(broken)).toContain('cannot start a loader');
  });

  it('fails with a one-line error where there is no package.json', async () => {
    await expect(verifyCommand.run([], io(join(tmp.dir, 'nowhere')))).rejects.toMatchObject({
      code: 'ENOPACKAGEJSON',
    });
  });
});

describe.skipIf(!runnable)('native-guard verify: output (linux-x64 glibc)', () => {
  it('text: one line per binary, the findings with fixes, a summary; exit 1 on an error', async () => {
    const r = await verifyCommand.run([], io(project));
    expect(r.exitCode).toBe(1);
    expect(redact(r.stdout)).toMatchInlineSnapshot(`
      "native-guard verify <root> (3 binaries)
        Node <version> (abi <abi>, napi <napi>, linux x64 glibc <glibc>) <node>

        LIBC_MISMATCH  alpine-build@1.0.0  node_modules/alpine-build/addon.node  shipped-binary
        loaded         fast@1.0.0          node_modules/fast/addon.node          shipped-binary
        STRAY_BINARY   my-app@1.0.0        build/Release/leftover.node           stray

      Findings
        error   LIBC_MISMATCH  alpine-build@1.0.0: node_modules/alpine-build/addon.node is linked against musl (needs libc.musl-x86_64.so.1), this system uses glibc
                fix: install inside the image (\`npm ci\` there) so npm picks or builds the glibc binary, or use a version of alpine-build that ships a glibc prebuild (docs/findings.md#libc_mismatch)
        warning STRAY_BINARY  build/Release/leftover.node is loaded by no package, and does not load with Node <version>: linked against musl (needs libc.musl-x86_64.so.1), this system uses glibc
                fix: remove it if nothing uses it (\`rm build/Release/leftover.node\`); add \`**/*.node\` to .dockerignore if it is a local build output (docs/findings.md#stray_binary)

      1 loaded, 1 failed, 1 stray; 1 error, 1 warning, 0 info
      "
    `);
  });

  it('exit 0 when only warnings remain (a stray binary), and nativeGuard.ignore drops findings', async () => {
    const dir = writeProject(join(tmp.dir, 'warn'), {
      root: { nativeGuard: { ignore: ['alpine-build'] } },
      files: { 'build/Release/leftover.node': { copy: addon('musl') } },
      packages: {
        'node_modules/alpine-build': {
          manifest: { main: 'addon.node' },
          files: { 'addon.node': { copy: addon('musl') } },
        },
      },
    });
    const r = await verifyCommand.run(['--json'], io(dir));
    expect(r.exitCode).toBe(0);
    const json = JSON.parse(r.stdout) as { findings: Array<{ code: string }>; ignored: number };
    expect(json.findings.map((f) => f.code)).toEqual(['STRAY_BINARY']);
    expect(json.ignored).toBe(1);
  });
});

describe.skipIf(!runnable || !existsSync(CLI))('the built CLI (after npm run build)', () => {
  it('runs verify with the loader shipped in dist, and npm pack includes it', () => {
    const r = spawnSync(process.execPath, [CLI, 'verify', '--json', '-C', project], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(r.status).toBe(1);
    const json = JSON.parse(r.stdout) as { binaries: Array<{ package: string; loaded: boolean }> };
    expect(json.binaries.find((b) => b.package === 'fast@1.0.0')).toMatchObject({ loaded: true });
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json', '--loglevel=error'], {
        cwd: REPO,
        encoding: 'utf8',
      }),
    ) as Array<{ files: Array<{ path: string }> }>;
    expect(packed[0]!.files.map((f) => f.path)).toContain('dist/probe/loader.cjs');
  });
});
