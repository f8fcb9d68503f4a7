import { familySync } from 'detect-libc';
import { getAbi } from 'node-abi';
import { fromElectronVersion, fromNodeVersion } from 'node-api-version';
import type { Libc, Runtime, Target } from '../../../src/model/target.js';

/** A target built the way src/targets does it: ABI from node-abi, Node-API level from node-api-version. */
export function makeTarget(
  id: string,
  runtime: Runtime,
  version: string,
  platform: string,
  arch: string,
  libc: Libc | null,
  isHost = false,
): Target {
  const napi = runtime === 'electron' ? fromElectronVersion(version) : fromNodeVersion(version);
  return {
    id,
    runtime,
    version,
    abi: getAbi(version, runtime),
    napi: napi ?? null,
    platform,
    arch,
    libc: platform === 'linux' ? libc : null,
    libcVersion: null,
    armv: arch === 'arm64' ? '8' : arch === 'arm' ? '7' : null,
    uv: '1',
    toolchain: { python: true, make: true, cxx: true },
    isHost,
  };
}

/** This machine, as the real tools see it when they run here. */
export const HOST: Target = makeTarget(
  'host',
  'node',
  process.versions.node,
  process.platform,
  process.arch,
  (familySync() as Libc | null) ?? null,
  true,
);

/** The targets of the parity matrix. */
export const TARGETS: Target[] = [
  HOST,
  makeTarget('node:22-alpine', 'node', '22.21.1', 'linux', 'x64', 'musl'),
  makeTarget('node24-linux-arm64-glibc', 'node', '24.11.1', 'linux', 'arm64', 'glibc'),
  makeTarget('node22-darwin-arm64', 'node', '22.21.1', 'darwin', 'arm64', null),
  makeTarget('node22-win32-x64', 'node', '22.21.1', 'win32', 'x64', null),
  makeTarget('electron@33', 'electron', '33.2.1', 'linux', 'x64', 'glibc'),
];

export const ELECTRON = TARGETS.find((t) => t.runtime === 'electron')!;

/**
 * The host's Node version on other platforms. Tools whose own ABI table predates Node 22
 * (prebuild-install 6's node-abi 2, node-pre-gyp 1.x and 0.x's abi_crosswalk.json) can only be
 * pointed at another platform, not at another Node version, so they are compared on these
 * (node-pre-gyp names Electron builds without a table, so it also gets the Electron target).
 */
export const HOST_VERSION_TARGETS: Target[] = [
  HOST,
  makeTarget('host-version-linux-x64-musl', 'node', process.versions.node, 'linux', 'x64', 'musl'),
  makeTarget('host-version-linux-arm64-glibc', 'node', process.versions.node, 'linux', 'arm64', 'glibc'),
  makeTarget('host-version-darwin-arm64', 'node', process.versions.node, 'darwin', 'arm64', null),
  makeTarget('host-version-win32-x64', 'node', process.versions.node, 'win32', 'x64', null),
];
