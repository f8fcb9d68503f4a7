import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectFile } from '../../src/binary/facts.js';
import { verifyCommand } from '../../src/commands/verify.js';
import { describe as words } from '../../src/report/messages.js';
import { verify } from '../../src/verify/run.js';
import type { VerifyReport } from '../../src/model/reports.js';
import { addon } from '../binary/paths.js';
import {
  abiAddon,
  abiOfNodeMajor,
  HOST_ABI,
  NO_BUILD_FOR_HOST,
  otherNodeMajor,
} from '../helpers/abi-addons.js';
import { tempDir, writeProject } from '../helpers/fixture-project.js';
import { realNode } from '../helpers/node-binary.js';
import { installRealProject } from '../helpers/real-project.js';

/**
 * The migration check: a tree installed under this Node, verified with a real binary of another
 * Node major from the registry (22; 24 when this is 22). Real packages from the registry, real loads.
 */
const OTHER_MAJOR = otherNodeMajor();
const other = realNode(OTHER_MAJOR);
/** What the other Node must report, from node-abi's registry rather than from the Node itself. */
const OTHER_ABI = abiOfNodeMajor(OTHER_MAJOR);
const linuxX64 = process.platform === 'linux' && process.arch === 'x64';
const skip = !linuxX64
  ? 'needs a linux-x64 host (the fixture addons are linux-x64 builds)'
  : NO_BUILD_FOR_HOST || other.reason;
if (skip) console.warn(`cross-node tests skipped: ${skip}`);

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('ng-cross-');
});
afterAll(() => tmp.cleanup());

const row = (r: VerifyReport, pkg: string) => r.binaries.find((b) => b.package?.startsWith(`${pkg}@`));
const shipped = (file: string) => ({
  manifest: { main: 'addon.node' },
  files: { 'addon.node': { copy: file } },
});

describe.skipIf(!!skip)(`verify --node with a real Node ${OTHER_MAJOR}`, () => {
  it(`ABI-specific fixture addons built for this Node fail with ${HOST_ABI} and ${OTHER_ABI}, the ones built for ${OTHER_ABI} load; Node-API addons load`, async () => {
    const dir = writeProject(join(tmp.dir, 'abi'), {
      packages: {
        'node_modules/napi': shipped(addon('napi-ok')),
        'node_modules/napi10': shipped(addon('napi-v10')),
        'node_modules/legacy': shipped(abiAddon('legacy-abi')),
        'node_modules/abi-init': shipped(abiAddon('abi-init')),
        'node_modules/legacy-there': shipped(abiAddon('legacy-abi', OTHER_ABI)),
      },
    });
    const r = await verify({ cwd: dir, node: other.path! });
    // Node 22 and 24 both have Node-API 10
    expect(r.node).toMatchObject({ path: other.path, abi: OTHER_ABI, napi: 10 });
    expect(r.node.version).toMatch(new RegExp(`^${OTHER_MAJOR}\\.`));
    expect(row(r, 'napi')).toMatchObject({ loaded: true });
    // Node-API 10: the addon Node 20 crashes on loads here
    expect(row(r, 'napi10')).toMatchObject({ loaded: true });
    expect(row(r, 'legacy-there')).toMatchObject({ loaded: true });
    for (const pkg of ['legacy', 'abi-init']) {
      const f = r.findings.find((x) => x.package === `${pkg}@1.0.0`);
      expect(f, pkg).toMatchObject({
        code: 'ABI_MISMATCH',
        target: `node@${r.node.version}`,
        evidence: { source: 'load', binaryAbi: HOST_ABI, targetAbi: OTHER_ABI, node: r.node.version },
      });
    }
    expect(r.findings).toHaveLength(2);
  });

  it(`a nested skills/db project with an ABI ${HOST_ABI} build is found and reported for Node ${OTHER_MAJOR}`, async () => {
    const dir = writeProject(join(tmp.dir, 'leak'), {
      packages: {
        'skills/db': { manifest: { dependencies: { dbdriver: '1.0.0' } } },
        'skills/db/node_modules/dbdriver': {
          manifest: { gypfile: true },
          files: {
            'binding.gyp': "{ 'targets': [{ 'target_name': 'db' }] }",
            'build/Release/db.node': { copy: abiAddon('legacy-abi') },
          },
        },
      },
    });
    const host = await verify({ cwd: dir });
    expect(row(host, 'dbdriver')).toMatchObject({ loaded: true, project: 'skills/db' });
    const r = await verify({ cwd: dir, node: other.path! });
    const f = r.findings.find((x) => x.package === 'dbdriver@1.0.0')!;
    expect(f).toMatchObject({
      code: 'ABI_MISMATCH',
      location: 'skills/db/node_modules/dbdriver',
      evidence: { project: 'skills/db', binaryAbi: HOST_ABI, targetAbi: OTHER_ABI },
    });
    expect(words(f).fix).toContain('.dockerignore');
  });
});

