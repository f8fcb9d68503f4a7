import { getAbi } from 'node-abi';
import { describe, expect, it } from 'vitest';
import { listTargetAliases } from '../../src/targets/aliases.js';
import { fakeHost, TODAY } from './helpers.js';

describe('listTargetAliases', () => {
  const rows = listTargetAliases({ host: fakeHost(), today: TODAY });
  const row = (example: string) => rows.find((r) => r.example === example);

  it('covers every form, each example resolving under its own id', () => {
    expect(new Set(rows.map((r) => r.form))).toEqual(
      new Set(['host', 'node-version', 'node-tuple', 'node-path', 'electron', 'image']),
    );
    for (const r of rows) {
      expect(r.target, r.example).not.toBeNull();
      expect(r.target?.id).toBe(r.example);
      expect(r.target?.abi).toBe(getAbi(r.target!.version, r.target!.runtime));
    }
  });

  it('says what node:22-alpine, node:22-slim, node:22 and node:lts mean today', () => {
    expect(row('node:22-alpine')?.target).toMatchObject({
      version: expect.stringMatching(/^22\./),
      abi: '127',
      napi: 10,
      libc: 'musl',
      libcVersion: '1.2.6',
      toolchain: { python: false, make: false, cxx: false },
    });
    expect(row('node:22-slim')?.target).toMatchObject({
      libc: 'glibc',
      libcVersion: '2.36',
      toolchain: { cxx: false },
    });
    expect(row('node:22')?.target).toMatchObject({
      libc: 'glibc',
      libcVersion: '2.36',
      toolchain: { cxx: true },
    });
    expect(row('node:lts')?.target).toMatchObject({
      version: expect.stringMatching(/^26\./),
      libcVersion: '2.41',
    });
    expect(row('node22-linux-x64-musl')?.target?.toolchain.known).toBe(false);
  });

  it('lists only image lines that still get updates', () => {
    expect(row('node:24-trixie-slim')).toBeDefined();
    expect(row('node:20')).toBeUndefined();
  });

  it('leaves host-dependent rows empty without a host, and images fall back to x64', () => {
    const bare = listTargetAliases({ today: TODAY });
    expect(bare.find((r) => r.example === 'host')?.target).toBeNull();
    expect(bare.find((r) => r.example === 'electron@33')?.target).toBeNull();
    expect(bare.find((r) => r.example === 'node:22-alpine')?.target?.arch).toBe('x64');
  });

  it('marks an image not published for the arch instead of throwing', () => {
    const s390 = listTargetAliases({ host: fakeHost({ arch: 's390x' }), today: TODAY });
    expect(s390.find((r) => r.example === 'node:26-alpine')).toMatchObject({
      target: null,
      unavailable: 'arch-not-published',
    });
    expect(s390.find((r) => r.example === 'node:24-alpine')?.target?.arch).toBe('s390x');
  });
});
