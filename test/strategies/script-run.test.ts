// `npm run <x>` and its kin inside an install script, on hand-built manifests: which script runs,
// what npm runs around it, and what lockfile mode keeps to read it.
import { describe, expect, it } from 'vitest';
import type { ChainLink } from '../../src/model/prediction.js';
import { scriptChain } from '../../src/strategies/script-chain.js';
import { scriptTexts } from '../../src/tree/tarball-scripts.js';
import { packageFiles } from '../helpers/package-files.js';

/** The chain of a package whose only install script is `scripts.install`, holding `texts`. */
function chain(scripts: Record<string, string>, texts: Record<string, string> = {}): string[] {
  const files = { ...packageFiles(Object.keys(texts)), readText: (f: string) => texts[f] ?? null };
  const { links } = scriptChain(
    [{ event: 'install', text: scripts.install! }],
    { files, scripts, binaryField: false, usesCmakeTs: false, nativeHint: true },
    false,
  );
  return links.map(describeLink);
}
const describeLink = (l: ChainLink): string =>
  l.strategy === 'unknown-script' && l.advisory ? 'unknown-script (advisory)' : l.strategy;

describe('npm runs pre<x> and post<x> around `npm run x`', () => {
  it('a build in pre<x> is the install’s build', () => {
    expect(chain({ install: 'npm run build', build: 'echo built', prebuild: 'node-gyp rebuild' })).toEqual([
      'source-build',
    ]);
    // without the pre script, the same install builds nothing
    expect(chain({ install: 'npm run build', build: 'echo built' })).toEqual([]);
  });

  it('a download in post<x> is the install’s binary', () => {
    expect(chain({ install: 'npm run setup', setup: 'echo ready', postsetup: 'prebuild-install' })).toEqual([
      'prebuild-install',
    ]);
  });

  it('pre<x>, x and post<x> chain like `&&`: configure before and build after are one build', () => {
    expect(
      chain({
        install: 'npm run build',
        prebuild: 'node-gyp configure',
        build: 'echo configured',
        postbuild: 'node-gyp build',
      }),
    ).toEqual(['source-build']);
  });

  it('`--ignore-scripts` runs x without its pre and post scripts', () => {
    expect(
      chain({ install: 'npm run --ignore-scripts build', build: 'echo built', prebuild: 'node-gyp rebuild' }),
    ).toEqual([]);
  });

  it('Yarn and pnpm run them or not by version and setting: said beside the answer, not judged', () => {
    for (const install of ['yarn build', 'yarn run build', 'pnpm run build', 'pnpm build']) {
      expect(
        chain({ install, build: 'node-gyp rebuild', prebuild: 'prebuild --all --strip' }),
        install,
      ).toEqual(['unknown-script (advisory)', 'source-build']);
    }
  });
});

describe('which script a runner command names', () => {
  it('skips options before the name that do not change whose scripts run', () => {
    for (const install of [
      'npm run --silent build',
      'npm run -s build',
      'npm --loglevel=error run build',
      'npm run-script build',
      'npm run build -- --release',
      'npm run build --release',
      'yarn --silent build',
      'pnpm -s run build',
    ]) {
      expect(chain({ install, build: 'node-gyp rebuild' }), install).toEqual(['source-build']);
    }
  });

  it('leaves unread an option that may change the package (`--prefix dir`, `-w pkg`)', () => {
    for (const install of ['npm --prefix native run build', 'npm run -w native build']) {
      expect(chain({ install, build: 'node-gyp rebuild' }), install).toEqual(['unknown-script']);
    }
  });

  it("a manager's own command is not a script of the same name", () => {
    // `pnpm rebuild` rebuilds the dependencies; `yarn install` installs them
    expect(chain({ install: 'pnpm rebuild', rebuild: 'node-gyp rebuild' })).toEqual(['unknown-script']);
    expect(chain({ install: 'pnpm run rebuild', rebuild: 'node-gyp rebuild' })).toEqual(['source-build']);
    expect(chain({ install: 'yarn compile', compile: 'node-gyp rebuild' })).toEqual(['source-build']);
  });

  it('a missing script is a failure, unless `--if-present`', () => {
    expect(chain({ install: 'npm run build' })).toEqual(['unknown-script']);
    expect(chain({ install: 'npm run build --if-present' })).toEqual([]);
    expect(chain({ install: 'npm run build --if-present || node-gyp rebuild' })).toEqual([]);
  });
});

describe('`node build.js || nodejs build.js` (fibers 5.0.3)', () => {
  // fibers' build.js, in short: no build in bin/ for this ABI → spawn node-gyp, exit 1 when it fails
  const buildJs = `var cp = require('child_process');
cp.spawn('node-gyp', ['rebuild', '--release'], { stdio: 'inherit' }).on('exit', function (err) {
  if (err) { console.error('node-gyp exited with code: ' + err); process.exit(1); }
});`;

  it('the `nodejs` branch runs the same file again, or is not found: no second chance', () => {
    const once = chain({ install: 'node build.js' }, { 'build.js': buildJs });
    expect(once).toEqual(['source-build']);
    expect(chain({ install: 'node build.js || nodejs build.js' }, { 'build.js': buildJs })).toEqual(once);
  });

  it('another file after `nodejs` is a second chance like any other', () => {
    expect(
      chain(
        { install: 'node build.js || nodejs fallback.js' },
        { 'build.js': buildJs, 'fallback.js': "require('child_process').execSync('prebuild-install')" },
      ),
    ).toEqual(['source-build', 'prebuild-install']);
  });
});

describe('lockfile mode keeps what the followed scripts name', () => {
  it('follows runs more than one level down, with their pre and post scripts, past options', () => {
    // @mongodb-js/zstd 7.0.0's shape: install → clean-install → install-zstd, compile
    const scripts = {
      install: 'prebuild-install --runtime napi || npm run -s clean-install',
      'clean-install': 'npm run install-zstd && npm run compile',
      'install-zstd': 'bash etc/install-zstd.sh',
      compile: 'node-gyp rebuild',
      precompile: 'node scripts/check.js',
      test: 'mocha test/*.js',
    };
    expect(scriptTexts({ scripts }).sort()).toEqual(
      [
        scripts.install,
        scripts['clean-install'],
        scripts['install-zstd'],
        scripts.compile,
        scripts.precompile,
      ].sort(),
    );
  });
});
