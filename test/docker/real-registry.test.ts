/**
 * The leak with real parts: node-expat (nan, binding.gyp, no prebuilds) installed from the npm registry
 * by the real npm, which compiles it with node-gyp for this machine's Node. That project becomes a
 * nested folder of an app whose Dockerfile copies the whole context into node:22-slim.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/check/run.js';
import type { CheckReport } from '../../src/model/reports.js';
import { installRealProject } from '../helpers/real-project.js';

const canBuild = ['python3', 'make', 'g++'].every((tool) => spawnSync(tool, ['--version']).status === 0);
// an image whose Node is not this one (on Node 22 a binary built here loads in node:22-slim)
const [image, imageAbi] =
  process.versions.modules === '127' ? ['node:24-slim', '137'] : ['node:22-slim', '127'];
const tmp = mkdtempSync(join(tmpdir(), 'ng-docker-real-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!canBuild)('a real addon compiled by npm on the host (needs python3, make, g++)', () => {
  let root = '';
  beforeAll(() => {
    const installed = installRealProject(['node-expat@2.4.1'], { label: 'docker-expat' });
    root = join(tmp, 'app');
    cpSync(installed, join(root, 'skills/xml'), { recursive: true });
    writeFileSync(join(root, 'package.json'), '{ "name": "app", "version": "1.0.0" }\n');
    writeFileSync(join(root, '.dockerignore'), 'node_modules\n');
  }, 15 * 60_000);

  const run = (dockerfile: string): Promise<CheckReport> => {
    writeFileSync(join(root, 'Dockerfile'), dockerfile);
    return check({ cwd: root, targets: ['host'], today: '2026-11-25', dockerfile: 'Dockerfile' });
  };

  it(`its build/Release/node_expat.node, built for this Node, cannot load in ${image}`, async () => {
    const report = await run(`FROM ${image}\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n`);
    const stray = report.findings.filter((f) => f.code === 'STRAY_BINARY_IN_CONTEXT');
    expect(stray.map((f) => f.evidence)).toContainEqual(
      expect.objectContaining({
        file: 'skills/xml/node_modules/node-expat/build/Release/node_expat.node',
        mismatches: [{ code: 'ABI_MISMATCH', binaryAbi: process.versions.modules, targetAbi: imageAbi }],
      }),
    );
    expect(report.findings.filter((f) => f.code === 'DOCKERIGNORE_MISSES_NESTED_NODE_MODULES')).toHaveLength(
      1,
    );
  });

  it('is fine once the nested project installs inside the image and .dockerignore says **/node_modules', async () => {
    writeFileSync(join(root, '.dockerignore'), '**/node_modules\n');
    const report = await run('FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci --prefix skills/xml\n');
    expect(
      report.findings.filter((f) => f.code.startsWith('DOCKER') || f.code === 'STRAY_BINARY_IN_CONTEXT'),
    ).toEqual([]);
    writeFileSync(join(root, '.dockerignore'), 'node_modules\n');
  });
});
