import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where integration tests keep installed projects between runs (a fresh clone starts empty). */
export const CACHE_DIR = fileURLToPath(new URL('../../.cache/it', import.meta.url));

export interface RealProjectOptions {
  /** Extra package.json fields for the project (nativeGuard config, allowScripts…). */
  manifest?: Record<string, unknown>;
  /** Environment for `npm install` (PATH without a toolchain, npm_config_*). */
  env?: Record<string, string | undefined>;
  /** Folder name prefix, to tell projects apart in .cache/it. */
  label?: string;
}

function sleep(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A cross-process lock (vitest runs files in parallel workers): mkdir is atomic. */
export function withLock<T>(dir: string, fn: () => T): T {
  const lock = `${dir}.lock`;
  for (let waited = 0; ; waited += 500) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // a lock older than 20 minutes belongs to a run that died
      try {
        if (Date.now() - statSync(lock).mtimeMs > 20 * 60_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // gone already
      }
      if (waited > 30 * 60_000) throw new Error(`timed out waiting for ${lock}`);
      sleep(500);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * A project with real packages installed from the npm registry by the real npm, cached by its
 * spec so that several test files (and reruns) share one install. Returns the project folder.
 */
export function installRealProject(packages: string[], options: RealProjectOptions = {}): string {
  const key = createHash('sha256')
    .update(
      JSON.stringify({
        packages,
        manifest: options.manifest ?? {},
        env: options.env ?? {},
        node: process.version,
      }),
    )
    .digest('hex')
    .slice(0, 12);
  const dir = join(CACHE_DIR, `${options.label ?? 'project'}-${key}`);
  mkdirSync(CACHE_DIR, { recursive: true });
  return withLock(dir, () => {
    const done = join(dir, '.installed');
    if (existsSync(done)) return dir;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'it-project', version: '1.0.0', private: true, ...options.manifest }, null, 2),
    );
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...packages], {
      cwd: dir,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15 * 60_000,
    });
    writeFileSync(done, new Date().toISOString());
    return dir;
  });
}

export const readJson = <T = Record<string, unknown>>(file: string): T =>
  JSON.parse(readFileSync(file, 'utf8')) as T;
