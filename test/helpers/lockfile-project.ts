import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR, withLock } from './real-project.js';

/**
 * A project with a real package-lock.json resolved from the npm registry by the real npm
 * (`npm install --package-lock-only`: no node_modules, no scripts), cached in .cache/it by spec.
 */
export function lockfileOnlyProject(
  packages: string[],
  label: string,
  manifest: Record<string, unknown> = {},
): string {
  const key = createHash('sha256')
    .update(JSON.stringify({ packages, manifest, lockOnly: true }))
    .digest('hex')
    .slice(0, 12);
  const dir = join(CACHE_DIR, `${label}-${key}`);
  mkdirSync(CACHE_DIR, { recursive: true });
  return withLock(dir, () => {
    if (existsSync(join(dir, '.resolved'))) return dir;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'lock-project', version: '1.0.0', private: true, ...manifest }, null, 2),
    );
    execFileSync(
      'npm',
      ['install', '--package-lock-only', '--no-audit', '--no-fund', '--loglevel=error', ...packages],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 10 * 60_000 },
    );
    writeFileSync(join(dir, '.resolved'), new Date().toISOString());
    return dir;
  });
}
