// detectNative on hand-built records and in-memory files: which packages are native at all, and the
// strategy chain read from the manifest (dependencies, optionalDependencies, gypfile, main), the
// install scripts and the top-level files. One problem per test.
import { describe, expect, it } from 'vitest';
import type { LockEntry, ManifestFacts, PackageFiles, PackageRecord } from '../../src/model/package.js';
import type { PlatformCandidate } from '../../src/model/prediction.js';
import { detectNative, strategyNames } from '../../src/strategies/detect.js';
import type { DetectContext } from '../../src/strategies/detect.js';
import { packageFiles } from '../helpers/package-files.js';
import { manifestOf, packageRecord } from '../helpers/records.js';

/** A package with these manifest fields and top-level entries (folders end in `/`). */
const record = (manifest: Partial<ManifestFacts>, rootEntries: string[]): PackageRecord =>
  packageRecord('pkg', '1.0.0', { manifest: manifestOf(manifest), rootEntries });

const locked = (name: string, c: { os?: string[]; cpu?: string[]; libc?: string[] }): PlatformCandidate => {
  const entry: LockEntry = {
    location: `node_modules/${name}`,
    name,
    version: '1.0.0',
    ...c,
    optional: true,
    dev: false,
    hasInstallScript: false,
  };
  return { source: 'lockfile', entry };
};

/** Files as text (package.json) plus bare paths; candidates for the optional dependencies. */
function ctx(
  paths: string[],
  candidates: Record<string, PlatformCandidate> = {},
  texts: Record<string, string> = {},
): DetectContext {
  const base = packageFiles([...paths, ...Object.keys(texts)]);
  const files: PackageFiles = { ...base, readText: (f) => texts[f] ?? null };
  return {
    files,
    resolvePlatformCandidate: (name, spec) => candidates[name] ?? { source: 'missing', name, spec },
  };
}

const detect = (
  manifest: Partial<ManifestFacts>,
  paths: string[],
  candidates: Record<string, PlatformCandidate> = {},
  texts: Record<string, string> = {},
) => {
  const all = [...paths, ...Object.keys(texts)];
  const roots = [...new Set(all.map((p) => (p.includes('/') ? `${p.split('/')[0]}/` : p)))];
  return detectNative(record(manifest, roots), ctx(paths, candidates, texts));
};

describe('what is not native', () => {
  it('a plain JS package, even with an install script, has no chain', () => {
    expect(detect({}, ['index.js', 'package.json'])).toBeNull();
    expect(
      detect({ scripts: { postinstall: 'node postinstall.js' } }, ['index.js', 'postinstall.js']),
    ).toBeNull();
  });

  it('a binding.gyp with `"gypfile": false` (npm then runs no build) and no script', () => {
    expect(detect({ gypfile: false }, ['binding.gyp', 'index.js'])).toBeNull();
  });

  it('one OS-only optional dependency (chokidar’s fsevents) is not a platform-package family', () => {
    const r = detect({ optionalDependencies: { fsevents: '~2.3.2' } }, ['index.js'], {
      fsevents: locked('fsevents', { os: ['darwin'] }),
    });
    expect(r).toBeNull();
  });
});

