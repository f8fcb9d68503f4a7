import { getAbi } from 'node-abi';
import { fromElectronVersion, fromNodeVersion } from 'node-api-version';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { parseTarget, resolveTargets, TargetError } from '../../src/targets/parse.js';
import { loadNodeReleases } from '../../src/targets/releases.js';
import type { NodeReleaseData } from '../../src/targets/releases.js';
import { fakeHost, TODAY } from './helpers.js';
import { thrownWords } from '../helpers/error-words.js';

const data = loadNodeReleases();
const host = fakeHost();
const ctx = { host, today: TODAY };

/** Newest version of a line, computed independently of the code under test. */
function newest(range: string): string {
  const found = semver.maxSatisfying(
    data.releases.map((r) => r.version),
    range,
  );
  if (found === null) throw new Error(`no ${range} in data`);
  return found;
}

describe('shipped release data', () => {
  it('agrees with node-abi and node-api-version for every release', () => {
    for (const r of data.releases) {
      expect(r.abi, r.version).toBe(getAbi(r.version, 'node'));
      expect(r.napi, r.version).toBe(fromNodeVersion(r.version) ?? null);
    }
  });

  it('has the ABIs the world knows', () => {
    expect(parseTarget('node20-linux-x64', ctx).abi).toBe('115');
    expect(parseTarget('node22-linux-x64', ctx).abi).toBe('127');
    expect(parseTarget('node24-linux-x64', ctx).abi).toBe('137');
  });
});

describe('host', () => {
  it('is the host target under its own id', () => {
    expect(parseTarget('host', ctx)).toEqual(host);
  });

  it('takes --arch but keeps libc and toolchain, and is no longer loadable here', () => {
    const t = parseTarget('host', { ...ctx, arch: 'arm64' });
    expect(t).toMatchObject({ id: 'host', arch: 'arm64', armv: '8', libc: 'glibc', libcVersion: '2.36' });
    expect(t.toolchain).toBe(host.toolchain);
    expect(t.isHost).toBe(false);
    expect(parseTarget('host', { ...ctx, arch: 'arm' }).armv).toBe('7');
    expect(parseTarget('host', { ...ctx, arch: 'x64' }).isHost).toBe(true);
  });
});

describe('node<version>-<platform>-<arch>[-<libc>]', () => {
  it.each([
    ['node22-linux-x64-musl', newest('22.x'), 'linux', 'x64', 'musl', null],
    ['node24.1.0-linux-arm64-glibc', '24.1.0', 'linux', 'arm64', 'glibc', null],
    ['node20-darwin-arm64', newest('20.x'), 'darwin', 'arm64', null, null],
    ['node22-win32-x64', newest('22.x'), 'win32', 'x64', null, null],
    ['node22-linux-x64', newest('22.x'), 'linux', 'x64', 'glibc', null],
    ['node22-linux-x64-glibc2.28', newest('22.x'), 'linux', 'x64', 'glibc', '2.28'],
    ['node22.15-linux-arm-musl1.2.5', newest('22.15.x'), 'linux', 'arm', 'musl', '1.2.5'],
    ['node@22.15.0/linux/arm64/glibc', '22.15.0', 'linux', 'arm64', 'glibc', null],
    ['node@24/linux/x64', newest('24.x'), 'linux', 'x64', 'glibc', null],
    ['node@22/darwin/x64', newest('22.x'), 'darwin', 'x64', null, null],
  ])('%s', (spec, version, platform, arch, libc, libcVersion) => {
    const t = parseTarget(spec, ctx);
    expect(t).toMatchObject({
      id: spec,
      runtime: 'node',
      version,
      platform,
      arch,
      libc,
      libcVersion,
      uv: '1',
    });
    expect(t.abi).toBe(getAbi(version, 'node'));
    expect(t.napi).toBe(fromNodeVersion(version) ?? null);
    expect(t.armv).toBe(arch === 'arm64' ? '8' : arch === 'arm' ? '7' : null);
    // Nothing is known about a tuple's machine: no compiler is promised, and the report can say why.
    expect(t.toolchain).toEqual({ python: false, make: false, cxx: false, known: false });
    expect(t.isHost).toBe(false);
    expect(t.image).toBeUndefined();
  });

  it('keeps the arch the tuple names even with --arch', () => {
    expect(parseTarget('node22-linux-x64', { ...ctx, arch: 'arm64' }).arch).toBe('x64');
  });

  it('resolves a major to the newest release of that line in the data', () => {
    for (const major of [18, 20, 22, 24, 26]) {
      expect(parseTarget(`node${major}-linux-x64`, ctx).version).toBe(newest(`${major}.x`));
    }
    expect(parseTarget('node22.15-linux-x64', ctx).version).toBe(newest('22.15.x'));
  });

  it('accepts a full version newer than the data when node-abi knows the line', () => {
    const past = semver.inc(newest('22.x'), 'patch')!;
    expect(parseTarget(`node${past}-linux-x64`, ctx).version).toBe(past);
  });
});

