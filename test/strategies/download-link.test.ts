// A download link (prebuild-install, node-pre-gyp) for one target, on hand-built records and
// in-memory files: which manifest and which release of the tool the plan is made from, and what the
// exact URL becomes: a local prebuild, npm's `_prebuilds` cache, an `--online` answer, or unknown.
// The URL rules themselves are tested in test/strategies/download/. One problem per test.
import { describe, expect, it } from 'vitest';
import type { ManifestFacts, PackageFiles, PackageRecord } from '../../src/model/package.js';
import type { ChainLink, PlatformCandidate, PredictContext, UrlStatus } from '../../src/model/prediction.js';
import type { Target } from '../../src/model/target.js';
import { predictDownload } from '../../src/strategies/download-link.js';
import { packageFiles } from '../helpers/package-files.js';
import { targets } from '../helpers/targets.js';
import { manifestOf, packageRecord } from '../helpers/records.js';
import { predictContext } from '../helpers/predict-context.js';

const [bookworm, alpine, tuple] = targets([
  'node:22-bookworm',
  'node:22-alpine',
  'node22-linux-x64-glibc',
]) as [Target, Target, Target];

const REPO = { type: 'git', url: 'git+https://github.com/owner/addon.git' };
const RELEASES = 'https://github.com/owner/addon/releases/download/v1.0.0';
const GLIBC_URL = `${RELEASES}/addon-v1.0.0-node-v127-linux-x64.tar.gz`;
const MUSL_URL = `${RELEASES}/addon-v1.0.0-node-v127-linuxmusl-x64.tar.gz`;

const record = (name: string, version: string, manifest: Partial<ManifestFacts> = {}): PackageRecord =>
  packageRecord(name, version, { manifest: manifestOf(manifest) });

type DownloadLink = Extract<ChainLink, { strategy: 'prebuild-install' | 'node-pre-gyp' }>;
const PREBUILD_INSTALL: DownloadLink = {
  strategy: 'prebuild-install',
  args: [],
  script: { event: 'install', text: 'prebuild-install || node-gyp rebuild' },
};
const NODE_PRE_GYP: DownloadLink = {
  strategy: 'node-pre-gyp',
  args: ['install', '--fallback-to-build'],
  script: { event: 'install', text: 'node-pre-gyp install --fallback-to-build' },
};

interface Setup {
  manifest?: Partial<ManifestFacts>;
  /** package.json as the package ships it (null: not readable, the tree's manifest fields are used). */
  packageJson?: string | null;
  paths?: string[];
  tools?: Record<string, PlatformCandidate>;
  env?: Record<string, string>;
  cache?: string[];
}

function context(s: Setup, target: Target): PredictContext {
  const pkg = record('addon', '1.0.0', { repository: REPO, ...s.manifest });
  const base = packageFiles([...(s.paths ?? []), 'package.json']);
  const files: PackageFiles = {
    ...base,
    readText: (f) => (f === 'package.json' ? (s.packageJson ?? null) : null),
  };
  return predictContext({
    native: { pkg, chain: [], scripts: [] },
    files,
    target,
    resolvePlatformCandidate: (name, spec) => s.tools?.[name] ?? { source: 'missing', name, spec },
    env: s.env ?? {},
    npmCache: '/cache',
    cacheHas: (p) => (s.cache ?? []).includes(p),
  });
}

const run = (
  s: Setup,
  target: Target,
  link: DownloadLink = PREBUILD_INSTALL,
  status?: (url: string) => UrlStatus | undefined,
) => predictDownload(context(s, target), link, status);

describe('offline, nothing local: the exact URL, unknown', () => {
  it('prebuild-install for glibc and musl: the release asset named for each, unverified', () => {
    expect(run({}, bookworm)).toEqual({
      kind: 'unknown',
      strategy: 'prebuild-install',
      reason: 'download-unverified',
      url: GLIBC_URL,
      evidence: [
        {
          kind: 'download',
          tool: 'prebuild-install',
          url: GLIBC_URL,
          cached: null,
          local: null,
          problem: null,
        },
      ],
    });
    expect(run({}, alpine)).toMatchObject({ kind: 'unknown', url: MUSL_URL });
  });

  it("the package's own package.json is read whole: a repository only it names still gives the URL", () => {
    const s: Setup = {
      manifest: { repository: undefined },
      packageJson: JSON.stringify({ name: 'addon', version: '1.0.0', repository: REPO }),
    };
    expect(run(s, bookworm)).toMatchObject({ kind: 'unknown', url: GLIBC_URL });
    // without it, the tree's manifest fields have no repository: no URL can be made
    expect(run({ manifest: { repository: undefined } }, bookworm)).toMatchObject({
      kind: 'miss',
      evidence: [{ kind: 'download', url: null, problem: { code: 'NO_REPOSITORY' } }],
    });
  });

  it('a package.json that does not parse falls back to the fields the tree kept', () => {
    expect(run({ packageJson: '{ not json' }, bookworm)).toMatchObject({ kind: 'unknown', url: GLIBC_URL });
  });
});

