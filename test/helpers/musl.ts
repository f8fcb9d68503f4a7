import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * musl's real dynamic linker as a judge: fixtures/musl holds a musl-built loader that dlopen()s a
 * file the way Node would (with stubs of every Node-API and libuv function) and copies of Debian's
 * musl dynamic linkers; fixtures/musl/README.md says how they were made. Needs linux-x64 only.
 */
const MUSL = fileURLToPath(new URL('../../fixtures/musl/', import.meta.url));

export const muslHarnessRunnable = process.platform === 'linux' && process.arch === 'x64';

export interface MuslVerdict {
  loads: boolean;
  /** dlerror's text when it does not load. */
  error: string | null;
}

export function muslLoads(file: string, version = '1.2.5', mode: '--now' | '--lazy' = '--now'): MuslVerdict {
  const child = spawnSync(`${MUSL}${version}/ld-musl-x86_64.so.1`, [`${MUSL}loader`, mode, file], {
    encoding: 'utf8',
    timeout: 10_000,
    killSignal: 'SIGKILL',
  });
  const line = child.stdout.trim();
  if (line === `OK ${file}`) return { loads: true, error: null };
  if (line.startsWith(`FAIL ${file}: `)) return { loads: false, error: line.slice(`FAIL ${file}: `.length) };
  throw new Error(
    `musl harness gave no verdict for ${file}: ${child.stdout}${child.stderr} (${child.status})`,
  );
}