describe.skipIf(!!skip)(
  'real registry packages: better-sqlite3@12 (ABI-specific) and bufferutil@4 (Node-API)',
  () => {
    let project: string;
    beforeAll(() => {
      // better-sqlite3's prebuild download cannot reach GitHub here, so it compiles with this Node's headers
      project = installRealProject(['better-sqlite3@12', 'bufferutil@4'], { label: 'verify-sqlite' });
    }, 1_200_000);

    it('better-sqlite3 is an ABI-specific build for this Node (its binary says so)', () => {
      const facts = inspectFile(
        join(project, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'),
      );
      expect(facts.module).toEqual({ kind: 'abi', abi: HOST_ABI });
    });

    it('everything loads with the Node that installed it', async () => {
      const r = await verify({ cwd: project });
      expect(r.findings).toEqual([]);
      expect(row(r, 'better-sqlite3')).toMatchObject({
        loaded: true,
        resolvedBy: 'bindings',
        file: 'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      });
      expect(row(r, 'bufferutil')).toMatchObject({
        loaded: true,
        resolvedBy: 'node-gyp-build',
        file: 'node_modules/bufferutil/prebuilds/linux-x64/bufferutil.node',
      });
    });

    it(`with Node ${OTHER_MAJOR}: ABI_MISMATCH ${HOST_ABI} → ${OTHER_ABI} for better-sqlite3, bufferutil loads, exit 1 and the JSON contract`, async () => {
      const result = await verifyCommand.run(['--json', '--node', other.path!], {
        isTTY: false,
        env: { ...process.env },
        cwd: project,
      });
      expect(result.exitCode).toBe(1);
      const json = JSON.parse(result.stdout) as {
        schemaVersion: number;
        node: { path: string; version: string; abi: string; napi: number };
        binaries: Array<{ package: string; file: string; loaded: boolean; code?: string; message?: string }>;
        findings: Array<{ code: string; package: string; evidence: Record<string, unknown>; fix: string }>;
      };
      expect(json.schemaVersion).toBe(1);
      expect(json.node).toMatchObject({ path: other.path, abi: OTHER_ABI, napi: 10 });
      const sqlite = json.binaries.find((b) => b.package.startsWith('better-sqlite3@'))!;
      expect(sqlite).toMatchObject({
        file: 'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
        loaded: false,
        code: 'ABI_MISMATCH',
        message: expect.stringContaining(`NODE_MODULE_VERSION ${HOST_ABI}`),
      });
      expect(json.binaries.find((b) => b.package.startsWith('bufferutil@'))).toMatchObject({ loaded: true });
      expect(json.binaries.find((b) => b.package.startsWith('bufferutil@'))).not.toHaveProperty('code');
      expect(json.findings).toHaveLength(1);
      expect(json.findings[0]).toMatchObject({
        code: 'ABI_MISMATCH',
        evidence: { binaryAbi: HOST_ABI, targetAbi: OTHER_ABI, errorCode: 'ERR_DLOPEN_FAILED' },
        fix: expect.stringContaining('npm rebuild better-sqlite3'),
      });
    });
  },
);