describe('node<version> on this machine', () => {
  it('keeps host platform, libc and toolchain with another Node', () => {
    const t = parseTarget('node22', ctx);
    expect(t).toMatchObject({
      id: 'node22',
      version: newest('22.x'),
      abi: '127',
      platform: 'linux',
      libc: 'glibc',
    });
    expect(t.toolchain).toBe(host.toolchain);
    expect(t.isHost).toBe(false);
    expect(parseTarget('node@24', { ...ctx, arch: 'arm64' })).toMatchObject({
      version: newest('24.x'),
      arch: 'arm64',
    });
  });

  it('resolves a line node-abi announces but nobody released to <major>.0.0', () => {
    const next = Math.max(...data.releases.map((r) => semver.major(r.version))) + 1;
    let abi: string;
    try {
      abi = getAbi(`${next}.0.0`, 'node');
    } catch {
      return; // this node-abi announces nothing beyond the data
    }
    const t = parseTarget(`node${next}`, ctx);
    expect(t).toMatchObject({ version: `${next}.0.0`, abi, unreleased: true });
  });
});

describe('electron@<version>', () => {
  it.each([
    ['electron@33', '33.0.0'],
    ['electron@33.2', '33.2.0'],
    ['electron@33.2.1', '33.2.1'],
  ])('%s', (spec, version) => {
    const t = parseTarget(spec, ctx);
    expect(t).toMatchObject({
      id: spec,
      runtime: 'electron',
      version,
      platform: 'linux',
      arch: 'x64',
      libc: 'glibc',
    });
    expect(t.abi).toBe(getAbi(version, 'electron'));
    expect(t.napi).toBe(fromElectronVersion(version) ?? null);
    // Electron builds against Electron's headers, which node-gyp downloads; the host's don't count.
    expect(t.toolchain.python).toBe(true);
    expect(t.toolchain.details?.headers).toBeNull();
  });

  it('takes --arch', () => {
    expect(parseTarget('electron@33', { ...ctx, arch: 'arm64' })).toMatchObject({ arch: 'arm64', armv: '8' });
  });
});

