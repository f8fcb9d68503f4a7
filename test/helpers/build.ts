import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** The built command, as package.json's "bin" names it. */
export const CLI = join(REPO, 'dist', 'bin.js');

const built = () => existsSync(join(REPO, 'dist', 'hooks', 'run.js')) && existsSync(CLI);

function sleep(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Tests that run the built package (dist/, hooks/) build it when a run starts without it. Several
 * test files may ask at once (vitest runs them in parallel): one builds, the others wait (mkdir is atomic).
 */
export function ensureBuilt(): void {
  if (built()) return;
  const lock = join(REPO, '.cache', 'build.lock');
  mkdirSync(join(REPO, '.cache'), { recursive: true });
  for (let waited = 0; ; waited += 250) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited > 5 * 60_000) throw new Error(`timed out waiting for ${lock}`);
      sleep(250);
    }
  }
  try {
    if (!built()) execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
