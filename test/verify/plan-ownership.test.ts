import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadInstalledTree } from '../../src/tree/actual.js';
import { isBundled } from '../../src/verify/plan.js';

// @discordjs/opus's real package.json and the files its source build leaves (fixtures/trees/pre-gyp-napi/README.md)
const root = fileURLToPath(new URL('../../fixtures/trees/pre-gyp-napi', import.meta.url));

describe('which package a .node belongs to', () => {
  it('node-pre-gyp’s build-tmp-napi-v<N>/ of a package with a `binary` block is its own build, not a stray', async () => {
    const tree = await loadInstalledTree(root);
    const opus = tree.packages.find((p) => p.name === '@discordjs/opus')!;
    expect(isBundled('build-tmp-napi-v3/Release/opus.node', opus, new Set())).toBe(true);
    // a build/Release output of the same package is still a candidate stray (what verify loads to judge)
    expect(isBundled('build/Release/opus.node', opus, new Set())).toBe(false);
    // the folder name alone says nothing without node-pre-gyp's `binary` block
    const root2 = tree.packages.find((p) => p.isRoot)!;
    expect(isBundled('build-tmp-napi-v3/Release/opus.node', root2, new Set())).toBe(false);
  });
});