describe('node images', () => {
  const full = { python: true, make: true, cxx: true, known: true };
  const bare = { python: false, make: false, cxx: false, known: true };
  it.each([
    // spec, line, variant, libc, libc version, toolchain
    ['node:22', '22.x', 'bookworm', 'glibc', '2.36', full],
    ['node:22-slim', '22.x', 'bookworm-slim', 'glibc', '2.36', bare],
    ['node:22-alpine', '22.x', 'alpine3.24', 'musl', '1.2.6', bare],
    ['node:22-alpine3.23', '22.x', 'alpine3.23', 'musl', '1.2.5', bare],
    ['node:22-bookworm', '22.x', 'bookworm', 'glibc', '2.36', full],
    ['node:22-bookworm-slim', '22.x', 'bookworm-slim', 'glibc', '2.36', bare],
    ['node:22-bullseye', '22.x', 'bullseye', 'glibc', '2.31', full],
    ['node:22-bullseye-slim', '22.x', 'bullseye-slim', 'glibc', '2.31', bare],
    ['node:22-trixie', '22.x', 'trixie', 'glibc', '2.41', full],
    ['node:22-trixie-slim', '22.x', 'trixie-slim', 'glibc', '2.41', bare],
    ['node:24', '24.x', 'bookworm', 'glibc', '2.36', full],
    ['node:26', '26.x', 'trixie', 'glibc', '2.41', full],
    ['node:26-slim', '26.x', 'trixie-slim', 'glibc', '2.41', bare],
    ['node:20-alpine', '20.x', 'alpine3.23', 'musl', '1.2.5', bare],
    ['node:lts', '26.x', 'trixie', 'glibc', '2.41', full],
    ['node:lts-slim', '26.x', 'trixie-slim', 'glibc', '2.41', bare],
    ['node:lts-alpine', '26.x', 'alpine3.24', 'musl', '1.2.6', bare],
    ['node:current', '26.x', 'trixie', 'glibc', '2.41', full],
    ['node:current-alpine', '26.x', 'alpine3.24', 'musl', '1.2.6', bare],
    ['node:latest', '26.x', 'trixie', 'glibc', '2.41', full],
    ['node:alpine', '26.x', 'alpine3.24', 'musl', '1.2.6', bare],
    ['node', '26.x', 'trixie', 'glibc', '2.41', full],
    ['node:jod-alpine', '22.x', 'alpine3.24', 'musl', '1.2.6', bare],
    ['node:22.15', '22.15.x', 'bookworm', 'glibc', '2.36', full],
    ['node:22.15.0-alpine3.21', '22.15.0', 'alpine3.21', 'musl', '1.2.5', bare],
    ['docker.io/library/node:22-alpine', '22.x', 'alpine3.24', 'musl', '1.2.6', bare],
    ['library/node:22-slim', '22.x', 'bookworm-slim', 'glibc', '2.36', bare],
    [`node:22-alpine@sha256:${'a'.repeat(64)}`, '22.x', 'alpine3.24', 'musl', '1.2.6', bare],
  ])('%s', (spec, range, variant, libc, libcVersion, toolchain) => {
    const t = parseTarget(spec, ctx);
    const version = newest(range);
    expect(t).toMatchObject({
      id: spec,
      runtime: 'node',
      version,
      platform: 'linux',
      arch: 'x64',
      libc,
      libcVersion,
    });
    expect(t.abi).toBe(getAbi(version, 'node'));
    expect(t.napi).toBe(fromNodeVersion(version) ?? null);
    expect(t.toolchain).toEqual(toolchain);
    expect(t.image?.variant).toBe(variant);
    expect(t.image?.distro).toBe(libc === 'musl' ? 'alpine' : 'debian');
    expect(t.isHost).toBe(false);
  });

  it('normalises the image name and records the python3 of full images', () => {
    const t = parseTarget('docker.io/library/node:22', ctx);
    expect(t.image).toEqual({
      image: 'node:22',
      variant: 'bookworm',
      distro: 'debian',
      release: 'bookworm',
      pythonVersion: '3.11',
    });
    expect(parseTarget('node:22-alpine', ctx).image).toMatchObject({ release: '3.24', pythonVersion: null });
  });

  it('means by node:lts the newest line whose LTS has started on the given day', () => {
    expect(parseTarget('node:lts', { ...ctx, today: '2026-10-27' }).version).toBe(newest('24.x'));
    expect(parseTarget('node:lts', { ...ctx, today: '2026-10-28' }).version).toBe(newest('26.x'));
  });

  it('takes --arch when the variant is published for it', () => {
    expect(parseTarget('node:22-alpine', { ...ctx, arch: 'arm64' })).toMatchObject({
      arch: 'arm64',
      armv: '8',
    });
    expect(parseTarget('node:22-alpine', { ...ctx, arch: 'arm' })).toMatchObject({ arch: 'arm', armv: '7' });
    expect(parseTarget('node:24-trixie', { ...ctx, arch: 's390x' }).arch).toBe('s390x');
  });

  it.each([
    ['node:26-alpine', 's390x'],
    ['node:26-alpine', 'arm'],
    ['node:24-bookworm', 's390x'],
    ['node:22-trixie', 'arm'],
    ['node:22', 'riscv64'],
  ])('rejects %s on %s, which it is not published for', (spec, arch) => {
    expect(() => parseTarget(spec, { ...ctx, arch })).toThrow(
      expect.objectContaining({ reason: 'arch-not-published' }),
    );
  });

  it('uses the host arch by default', () => {
    expect(parseTarget('node:22', { ...ctx, host: fakeHost({ arch: 'arm64' }) }).arch).toBe('arm64');
    expect(() => parseTarget('node:22', { ...ctx, host: fakeHost({ arch: 'ia32' }) })).toThrow(TargetError);
  });
});

