import { parseTarget } from '../../src/targets/index.js';
import type { Target } from '../../src/model/target.js';

/** A deterministic linux-x64-glibc host with a full toolchain, so fixture tests don't depend on this machine. */
export function fakeHost(overrides: Partial<Target> = {}): Target {
  return {
    id: 'host',
    runtime: 'node',
    version: '20.20.2',
    abi: '115',
    napi: 9,
    platform: 'linux',
    arch: 'x64',
    libc: 'glibc',
    libcVersion: '2.36',
    armv: null,
    uv: '1',
    toolchain: { python: true, make: true, cxx: true },
    isHost: true,
    ...overrides,
  };
}

export const noToolchain = { python: false, make: false, cxx: false };

/** Parses target specs against the fake host, with a fixed date so `node:lts` is stable. */
export function targets(specs: string[], host: Target = fakeHost()): Target[] {
  return specs.map((spec) => (spec === 'host' ? host : parseTarget(spec, { host, today: '2026-11-25' })));
}
