import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/check/analyze.js';
import { loadInstalledTree } from '../../src/tree/actual.js';
import { fakeHost } from '../helpers/targets.js';

const root = fileURLToPath(new URL('../../fixtures/trees/workspaces', import.meta.url));

describe('workspaces', () => {
  it('every workspace member and its own node_modules are part of the tree', async () => {
    const tree = await loadInstalledTree(root);
    const byLocation = Object.fromEntries(tree.packages.map((p) => [p.location, p.id]));
    expect(byLocation).toMatchObject({
      '': 'ws-root@1.0.0',
      'packages/app': 'app@1.0.0',
      'packages/addon': 'addon@0.3.0',
      'packages/app/node_modules/ws-nested-native': 'ws-nested-native@2.0.0',
      'node_modules/ws-native-dep': 'ws-native-dep@1.0.0',
    });
    expect(tree.packages.find((p) => p.location === 'packages/app')?.isWorkspace).toBe(true);
    // links are not packages of their own: the workspace folder is
    expect(tree.packages.some((p) => p.location === 'node_modules/app')).toBe(false);
    expect(tree.problems).toEqual([]);

    const report = analyze({
      tree,
      targets: [fakeHost()],
      config: {},
      env: {},
      npmCache: '/nonexistent',
      readFacts: () => null,
      cacheHas: () => false,
    });
    const found = Object.fromEntries(
      report.packages.map((p) => [p.location, [p.strategies, p.predictions[0]?.outcome]]),
    );
    expect(found).toEqual({
      'node_modules/ws-native-dep': [['node-gyp-build', 'source-build'], 'prebuilt'],
      'packages/addon': [['source-build'], 'source-build'],
      'packages/app/node_modules/ws-nested-native': [['source-build'], 'source-build'],
    });
  });
});