describe('invalid targets', () => {
  it.each([
    ['node:22-foo', 'unknown-variant'],
    ['nodeX', 'unknown-form'],
    ['python:3', 'not-node-image'],
    ['node99-linux-x64', 'unknown-version'],
    ['node22-linux-sparc', 'unknown-arch'],
    ['node22-plan9-x64', 'unknown-platform'],
    ['node22-darwin-arm64-musl', 'unknown-libc'],
    ['node22-linux-x64-uclibc', 'unknown-libc'],
    ['node22.15.7-linux-x64', 'unknown-version'],
    ['node:16', 'no-image-for-line'],
    ['node:22-stretch', 'unknown-variant'],
    ['electron@99', 'unknown-version'],
    ['electron@latest', 'unknown-version'],
    ['', 'empty'],
    ['node:22\nalpine', 'unknown-form'],
  ])('%j', (spec, reason) => {
    let error: unknown;
    try {
      parseTarget(spec, ctx);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TargetError);
    const e = error as TargetError;
    expect(e).toMatchObject({ code: 'ETARGET', spec, reason });
    const words = thrownWords(() => parseTarget(spec, ctx));
    expect(words).not.toMatch(/\n/);
    expect(words).toContain('node:22-alpine');
    expect(words).toContain('node22-linux-x64-musl');
  });
});

describe('resolveTargets', () => {
  it('splits commas, keeps order, drops duplicates', () => {
    const targets = resolveTargets(['node:22-alpine,host', 'node:22-alpine', ' node24-linux-arm64 '], ctx);
    expect(targets.map((t) => t.id)).toEqual(['node:22-alpine', 'host', 'node24-linux-arm64']);
  });

  it('keeps a single spec exactly as written', () => {
    expect(parseTarget(' node:22 ', ctx).id).toBe(' node:22 ');
  });

  it('means the host when nothing is given', () => {
    expect(resolveTargets([], ctx)).toEqual([host]);
    expect(resolveTargets([], { ...ctx, arch: 'arm64' })[0]).toMatchObject({ id: 'host', arch: 'arm64' });
  });

  it('throws on the first bad one', () => {
    expect(() => resolveTargets(['host', 'node:22-foo'], ctx)).toThrow(TargetError);
  });
});

describe('with other release data', () => {
  const small: NodeReleaseData = {
    generated: '2026-01-01',
    source: { versions: 'test', abi: 'test', napi: 'test' },
    lts: { '22': '2024-10-29', '24': '2025-10-28', '26': '2026-10-28' },
    releases: [
      { version: '24.2.0', abi: '137', napi: 10 },
      { version: '24.1.0', abi: '137', napi: 10 },
      { version: '22.1.0', abi: '127', napi: 9 },
    ],
  };

  it('resolves against it, with today defaulting to its date', () => {
    const c = { host, data: small };
    expect(parseTarget('node24-linux-x64', c).version).toBe('24.2.0');
    expect(parseTarget('node:lts', c).version).toBe('24.2.0');
    expect(parseTarget('node:current', c).version).toBe('24.2.0');
    expect(parseTarget('node:22', c).napi).toBe(fromNodeVersion('22.1.0'));
  });
});