describe('chains from the top-level files', () => {
  it("a binding.gyp and no install script: npm's implicit `node-gyp rebuild`", () => {
    expect(detect({}, ['binding.gyp', 'src/a.cc'])?.chain).toEqual([
      { strategy: 'source-build', builder: 'implicit-node-gyp', script: null },
    ]);
  });

  it('a binding.gyp folder counts too (npm globs `*.gyp`)', () => {
    expect(detect({}, ['binding.gyp/x'])?.chain).toEqual([
      { strategy: 'source-build', builder: 'implicit-node-gyp', script: null },
    ]);
  });

  it('a preinstall script turns the implicit build off', () => {
    const r = detect({ scripts: { preinstall: 'node-gyp rebuild' } }, ['binding.gyp']);
    expect(r?.chain).toEqual([
      {
        strategy: 'source-build',
        builder: 'node-gyp',
        script: { event: 'preinstall', text: 'node-gyp rebuild' },
      },
    ]);
  });

  it('a .node at the top with nothing else: shipped-binary with those files', () => {
    expect(detect({}, ['addon.node', 'index.js'])?.chain).toEqual([
      { strategy: 'shipped-binary', files: ['addon.node'] },
    ]);
  });

  it('`main` pointing at a .node below the top: shipped-binary with that file', () => {
    expect(detect({ main: './lib/addon.node' }, ['lib/addon.node'])?.chain).toEqual([
      { strategy: 'shipped-binary', files: ['lib/addon.node'] },
    ]);
  });

  it('prebuilds/ and a node-gyp-build dependency, no script: its run-time loader, no build after it', () => {
    const r = detect({ dependencies: { 'node-gyp-build': '^4.8.0' } }, ['prebuilds/linux-x64/a.node']);
    expect(r?.chain).toEqual([{ strategy: 'node-gyp-build', optionalPackages: false, script: null }]);
  });

  it('prebuilds/ and a require-addon dependency (sodium-native 4): the require-addon loader', () => {
    const r = detect({ dependencies: { 'require-addon': '^1.1.0' } }, ['prebuilds/linux-x64/a.node']);
    expect(r?.chain).toEqual([{ strategy: 'shipped-binary', files: [], loader: { kind: 'require-addon' } }]);
  });

  it('prebuilds/, binding-options.js and a pkg-prebuilds dependency, no script: its run-time pick', () => {
    const r = detect({ dependencies: { 'pkg-prebuilds': '^1.0.0' } }, [
      'prebuilds/HID-linux-x64/node-napi-v4.node',
      'binding-options.js',
    ]);
    expect(r?.chain).toEqual([{ strategy: 'pkg-prebuilds', options: 'binding-options.js', script: null }]);
  });

  it("cmake-ts with its build manifest (zeromq 6), in the folder package.json's cmake-ts config names", () => {
    const json = JSON.stringify({ 'cmake-ts': { targetDirectory: './out' } });
    const r = detect(
      { dependencies: { 'cmake-ts': '^1.0.0' } },
      ['out/manifest.json'],
      {},
      { 'package.json': json },
    );
    expect(r?.chain).toEqual([
      { strategy: 'shipped-binary', files: [], loader: { kind: 'cmake-ts', dir: 'out' } },
    ]);
    // the default folder is build/: the same manifest elsewhere is not read, and nothing else is there
    expect(detect({ dependencies: { 'cmake-ts': '^1.0.0' } }, ['out/manifest.json'])).toBeNull();
  });

  it('binaries named per platform under build/ (farmhash): shipped-binary picked by name', () => {
    const files = ['build/farmhash-linux-x64.node', 'build/farmhash-linuxmusl-x64.node', 'index.js'];
    expect(detect({}, files)?.chain).toEqual([
      { strategy: 'shipped-binary', files: files.slice(0, 2), loader: { kind: 'named' } },
    ]);
  });

  it('the same named files with no build/ folder, no script and no native hint are not looked for', () => {
    expect(detect({}, ['lib/x-linux-x64.node', 'lib/x-darwin-arm64.node'])).toBeNull();
    // a detect-libc dependency is reason enough to look
    expect(
      detect({ dependencies: { 'detect-libc': '^2.0.0' } }, [
        'lib/x-linux-x64.node',
        'lib/x-darwin-arm64.node',
      ])?.chain[0],
    ).toMatchObject({ strategy: 'shipped-binary', loader: { kind: 'named' } });
  });
});

