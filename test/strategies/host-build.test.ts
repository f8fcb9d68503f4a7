import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/check/analyze.js';
import { hostSourceBuildFindings } from '../../src/strategies/host-build.js';
import type { ToolchainDetails } from '../../src/model/target.js';
import { loadInstalledTree } from '../../src/tree/actual.js';
import type { ProjectTree } from '../../src/model/package.js';
import { fakeHost } from '../helpers/targets.js';

const root = fileURLToPath(new URL('../../fixtures/trees/mixed', import.meta.url));
let tree: ProjectTree;
beforeAll(async () => {
  tree = await loadInstalledTree(root);
});

function details(overrides: Partial<ToolchainDetails>): ToolchainDetails {
  return {
    python: { path: '/usr/bin/python3', version: '3.11.7', source: 'PATH' },
    make: { path: '/usr/bin/make', source: 'PATH' },
    cc: { path: '/usr/bin/cc', source: 'PATH' },
    cxx: { path: '/usr/bin/g++', source: 'PATH' },
    headers: { path: '/usr/include/node', version: '20.20.2', source: 'nodedir' },
    nodeGyp: { path: '/usr/lib/node_modules/npm/node_modules/node-gyp', version: '12.4.0', source: 'npm' },
    distutilsTrap: false,
    ...overrides,
  };
}

function hostFindings(d: ToolchainDetails) {
  const host = fakeHost({ toolchain: { python: true, make: true, cxx: true, details: d } });
  const report = analyze({
    tree,
    targets: [host],
    config: {},
    env: {},
    npmCache: '/nonexistent-npm-cache',
    readFacts: () => null,
    cacheHas: () => false,
    evaluate: { sourceBuildFindings: hostSourceBuildFindings },
  });
  return report;
}

describe('host source-build checks', () => {
  it('says nothing when headers are configured and python/node-gyp agree', () => {
    const r = hostFindings(details({}));
    expect(
      r.findings.filter(
        (f) => f.code === 'NODE_HEADERS_UNAVAILABLE' || f.code === 'PYTHON_DISTUTILS_MISSING',
      ),
    ).toEqual([]);
    expect(r.packages.find((p) => p.name === 'gyp-only')?.predictions[0]?.outcome).toBe('source-build');
  });

  it('warns when node-gyp would download headers, and names the copy beside node', () => {
    const r = hostFindings(
      details({ headers: { path: '/usr/include/node', version: '20.20.2', source: 'beside-node' } }),
    );
    const f = r.findings.find((x) => x.code === 'NODE_HEADERS_UNAVAILABLE' && x.package === 'gyp-only@0.1.0');
    expect(f).toMatchObject({ severity: 'warning', evidence: { besideNode: '/usr/include/node' } });
    // a warning: the build itself still happens
    expect(r.packages.find((p) => p.name === 'gyp-only')?.predictions[0]?.outcome).toBe('source-build');
  });

  it('python 3.12 with a node-gyp before 10 fails the build (distutils is gone)', () => {
    const r = hostFindings(
      details({
        python: { path: '/usr/bin/python3', version: '3.12.1', source: 'PATH' },
        nodeGyp: { path: '/x/node-gyp', version: '9.4.1', source: 'npm' },
      }),
    );
    expect(r.findings).toContainEqual(
      expect.objectContaining({
        code: 'PYTHON_DISTUTILS_MISSING',
        severity: 'error',
        package: 'gyp-only@0.1.0',
      }),
    );
    expect(r.packages.find((p) => p.name === 'gyp-only')?.predictions[0]?.outcome).toBe('fails');
  });

  it('python 3.12 with node-gyp 10+ is fine', () => {
    const r = hostFindings(
      details({ python: { path: '/usr/bin/python3', version: '3.12.1', source: 'PATH' } }),
    );
    expect(r.findings.some((f) => f.code === 'PYTHON_DISTUTILS_MISSING')).toBe(false);
  });
});