describe('what answers the URL without the network', () => {
  it('a local prebuild in prebuilds/ (prebuild-install 6.1+): a binary, from the same URL', () => {
    const local = 'prebuilds/addon-v1.0.0-node-v127-linux-x64.tar.gz';
    expect(run({ paths: [local] }, bookworm)).toEqual({
      kind: 'binary',
      strategy: 'prebuild-install',
      binary: null,
      url: GLIBC_URL,
      evidence: [
        { kind: 'download', tool: 'prebuild-install', url: GLIBC_URL, cached: null, local, problem: null },
      ],
    });
    // the musl target asks for another file, which is not there
    expect(run({ paths: [local] }, alpine).kind).toBe('unknown');
  });

  it('the release of prebuild-install the package resolves (installed or locked) decides: 6.0 never looks in prebuilds/', () => {
    const local = 'prebuilds/addon-v1.0.0-node-v127-linux-x64.tar.gz';
    const tools = {
      'prebuild-install': { source: 'installed', record: record('prebuild-install', '6.0.0') },
    } as const;
    expect(run({ paths: [local], tools }, bookworm).kind).toBe('unknown');
    const locked: PlatformCandidate = {
      source: 'lockfile',
      entry: {
        location: 'node_modules/prebuild-install',
        name: 'prebuild-install',
        version: '6.0.2',
        optional: false,
        dev: false,
        hasInstallScript: false,
      },
    };
    expect(run({ paths: [local], tools: { 'prebuild-install': locked } }, bookworm).kind).toBe('unknown');
  });

  it("npm's _prebuilds cache holding the file: a binary, with the cache path as evidence", () => {
    // prebuild-install 7.1.2+ names the file by the first 6 hex digits of the URL's sha512
    const cached = run(
      { cache: ['/cache/_prebuilds/1fb500-addon-v1.0.0-node-v127-linux-x64.tar.gz'] },
      bookworm,
    );
    expect(cached).toMatchObject({
      kind: 'binary',
      url: GLIBC_URL,
      evidence: [{ cached: '/cache/_prebuilds/1fb500-addon-v1.0.0-node-v127-linux-x64.tar.gz', local: null }],
    });
  });

  it('npm_config_build_from_source: no download at all, a miss (the build after it decides)', () => {
    const r = run(
      {
        env: { npm_config_build_from_source: 'true' },
        paths: ['prebuilds/addon-v1.0.0-node-v127-linux-x64.tar.gz'],
      },
      bookworm,
    );
    expect(r.kind).toBe('miss');
  });
});

describe('--online answers', () => {
  const answer = (status: UrlStatus) => (url: string) => (url === GLIBC_URL ? status : undefined);

  it('present: a binary; missing, unreachable, timeout: a miss, so the chain goes on', () => {
    expect(run({}, bookworm, PREBUILD_INSTALL, answer('present'))).toMatchObject({
      kind: 'binary',
      url: GLIBC_URL,
    });
    for (const s of ['missing', 'unreachable', 'timeout'] as const)
      expect(run({}, bookworm, PREBUILD_INSTALL, answer(s)).kind, s).toBe('miss');
  });

  it('an error, or a URL that was not checked: still unknown', () => {
    expect(run({}, bookworm, PREBUILD_INSTALL, answer('error')).kind).toBe('unknown');
    expect(run({}, alpine, PREBUILD_INSTALL, answer('present'))).toMatchObject({
      kind: 'unknown',
      url: MUSL_URL,
    });
  });
});

describe('node-pre-gyp: the fork the package depends on sets the template words', () => {
  const binary = {
    module_name: 'addon',
    module_path: './lib/binding/{node_abi}-{platform}-{arch}',
    host: 'https://dl.example.com',
    remote_path: 'v{version}',
    package_name: '{module_name}-{node_abi}-{platform}-{arch}-{libc}-{libc_version}.tar.gz',
  };
  const manifest = (fork: string): Partial<ManifestFacts> => ({
    main: 'index.js',
    binary,
    dependencies: { [fork]: '*' },
  });
  const MODULE = 'lib/binding/node-v127-linux-x64/addon.node';

  it('@discordjs/node-pre-gyp sets {libc_version}: the image tells it, the URL is exact; module_path is the binary', () => {
    const url = 'https://dl.example.com/v1.0.0/addon-node-v127-linux-x64-glibc-2.36.tar.gz';
    expect(run({ manifest: manifest('@discordjs/node-pre-gyp') }, bookworm, NODE_PRE_GYP)).toMatchObject({
      kind: 'unknown',
      strategy: 'node-pre-gyp',
      url,
    });
    expect(
      run({ manifest: manifest('@discordjs/node-pre-gyp') }, bookworm, NODE_PRE_GYP, () => 'present'),
    ).toEqual({
      kind: 'binary',
      strategy: 'node-pre-gyp',
      binary: MODULE,
      url,
      evidence: [{ kind: 'download', tool: 'node-pre-gyp', url, cached: null, local: null, problem: null }],
    });
  });

  it('the same fork on a target that does not tell its glibc version: TEMPLATE_VALUE_UNKNOWN, unknown and never probed', () => {
    const probed: string[] = [];
    const r = run({ manifest: manifest('@discordjs/node-pre-gyp') }, tuple, NODE_PRE_GYP, (u) => {
      probed.push(u);
      return 'present';
    });
    expect(r).toMatchObject({
      kind: 'unknown',
      reason: 'download-unverified',
      evidence: [
        { url: null, problem: { code: 'TEMPLATE_VALUE_UNKNOWN', reason: { words: ['{libc_version}'] } } },
      ],
    });
    expect(probed).toEqual([]);
  });

  it('@mapbox/node-pre-gyp leaves {libc_version} as written: no such file, a miss (TEMPLATE_UNSET)', () => {
    expect(run({ manifest: manifest('@mapbox/node-pre-gyp') }, bookworm, NODE_PRE_GYP)).toMatchObject({
      kind: 'miss',
      evidence: [{ url: null, problem: { code: 'TEMPLATE_UNSET' } }],
    });
  });
});
