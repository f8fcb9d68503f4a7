// What a recorded cell says really happened, as one label (README.md, "Truth labels").
import { dirname } from 'node:path';

/**
 * @returns {{ label: string, binary?: string, why?: string }}
 *   run cells: timeout | install-failed | load-failed | call-failed | worked-prebuilt |
 *              worked-compiled | worked-no-binary
 *   files cells (musl): musl-loads | musl-fails | not-graded
 */
export function truthOf(cell) {
  if (cell.how === 'files') return muslTruth(cell);
  const i = cell.install ?? {};
  if (i.timedOut) return { label: 'timeout', why: 'the install did not finish in time: not graded' };
  if (i.exit !== 0) return { label: 'install-failed' };
  if (cell.require !== 'ok' && cell.require !== 'skipped') return { label: 'load-failed' };
  if (cell.call && cell.call !== 'ok') return { label: 'call-failed' };
  const loaded = (cell.loaded ?? []).filter((p) => p.endsWith('.node'));
  if (!loaded.length) return { label: 'worked-no-binary' };
  const compiledDirs = cell.compiled ?? [];
  const built = loaded.find((p) => compiledDirs.some((d) => p.startsWith(d + '/')));
  if (built) return { label: 'worked-compiled', binary: built };
  return { label: 'worked-prebuilt', binary: loaded[0] };
}

function muslTruth(cell) {
  if ((cell.install ?? {}).exit !== 0) return { label: 'not-graded', why: 'npm ci --libc=musl failed' };
  const named = (cell.musl ?? []).filter((v) => v.muslNamed);
  if (!named.length)
    return {
      label: 'not-graded',
      why: 'no musl-named x64 binary: the harness cannot tell what the package picks or builds on musl',
    };
  // one folder's worth of musl binaries (a platform package may ship several files)
  const folders = new Set(named.map((v) => dirname(v.path)));
  if (folders.size > 1) return { label: 'not-graded', why: `musl binaries in ${folders.size} folders` };
  if (named.some((v) => !v.loads && /libstdc\+\+|libgcc_s/.test(v.error ?? '')))
    return { label: 'not-graded', why: 'needs libstdc++/libgcc_s, which the musl harness does not provide' };
  if (named.some((v) => !v.loads && /Error loading shared library/.test(v.error ?? '')))
    return { label: 'not-graded', why: 'needs a shared library the harness does not provide' };
  if (named.every((v) => v.loads)) return { label: 'musl-loads', binary: named[0].path };
  return { label: 'musl-fails', binary: named.find((v) => !v.loads).path };
}
