// node-gyp-build's pick of a prebuild, for a target, on in-memory package files: the tuple folder
// (platform-arch), then the best-tagged file in it (libc, napi or abi, armv, runtime).
import { describe, expect, it } from 'vitest';
import type { Target } from '../../src/model/target.js';
import { pickPrebuild } from '../../src/strategies/node-gyp-build.js';
import { packageFiles } from '../helpers/package-files.js';
import { targets } from '../helpers/targets.js';

const [glibc, musl, arm64, arm, darwin, electron] = targets([
  'node22-linux-x64-glibc',
  'node22-linux-x64-musl',
  'node22-linux-arm64-glibc',
  'node22-linux-arm-glibc',
  'node22-darwin-arm64',
  'electron@33',
]) as Target[];

const pick = (paths: string[], target: Target) => pickPrebuild(packageFiles(paths), '', target).file;

describe('node-gyp-build: which prebuild a target gets', () => {
  it('the libc tag: musl gets the musl file, glibc the untagged one', () => {
    const files = ['prebuilds/linux-x64/a.glibc.node', 'prebuilds/linux-x64/a.musl.node'];
    expect(pick(files, glibc!)).toBe('prebuilds/linux-x64/a.glibc.node');
    expect(pick(files, musl!)).toBe('prebuilds/linux-x64/a.musl.node');
    // an untagged file is taken by either libc: node-gyp-build does not look inside it
    expect(pick(['prebuilds/linux-x64/a.node'], musl!)).toBe('prebuilds/linux-x64/a.node');
  });

  it('no file tagged for the target: none, and the files it ruled out are said', () => {
    const r = pickPrebuild(packageFiles(['prebuilds/linux-x64/a.musl.node']), '', glibc!);
    expect(r).toEqual({
      file: null,
      dir: 'prebuilds/linux-x64',
      available: ['linux-x64'],
      rejected: ['a.musl.node'],
    });
  });

  it('no folder for the platform-arch: none, with the folders there are', () => {
    const r = pickPrebuild(
      packageFiles(['prebuilds/darwin-x64/a.node', 'prebuilds/win32-x64/a.node']),
      '',
      glibc!,
    );
    expect(r).toEqual({ file: null, dir: null, available: ['darwin-x64', 'win32-x64'], rejected: [] });
  });

  it('a multi-arch folder (darwin-x64+arm64) serves arm64 macOS', () => {
    expect(pick(['prebuilds/darwin-x64+arm64/a.node'], darwin!)).toBe('prebuilds/darwin-x64+arm64/a.node');
  });

  it('an ABI-tagged file only for its ABI; a napi file for any', () => {
    expect(pick(['prebuilds/linux-x64/node.abi115.node'], glibc!)).toBeNull();
    expect(pick(['prebuilds/linux-x64/node.abi127.node'], glibc!)).toBe(
      'prebuilds/linux-x64/node.abi127.node',
    );
    expect(pick(['prebuilds/linux-x64/node.napi.node'], glibc!)).toBe('prebuilds/linux-x64/node.napi.node');
  });

  it('armv: a 32-bit arm v7 build is not an arm v6 one', () => {
    expect(pick(['prebuilds/linux-arm/a.armv7.node'], arm!)).toBe('prebuilds/linux-arm/a.armv7.node');
    expect(pick(['prebuilds/linux-arm/a.armv6.node'], arm!)).toBeNull();
    expect(pick(['prebuilds/linux-arm64/a.armv8.node'], arm64!)).toBe('prebuilds/linux-arm64/a.armv8.node');
  });

  it('runtime: electron takes an electron build, or a node napi build, never a node abi one', () => {
    expect(pick(['prebuilds/linux-x64/electron.abi130.node'], electron!)).toBe(
      'prebuilds/linux-x64/electron.abi130.node',
    );
    expect(pick(['prebuilds/linux-x64/node.napi.node'], electron!)).toBe(
      'prebuilds/linux-x64/node.napi.node',
    );
    expect(pick([`prebuilds/linux-x64/node.abi${electron!.abi}.node`], electron!)).toBeNull();
  });
});
