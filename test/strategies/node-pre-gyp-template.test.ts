// What a node-pre-gyp URL that is not computable does to the prediction (issue 16): @discordjs/opus's
// own binary block, run by the fork installed next to it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInstalledTree } from '../../src/tree/actual.js';
import { analyzeTree } from '../helpers/analyze.js';
import { tempDir, writeProject } from '../helpers/fixture-project.js';

const opus = JSON.parse(
  readFileSync(new URL('./download/fixtures/discordjs-opus-0.10.0.json', import.meta.url), 'utf8'),
) as { binary: unknown; main: string; scripts: unknown };

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('ng-npg-template-');
});
afterAll(() => tmp.cleanup());

/** opus's manifest, depending on `fork`, with that fork installed at `version`. */
async function project(name: string, fork: string, version: string) {
  const dir = writeProject(join(tmp.dir, name), {
    root: { dependencies: { '@discordjs/opus': '0.10.0' } },
    packages: {
      'node_modules/@discordjs/opus': {
        manifest: {
          version: '0.10.0',
          main: opus.main,
          binary: opus.binary,
          scripts: opus.scripts,
          dependencies: { [fork]: `^${version}` },
        },
        files: { 'lib/index.js': '', 'binding.gyp': '{}' },
      },
      [`node_modules/${fork}`]: { manifest: { version } },
    },
  });
  return loadInstalledTree(dir);
}

const prediction = (report: ReturnType<typeof analyzeTree>) =>
  report.packages.find((p) => p.name === '@discordjs/opus')!.predictions[0]!;

describe('a node-pre-gyp URL that is not computable', () => {
  it('{libc_version} under @mapbox/node-pre-gyp is a miss: the build fallback decides', async () => {
    const p = prediction(analyzeTree(await project('mapbox', '@mapbox/node-pre-gyp', '2.0.3'), ['host']));
    expect(p.outcome).toBe('source-build');
    expect(p.evidence).toContainEqual(
      expect.objectContaining({
        kind: 'download',
        url: null,
        problem: { code: 'TEMPLATE_UNSET', reason: { why: 'template-unset', words: ['{libc_version}'] } },
      }),
    );
  });

  it('under @discordjs/node-pre-gyp, the host’s glibc version is in the URL', async () => {
    const p = prediction(
      analyzeTree(await project('discordjs', '@discordjs/node-pre-gyp', '0.4.5'), ['host']),
    );
    expect(p.outcome).toBe('unknown');
    expect(p.url).toMatch(/\/opus-v0\.10\.0-node-v115-napi-v3-linux-x64-glibc-2\.36\.tar\.gz$/);
  });
});
