import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/model/reports.js';
import type { ProjectTree } from '../../src/model/package.js';
import { scriptChain } from '../../src/strategies/script-chain.js';
import { parseScript } from '../../src/strategies/script-parse.js';
import { describe as words } from '../../src/report/messages.js';
import { renderCheckText } from '../../src/report/check-text.js';
import { loadInstalledTree } from '../../src/tree/actual.js';
import { keepRequired, scriptTexts } from '../../src/tree/tarball-scripts.js';
import { analyzeTree } from '../helpers/analyze.js';
import { fakeHost, noToolchain } from '../helpers/targets.js';

// Real packages' files (fixtures/trees/chains/README.md); what a real `npm ci` of each did is in
// bench/truth/records/ and quoted beside each case.
const root = fileURLToPath(new URL('../../fixtures/trees/chains', import.meta.url));

let tree: ProjectTree;
let withToolchain: CheckReport;
let slim: CheckReport;
beforeAll(async () => {
  tree = await loadInstalledTree(root);
  withToolchain = analyzeTree(tree, ['host']);
  slim = analyzeTree(tree, ['host'], { host: fakeHost({ toolchain: noToolchain }) });
});

const verdict = (r: CheckReport, name: string) => {
  const pkg = r.packages.find((p) => p.name === name);
  const findings = r.findings
    .filter((f) => f.package?.startsWith(`${name}@`))
    .map((f) => `${f.code}/${f.severity}`)
    .sort();
  return { outcome: pkg?.predictions[0]?.outcome ?? 'not-native', findings };
};

describe('parseScript: install scripts as sh groups them', () => {
  it('reads and-or lists left to right, with redirections dropped', () => {
    // cpu-features 0.0.10
    expect(parseScript('node buildcheck.js > buildcheck.gypi && node-gyp rebuild')).toEqual({
      type: 'and',
      left: { type: 'cmd', argv: ['node', 'buildcheck.js'] },
      right: { type: 'cmd', argv: ['node-gyp', 'rebuild'] },
    });
    // @homebridge/node-pty-prebuilt-multiarch 0.14.1: `a || b || c` is `(a || b) || c`
    expect(
      parseScript('node scripts/check-prebuild.js || prebuild-install --verbose || node scripts/install.js'),
    ).toMatchObject({
      type: 'or',
      left: { type: 'or', right: { argv: ['prebuild-install', '--verbose'] } },
      right: { argv: ['node', 'scripts/install.js'] },
    });
    expect(parseScript('node-gyp rebuild 2>&1 >/dev/null || echo "no build"')).toEqual({
      type: 'or',
      left: { type: 'cmd', argv: ['node-gyp', 'rebuild'] },
      right: { type: 'cmd', argv: ['echo', 'no build'] },
    });
  });

  it('keeps subshells, sequences and env prefixes apart', () => {
    expect(parseScript('(cd deps && FOO=1 make) ; node-gyp rebuild || exit 0')).toEqual({
      type: 'seq',
      left: {
        type: 'and',
        left: { type: 'cmd', argv: ['cd', 'deps'] },
        right: { type: 'cmd', argv: ['make'] },
      },
      right: {
        type: 'or',
        left: { type: 'cmd', argv: ['node-gyp', 'rebuild'] },
        right: { type: 'cmd', argv: ['exit', '0'] },
      },
    });
    // re2 1.24.0: the flags stay words of install-from-cache
    const re2 = JSON.parse(readFileSync(`${root}/node_modules/re2/package.json`, 'utf8')) as {
      scripts: { install: string };
    };
    expect(parseScript(re2.scripts.install)).toMatchObject({
      type: 'or',
      left: {
        argv: [
          'install-from-cache',
          '--artifact',
          'build/Release/re2.node',
          '--host-var',
          'RE2_DOWNLOAD_MIRROR',
          '--skip-path-var',
          'RE2_DOWNLOAD_SKIP_PATH',
          '--skip-ver-var',
          'RE2_DOWNLOAD_SKIP_VER',
        ],
      },
      right: { argv: ['node-gyp', '-j', 'max', 'rebuild'] },
    });
  });

  it('gives up on what does not parse rather than guess', () => {
    expect(parseScript('node "install.js')).toBeNull();
    expect(parseScript('(node-gyp rebuild')).toBeNull();
    expect(parseScript('node-gyp rebuild ||')).toBeNull();
    expect(parseScript('('.repeat(100) + 'true' + ')'.repeat(100))).toBeNull();
  });
});

