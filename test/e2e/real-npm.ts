import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/build.js';

const CACHE = join(REPO, '.cache', 'npm');

/**
 * A real npm of a major, from the registry (`npm pack npm@<major>`), unpacked into .cache/npm/<version>/
 * the way scripts/fetch-node.mjs caches Node binaries: staged in a private folder and renamed into
 * place complete, reused after. Returns its bin/npm-cli.js (run it as `node <path>`), or the reason
 * there is none so that a test can say why it skips.
 */
export function realNpm(major: number): { cli: string | null; version: string | null; reason: string } {
  try {
    mkdirSync(CACHE, { recursive: true });
    const spec = `npm@${major}`;
    const tmp = mkdtempSync(join(CACHE, '.tmp-'));
    try {
      const out = execFileSync(
        'npm',
        ['pack', spec, '--json', '--pack-destination', tmp, '--loglevel=error', '--prefer-offline'],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10 * 60_000 },
      );
      const [packed] = JSON.parse(out) as Array<{ filename: string; version: string }>;
      if (!packed?.filename) throw new Error(`npm pack ${spec} gave no tarball`);
      const dest = join(CACHE, packed.version);
      const cli = join(dest, 'bin', 'npm-cli.js');
      if (existsSync(join(dest, '.complete'))) return { cli, version: packed.version, reason: '' };
      execFileSync('tar', ['-xzf', join(tmp, packed.filename), '-C', tmp], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      writeFileSync(join(tmp, 'package', '.complete'), `${spec}\n`);
      rmSync(dest, { recursive: true, force: true });
      renameSync(join(tmp, 'package'), dest);
      return { cli, version: packed.version, reason: '' };
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return {
      cli: null,
      version: null,
      reason: `no npm ${major}: ${(e.stderr || e.message).trim().split('\n')[0]}`,
    };
  }
}
