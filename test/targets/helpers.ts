import type { Target } from '../../src/model/target.js';

/** An in-memory host so parse tests don't depend on the machine running them. */
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
    toolchain: {
      python: true,
      make: true,
      cxx: true,
      known: true,
      details: {
        python: { path: '/usr/bin/python3', version: '3.11.2', source: 'PATH' },
        make: { path: '/usr/bin/make', version: 'GNU Make 4.3', source: 'PATH' },
        cc: { path: '/usr/bin/cc', version: null, source: 'PATH' },
        cxx: { path: '/usr/bin/g++', version: null, source: 'PATH' },
        headers: { path: '/usr/include/node', version: '20.20.2', source: 'nodedir' },
        nodeGyp: {
          path: '/usr/lib/node_modules/npm/node_modules/node-gyp',
          version: '12.4.0',
          source: 'PATH',
        },
        distutilsTrap: false,
      },
    },
    isHost: true,
    ...overrides,
  };
}

/** The date the expectations below were written for; `node:lts` depends on it. */
export const TODAY = '2026-11-25';