describe('install-script chains on real packages', () => {
  it('`node-gyp rebuild || node suppress-error.js` installs with no binary where the build fails (dtrace-provider 0.8.8)', () => {
    // truth: slim "no binary, works" (its JS falls back to a stub), host compiled
    expect(verdict(withToolchain, 'dtrace-provider')).toEqual({
      outcome: 'source-build',
      findings: ['SOURCE_BUILD_REQUIRED/warning'],
    });
    expect(verdict(slim, 'dtrace-provider')).toEqual({
      outcome: 'no-binary',
      findings: ['INSTALLED_WITHOUT_BINARY/warning', 'TOOLCHAIN_MISSING/warning'],
    });
  });

  it('says the install goes on, not that it fails, and that only its JavaScript can make it work', () => {
    const about = (code: string) =>
      slim.findings.find((f) => f.code === code && f.package?.startsWith('dtrace-provider@'))!;
    expect(words(about('TOOLCHAIN_MISSING')).message).toBe(
      "dtrace-provider@0.8.8's source build fails on host, which lacks python3, make, a C++ compiler (g++); the install goes on without it",
    );
    expect(words(about('INSTALLED_WITHOUT_BINARY')).message).toBe(
      'dtrace-provider@0.8.8 on host: its source build fails, yet the install succeeds (the script ends in `node suppress-error.js`); it works only if its JavaScript falls back to code without the binary',
    );
    // a package's own downloader has no URL for --online to check
    const skia = slim.findings.find(
      (f) => f.code === 'PREBUILD_DOWNLOAD_UNVERIFIED' && f.package?.startsWith('skia-canvas@'),
    )!;
    expect(words(skia).message).toBe(
      'skia-canvas@3.0.8 on host: its install script lib/prebuild.mjs would download from github.com; not checked offline, with no fallback if it is missing',
    );
    expect(words(skia).fix).not.toContain('--online');
    const settle = renderCheckText(slim, { color: false })
      .split('\n')
      .find((l) => l.startsWith('--online would settle'));
    expect(settle).toContain('nodejieba@3.5.8 on host');
    expect(settle).not.toContain('re2@');
    expect(settle).not.toContain('skia-canvas');
    expect(settle).not.toContain('onnxruntime-node');
  });

  it('`npm run rebuild || echo …` follows the script it names (bigint-buffer 1.1.5)', () => {
    // truth: slim "no binary, works" (pure-JS fallback), host compiled
    expect(verdict(withToolchain, 'bigint-buffer').outcome).toBe('source-build');
    expect(verdict(slim, 'bigint-buffer')).toEqual({
      outcome: 'no-binary',
      findings: ['INSTALLED_WITHOUT_BINARY/warning', 'TOOLCHAIN_MISSING/warning'],
    });
  });

  it('`npm run build-addon` → `node-gyp configure && node-gyp rebuild` is one build (mmap-io 1.1.7)', () => {
    // truth: slim install fails
    expect(verdict(slim, 'mmap-io')).toEqual({ outcome: 'fails', findings: ['TOOLCHAIN_MISSING/error'] });
    // with a toolchain the chain is a build too, and it fails on the (fake) host's Node 20: its
    // binding.gyp pins -std=c++11 (truth: the host install failed in V8's headers)
    expect(verdict(withToolchain, 'mmap-io')).toEqual({
      outcome: 'fails',
      findings: ['BUILD_CXX_STANDARD_TOO_OLD/error'],
    });
  });

  it('a step that only prepares does not hide the build after `&&`; an optional dependency that fails is dropped (cpu-features 0.0.10 under ssh2)', () => {
    // truth: cpu-features compiles with a toolchain; without one its build fails, npm removes the
    // optional dependency and ssh2 works ("no binary, works")
    expect(verdict(withToolchain, 'cpu-features').outcome).toBe('source-build');
    expect(verdict(slim, 'cpu-features')).toEqual({
      outcome: 'no-binary',
      findings: [
        'INSTALLED_WITHOUT_BINARY/warning',
        'INSTALL_SCRIPT_UNKNOWN/warning',
        'TOOLCHAIN_MISSING/warning',
      ],
    });
    const finding = slim.findings.find(
      (f) => f.code === 'INSTALLED_WITHOUT_BINARY' && f.package?.startsWith('cpu-features@'),
    );
    expect(finding?.evidence).toEqual({ cause: 'optional', tail: null, failed: 'build' });
  });

  it('a node file that runs node-gyp and always exits 0 is a build that may quietly fail (ssh2 1.17.0 install.js)', () => {
    expect(verdict(withToolchain, 'ssh2').outcome).toBe('source-build');
    expect(verdict(slim, 'ssh2').outcome).toBe('no-binary');
  });

  it('a preinstall beside a recognised install is reported, not deciding (scrypt 6.0.3)', () => {
    // truth: slim install fails (node-gyp rebuild without a toolchain)
    expect(verdict(slim, 'scrypt')).toEqual({
      outcome: 'fails',
      findings: ['INSTALL_SCRIPT_UNKNOWN/warning', 'TOOLCHAIN_MISSING/error'],
    });
    // libxmljs 1.0.11: preinstall `node scripts/preinstall.js`, install node-pre-gyp --fallback-to-build
    expect(verdict(slim, 'libxmljs')).toEqual({
      outcome: 'unknown',
      findings: [
        'INSTALL_SCRIPT_UNKNOWN/warning',
        'PREBUILD_DOWNLOAD_UNVERIFIED/warning',
        'TOOLCHAIN_MISSING/warning',
      ],
    });
  });

  it('`node <file>` scripts are read for the tool they run (v8-profiler-next, nodejieba, re2)', () => {
    const tools = (name: string) => withToolchain.packages.find((p) => p.name === name)?.strategies;
    // scripts/install.js → ./gyp.js: `node-pre-gyp install --fallback-to-build`, else node-gyp rebuild
    expect(tools('v8-profiler-next')).toEqual(['node-pre-gyp', 'source-build']);
    // `npx @mapbox/node-pre-gyp install --fallback-to-build`
    expect(tools('nodejieba')).toEqual(['node-pre-gyp', 'source-build']);
    // install-artifact-from-github: a GitHub download, then `node-gyp -j max rebuild`
    expect(tools('re2')).toEqual(['script-download', 'source-build']);
    for (const name of ['v8-profiler-next', 'nodejieba', 're2']) {
      // truth: slim install fails (download unreachable, no toolchain): offline, the download is the open question
      expect(verdict(slim, name).outcome).toBe('unknown');
      expect(verdict(slim, name).findings).toContain('PREBUILD_DOWNLOAD_UNVERIFIED/warning');
      expect(verdict(slim, name).findings).not.toContain('INSTALL_SCRIPT_UNKNOWN/warning');
    }
  });

  it("a package's own downloader names its hosts (onnxruntime-node 1.31.1, skia-canvas 3.0.8)", () => {
    for (const name of ['onnxruntime-node', 'skia-canvas']) {
      expect(verdict(slim, name)).toEqual({
        outcome: 'unknown',
        findings: ['PREBUILD_DOWNLOAD_UNVERIFIED/warning'],
      });
    }
    const skia = slim.findings.find(
      (f) => f.code === 'PREBUILD_DOWNLOAD_UNVERIFIED' && f.package?.startsWith('skia-canvas@'),
    );
    expect(skia?.evidence).toMatchObject({
      tool: 'install-script',
      file: 'lib/prebuild.mjs',
      hosts: ['github.com'],
    });
  });
});