describe('chains from install scripts', () => {
  it('`node-gyp-build` installs: its pick, then the build it falls back to', () => {
    const script = { event: 'install' as const, text: 'node-gyp-build' };
    const r = detect(
      { scripts: { install: 'node-gyp-build' }, dependencies: { 'node-gyp-build': '^4.8.0' } },
      ['binding.gyp', 'prebuilds/linux-x64/a.node'],
    );
    expect(r?.chain).toEqual([
      { strategy: 'node-gyp-build', optionalPackages: false, script },
      { strategy: 'source-build', builder: 'node-gyp', script },
    ]);
    expect(r?.scripts).toEqual([script]);
  });

  it('`prebuild-install || node-gyp rebuild`: download, then build', () => {
    const text = 'prebuild-install -r napi || node-gyp rebuild';
    const script = { event: 'install' as const, text };
    const r = detect({ scripts: { install: text }, dependencies: { 'prebuild-install': '^7.1.1' } }, [
      'binding.gyp',
    ]);
    expect(r?.chain).toEqual([
      { strategy: 'prebuild-install', args: ['-r', 'napi'], script },
      { strategy: 'source-build', builder: 'node-gyp', script },
    ]);
    expect(strategyNames(r!)).toEqual(['prebuild-install', 'source-build']);
  });

  it("`npm run <x>` stands for the script it names, read from the package's own package.json", () => {
    const json = JSON.stringify({
      scripts: { install: 'npm run build-addon', 'build-addon': 'node-gyp rebuild' },
    });
    const r = detect(
      { scripts: { install: 'npm run build-addon' } },
      ['binding.gyp', 'src/a.cc'],
      {},
      {
        'package.json': json,
      },
    );
    expect(r?.chain).toEqual([
      {
        strategy: 'source-build',
        builder: 'node-gyp',
        script: { event: 'install', text: 'npm run build-addon' },
      },
    ]);
  });

  it('an install script not understood, in a package with a native hint: unknown-script', () => {
    const text = 'node ./fetch-binary.js';
    const r = detect({ scripts: { install: text }, dependencies: { 'node-addon-api': '^8.0.0' } }, [
      'lib/index.js',
    ]);
    expect(r?.chain).toEqual([
      { strategy: 'unknown-script', script: { event: 'install', text }, optIn: false },
    ]);
  });
});

describe('platform packages and the optional-packages loader', () => {
  const sharpish = {
    '@img/sharp-linux-x64': locked('@img/sharp-linux-x64', { os: ['linux'], cpu: ['x64'], libc: ['glibc'] }),
    '@img/sharp-linuxmusl-x64': locked('@img/sharp-linuxmusl-x64', {
      os: ['linux'],
      cpu: ['x64'],
      libc: ['musl'],
    }),
    'plain-helper': locked('plain-helper', {}),
  };
  const optionalDependencies = {
    '@img/sharp-linux-x64': '0.34.5',
    '@img/sharp-linuxmusl-x64': '0.34.5',
    'plain-helper': '1',
  };

  it('two or more optional dependencies with os/cpu/libc: platform-packages, listing only those', () => {
    const r = detect({ optionalDependencies }, ['lib/index.js'], sharpish);
    expect(r?.chain).toEqual([
      { strategy: 'platform-packages', candidates: ['@img/sharp-linux-x64', '@img/sharp-linuxmusl-x64'] },
    ]);
  });

  it('entries nothing describes count when their names read like platforms, beside one that is described', () => {
    const r = detect(
      { optionalDependencies: { '@x/core-linux-x64-gnu': '1', '@x/core-darwin-arm64': '1', other: '1' } },
      ['index.js'],
      { '@x/core-darwin-arm64': locked('@x/core-darwin-arm64', { os: ['darwin'], cpu: ['arm64'] }) },
    );
    expect(r?.chain).toEqual([
      { strategy: 'platform-packages', candidates: ['@x/core-linux-x64-gnu', '@x/core-darwin-arm64'] },
    ]);
  });

  it('node-gyp-build-optional-packages (lmdb): its loader reads the platform packages, no platform-packages link', () => {
    const r = detect(
      { dependencies: { 'node-gyp-build-optional-packages': '5.2.2' }, optionalDependencies },
      ['index.js'],
      sharpish,
    );
    expect(r?.chain).toEqual([{ strategy: 'node-gyp-build', optionalPackages: true, script: null }]);
  });

  it('platform packages and an install script the package runs besides: both links, in that order', () => {
    const text = 'node install/check.js';
    const r = detect({ optionalDependencies, scripts: { install: text } }, ['lib/index.js'], sharpish);
    expect(strategyNames(r!)).toEqual(['platform-packages', 'unknown-script']);
  });
});
