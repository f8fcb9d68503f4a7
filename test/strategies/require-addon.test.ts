// require-addon (Holepunch's packages) on a hand-built record and in-memory files: the host string,
// the file names bare-addon-resolve tries, and the prediction.
import { describe, expect, it } from 'vitest';
import type { PackageRecord } from '../../src/model/package.js';
import type { PredictContext } from '../../src/model/prediction.js';
import type { Target } from '../../src/model/target.js';
import {
  predictRequireAddon,
  requireAddonCandidates,
  requireAddonHost,
  requireAddonName,
} from '../../src/strategies/require-addon.js';
import { packageFiles } from '../helpers/package-files.js';
import { fakeHost, targets } from '../helpers/targets.js';

const [glibc, musl, darwin] = targets([
  'node22-linux-x64-glibc',
  'node22-linux-x64-musl',
  'node22-darwin-arm64',
]) as [Target, Target, Target];

const record = (name: string, version: string) => ({ name, version }) as PackageRecord;

/** The context the prediction reads: the package, its files, the target. */
const context = (name: string, version: string, paths: string[], target: Target): PredictContext =>
  ({
    native: { pkg: record(name, version), chain: [], scripts: [] },
    files: packageFiles(paths),
    target,
  }) as unknown as PredictContext;

describe('require-addon', () => {
  it('the host: -musl from the target libc, or on the host from /etc/alpine-release', () => {
    const never = () => {
      throw new Error('a predicted target does not look at this machine');
    };
    expect(requireAddonHost(glibc, never)).toBe('linux-x64');
    expect(requireAddonHost(musl, never)).toBe('linux-x64-musl');
    expect(requireAddonHost(darwin, never)).toBe('darwin-arm64');
    expect(requireAddonHost(fakeHost(), () => true)).toBe('linux-x64-musl');
    expect(requireAddonHost(fakeHost(), () => false)).toBe('linux-x64');
  });

  it('file names: scope folded in, versioned name first, darwin-universal after each', () => {
    expect(requireAddonName('@holepunchto/udx-native')).toBe('holepunchto__udx-native');
    expect(requireAddonCandidates('sodium-native', '4.3.1', 'linux-x64')).toEqual([
      'prebuilds/linux-x64/sodium-native@4.3.1.node',
      'prebuilds/linux-x64/sodium-native.node',
    ]);
    expect(requireAddonCandidates('sodium-native', '4.3.1', 'darwin-arm64')).toEqual([
      'prebuilds/darwin-arm64/sodium-native@4.3.1.node',
      'prebuilds/darwin-universal/sodium-native@4.3.1.node',
      'prebuilds/darwin-arm64/sodium-native.node',
      'prebuilds/darwin-universal/sodium-native.node',
    ]);
  });

  it('a shipped file for the host is the binary; none is a miss that lists the folders there are', () => {
    const paths = ['prebuilds/linux-x64/sodium-native.node', 'prebuilds/darwin-universal/sodium-native.node'];
    const hit = predictRequireAddon(context('sodium-native', '4.3.1', paths, glibc), () => false);
    expect(hit).toMatchObject({
      kind: 'binary',
      strategy: 'shipped-binary',
      binary: 'prebuilds/linux-x64/sodium-native.node',
    });
    expect(predictRequireAddon(context('sodium-native', '4.3.1', paths, darwin), () => false)).toMatchObject({
      kind: 'binary',
      binary: 'prebuilds/darwin-universal/sodium-native.node',
    });
    // Alpine looks only in linux-x64-musl: the glibc build beside it is never tried
    const miss = predictRequireAddon(context('sodium-native', '4.3.1', paths, musl), () => false);
    expect(miss.kind).toBe('miss');
    expect(miss.evidence).toContainEqual({
      kind: 'prebuilds-none-for-target',
      available: ['linux-x64', 'darwin-universal'],
    });
  });
});