describe('a load test of a bundled prebuild', () => {
  it('`node scripts/check-prebuild.js || prebuild-install || node scripts/install.js` is node-gyp-build’s layout first (@homebridge/node-pty-prebuilt-multiarch 0.14.1)', () => {
    // truth: prebuilt on every x64 run (prebuilds/linux-x64/node.abi115.node for Node 20)
    const pkg = withToolchain.packages.find((p) => p.name === '@homebridge/node-pty-prebuilt-multiarch');
    expect(pkg?.strategies.slice(0, 2)).toEqual(['node-gyp-build', 'prebuild-install']);
    for (const r of [withToolchain, slim]) {
      const p = r.packages.find((x) => x.name === '@homebridge/node-pty-prebuilt-multiarch')?.predictions[0];
      expect(p).toMatchObject({ outcome: 'prebuilt', binary: 'prebuilds/linux-x64/node.abi115.node' });
    }
  });
});

describe('quiet files in a chain', () => {
  /** The real package's own files, read from the fixture folder. */
  const filesOf = (name: string) => ({
    list: () => null,
    exists: () => false,
    facts: () => null,
    readText: (file: string) => {
      try {
        return readFileSync(`${root}/node_modules/${name}/${file}`, 'utf8');
      } catch {
        return null;
      }
    },
  });
  const chainOf = (name: string) => {
    const manifest = JSON.parse(readFileSync(`${root}/node_modules/${name}/package.json`, 'utf8')) as {
      scripts: Record<string, string>;
    };
    const install = { event: 'install' as const, text: manifest.scripts.install! };
    return scriptChain(
      [install],
      {
        files: filesOf(name),
        scripts: manifest.scripts,
        binaryField: false,
        usesCmakeTs: false,
        nativeHint: true,
      },
      false,
    ).links.map((l) => l.strategy);
  };

  it('a tail that exits non-zero only when an environment variable asks still lets the install pass (dtrace-provider)', () => {
    expect(chainOf('dtrace-provider')).toEqual(['source-build', 'no-binary']);
  });

  it("a head that exits non-zero on one platform is a platform gate (win-version-info 6.0.1's skip.js)", () => {
    // `node skip.js || node-gyp-build`: skip.js exits 1 on win32 only, so node-gyp-build runs there
    expect(chainOf('win-version-info')).toEqual(['no-binary', 'node-gyp-build', 'source-build']);
  });

  it('off the gated platform nothing is built and nothing is needed; on it, the build after the gate is judged (win-version-info 6.0.1)', () => {
    // truth (bench/truth/records): on linux `npm ci` builds nothing and the package works, with or without a toolchain
    for (const r of [withToolchain, slim]) {
      expect(verdict(r, 'win-version-info')).toEqual({
        outcome: 'no-binary',
        findings: ['NO_BUILD_ON_PLATFORM/info'],
      });
    }
    const win = analyzeTree(tree, ['node22-win32-x64']);
    const pkg = win.packages.find((p) => p.name === 'win-version-info');
    // this fixture keeps only package.json and skip.js (no prebuilds/): node-gyp-build's link decides
    expect(pkg?.predictions[0]?.outcome).not.toBe('no-binary');
    expect(win.findings.some((f) => f.code === 'NO_BUILD_ON_PLATFORM')).toBe(false);
  });
});

