import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  hostGlibcxxVersion,
  hostSystemLibraries,
  libstdcxxPaths,
  readGlibcxxVersion,
} from '../../src/targets/libc.js';
import { detectHost, currentHostEnvironment } from '../../src/targets/host.js';
import { parseTarget } from '../../src/targets/index.js';
import { fakeHost } from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'ng-libstdcxx-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the GLIBCXX_ version a libstdc++.so.6 defines, read as bytes', () => {
  it('takes the highest GLIBCXX_3.4.N name, also one split across two read chunks', () => {
    const file = join(scratch, 'libstdc++.so.6');
    const mib = 1024 * 1024;
    const bytes = Buffer.alloc(mib + 4096);
    bytes.write('GLIBCXX_3.4\0GLIBCXX_3.4.9\0GLIBCXX_3.4.21\0', 100, 'latin1');
    // `GLIBCXX_3.4.29\0` straddles the first 1 MiB read
    bytes.write('GLIBCXX_3.4.29\0', mib - 6, 'latin1');
    // not a version name: no NUL right after it
    bytes.write('GLIBCXX_3.4.99x', mib + 1000, 'latin1');
    writeFileSync(file, bytes);
    expect(readGlibcxxVersion(file)).toBe('3.4.29');
  });

  it('says nothing for a file without the names, a missing file, or a FIFO (opened without blocking)', () => {
    const plain = join(scratch, 'plain');
    writeFileSync(plain, 'GLIBC_2.36\0');
    expect(readGlibcxxVersion(plain)).toBeNull();
    expect(readGlibcxxVersion(join(scratch, 'absent'))).toBeNull();
    const fifo = join(scratch, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // a blocking open of a FIFO with no writer would never return: the test would time out
    expect(readGlibcxxVersion(fifo)).toBeNull();
  });

  const hostLib = libstdcxxPaths(process.arch).find((p) => existsSync(p));
  it.skipIf(process.platform !== 'linux' || !hostLib)(
    "matches this machine's libstdc++.so.6.0.N file name (GCC 5 and later: GLIBCXX_3.4.N)",
    async () => {
      const real = basename(realpathSync(hostLib!));
      const n = /^libstdc\+\+\.so\.6\.0\.(\d+)$/.exec(real)?.[1];
      expect(n, `${hostLib} → ${real}`).toBeDefined();
      expect(hostGlibcxxVersion(process.arch)).toBe(`3.4.${n}`);
      const host = await detectHost(currentHostEnvironment());
      if (host.libc === 'glibc') expect(host.glibcxxVersion).toBe(`3.4.${n}`);
    },
  );
});

describe("the host's libraries, from ld.so.cache and the standard folders", () => {
  const glibcHost = libstdcxxPaths(process.arch).some((p) => existsSync(p));
  it.skipIf(process.platform !== 'linux' || !glibcHost)('hold glibc and libstdc++ by soname', () => {
    const libs = hostSystemLibraries(process.arch) ?? [];
    expect(libs).toContain('libc.so.6');
    expect(libs).toContain('libstdc++.so.6');
    expect(libs.every((l) => !l.includes('/'))).toBe(true);
  });
});

describe("targets carry their libstdc++'s GLIBCXX_ version", () => {
  const ctx = { host: fakeHost({ glibcxxVersion: '3.4.30' }), today: '2026-11-25' };
  it('Debian images from their release (bullseye 3.4.28, bookworm 3.4.30, trixie 3.4.33); Alpine none', () => {
    expect(parseTarget('node:22-bullseye', ctx).glibcxxVersion).toBe('3.4.28');
    expect(parseTarget('node:22-bookworm-slim', ctx).glibcxxVersion).toBe('3.4.30');
    expect(parseTarget('node:22-bookworm-slim', { ...ctx, arch: 'arm64' }).glibcxxVersion).toBe('3.4.30');
    expect(parseTarget('node:24-trixie-slim', ctx).glibcxxVersion).toBe('3.4.33');
    expect(parseTarget('node:22-alpine', ctx).glibcxxVersion).toBeUndefined();
  });
  it("`node22` runs on this machine: the host's version, for the host's arch only", () => {
    expect(parseTarget('node22', ctx).glibcxxVersion).toBe('3.4.30');
    expect(parseTarget('node22', { ...ctx, arch: 'arm64' }).glibcxxVersion).toBeUndefined();
    expect(parseTarget('node22-linux-x64', ctx).glibcxxVersion).toBeUndefined();
  });
});