describe('hostile scripts stay bounded', () => {
  it('`npm run` fan-out, repeated node files and a minified line of quotes finish with an answer', () => {
    const many = (cmd: string) => Array.from({ length: 400 }, () => cmd).join(' && ');
    const scripts: Record<string, string> = {
      install: 'npm run a',
      a: many('npm run b'),
      b: many('npm run c'),
      c: many('node x.js'),
    };
    let reads = 0;
    // one line of 200 000 quotes with an https URL at the end, as a minified file might hold
    const text = `${"'".repeat(200_000)}https://example.net/x.node'`;
    const files = {
      list: () => null,
      exists: () => false,
      facts: () => null,
      readText: (file: string) => {
        reads++;
        return file === 'x.js' ? text : null;
      },
    };
    const { links } = scriptChain(
      [{ event: 'install', text: scripts.install! }],
      { files, scripts, binaryField: false, usesCmakeTs: false, nativeHint: true },
      false,
    );
    expect(links.length).toBeGreaterThan(0);
    expect(reads).toBeLessThan(100);
  });
});

describe('lockfile mode keeps the files the scripts need', () => {
  it('keeps the script `npm run` names and the files a kept script requires, one level down', () => {
    const base = `${root}/node_modules/v8-profiler-next`;
    const texts = new Map([
      ['scripts/install.js', readFileSync(`${base}/scripts/install.js`, 'utf8')],
      ['scripts/gyp.js', readFileSync(`${base}/scripts/gyp.js`, 'utf8')],
      ['scripts/unrelated.js', 'module.exports = 1'],
    ]);
    const kept: Record<string, string> = { 'scripts/install.js': texts.get('scripts/install.js')! };
    keepRequired(kept, texts);
    expect(Object.keys(kept).sort()).toEqual(['scripts/gyp.js', 'scripts/install.js']);
    // mmap-io: install is `npm run build-addon`
    const mmap = JSON.parse(readFileSync(`${root}/node_modules/mmap-io/package.json`, 'utf8')) as Record<
      string,
      unknown
    >;
    expect(scriptTexts(mmap)).toEqual(['npm run build-addon', 'node-gyp configure && node-gyp rebuild']);
  });
});
