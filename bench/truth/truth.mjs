// What a recorded cell says really happened, as one label (README.md, "Truth labels").
import { dirname } from 'node:path';

/**
 * @param subjects the graded package names (the `via` package and the one installed)
 * @param exclude the project's other dependencies (population's extraDependencies)
 * @returns {{ label: string, binary?: string, why?: string }}
 *   run cells: timeout | install-failed | load-failed | call-failed | worked-prebuilt |
 *              worked-compiled | worked-no-binary
 *   files cells (musl): musl-loads | musl-fails | not-graded
 */
export function truthOf(cell, subjects = [], exclude = []) {
  if (cell.how === 'files') return muslTruth(cell);
  const i = cell.install ?? {};
  if (i.timedOut) return { label: 'timeout', why: 'the install did not finish in time: not graded' };
  if (i.exit !== 0) {
    // npm names the package whose script failed; a failure in another package of the project (the
    // SQLite an extension is loaded into) says nothing about the graded one
    const failed = failedPackage([...(i.errors ?? []), i.log].join('\n'));
    if (failed && subjects.length && !subjects.includes(failed))
      return { label: 'not-graded', why: `the install failed in ${failed}, not in the graded package` };
    return { label: 'install-failed', ...(failed ? { package: failed } : {}) };
  }
  if (cell.require !== 'ok' && cell.require !== 'skipped') return { label: 'load-failed' };
  if (cell.call && cell.call !== 'ok') {
    // qemu-user does not emulate every syscall (keyctl: ENOSYS, 'Unknown(38)'): not the package's fault
    if (
      / arm64$/.test(cell.node ?? '') &&
      /ENOSYS|Function not implemented|Unknown\(38\)/.test(cell.error ?? '')
    )
      return { label: 'not-graded', why: 'a syscall qemu-user does not emulate (ENOSYS)' };
    return { label: 'call-failed' };
  }
  // the binaries that served the call: .node files, and shared objects loaded from node_modules
  // (an SQLite extension is a .so), less those of the project's other dependencies (the SQLite an
  // extension is loaded into is graded on its own)
  const others = exclude.map((name) => `node_modules/${name}/`);
  const loaded = (cell.loaded ?? []).filter(
    (p) => (p.endsWith('.node') || /\.so(\.[0-9]+)*$/.test(p)) && !others.some((o) => p.includes(o)),
  );
  if (!loaded.length) return { label: 'worked-no-binary' };
  const compiledDirs = cell.compiled ?? [];
  const built = loaded.find((p) => compiledDirs.some((d) => p.startsWith(d + '/')));
  if (built) return { label: 'worked-compiled', binary: built };
  return { label: 'worked-prebuilt', binary: loaded[0] };
}

/** The package of npm's `npm error path …/node_modules/<name>` line, when there is one. */
export function failedPackage(log) {
  const m = /npm error path (\S+)/.exec(String(log ?? ''));
  if (!m) return null;
  const rest = m[1].split('node_modules/').at(-1);
  if (!rest || rest === m[1]) return null;
  const parts = rest.split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
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

// ---------------------------------------------------------------------------------------------
// Grading rules (README.md, "Grading")

/** Findings that name the check which would turn an `unknown` into an answer. */
export const SETTLING = new Set([
  'PREBUILD_DOWNLOAD_UNVERIFIED',
  'DOWNLOAD_HOST_UNREACHABLE',
  'MANIFEST_UNAVAILABLE',
  'NODE_HEADERS_UNAVAILABLE',
  'PLATFORM_PACKAGE_NOT_READ',
  'PLATFORM_PACKAGES_UNRESOLVED',
  'SHARED_LIBRARY_UNCHECKED',
]);

/** right | wrong | not-graded, with the reason. */
export function grade(truth, prediction, cell) {
  if (!truth || !prediction) return { grade: 'not-graded', why: 'no truth or no prediction' };
  const t = truth.label;
  const p = prediction.outcome;
  if (t === 'timeout' || t === 'not-graded') return { grade: 'not-graded', why: truth.why ?? t };
  if (p === 'unknown') {
    // an unknown is an honest answer only when a finding names the check that would settle it
    // (--online for a download, the registry for a manifest, the headers); INSTALL_SCRIPT_UNKNOWN
    // alone only says the script was not understood, and the truth shows it could have been
    const settling = (prediction.findings ?? []).filter((f) => SETTLING.has(f.code));
    return settling.length
      ? { grade: 'right', why: `unknown, settled by ${settling.map((f) => f.code).join(', ')}` }
      : {
          grade: 'wrong',
          why: `unknown with no finding that says what would settle it (${(prediction.findings ?? []).map((f) => f.code).join(', ') || 'none'})`,
        };
  }
  // `no-binary`: the install succeeds with no binary, and the package works only if its JS falls back
  if (p === 'no-binary')
    return t === 'worked-no-binary'
      ? { grade: 'right' }
      : { grade: 'wrong', why: `predicted an install with no binary, really ${t}` };
  const failed = t === 'install-failed' || t === 'load-failed' || t === 'call-failed' || t === 'musl-fails';
  if (failed)
    return p === 'fails' ? { grade: 'right' } : { grade: 'wrong', why: `predicted ${p}, really ${t}` };
  if (t === 'worked-prebuilt' || t === 'musl-loads')
    return p === 'prebuilt' ? { grade: 'right' } : { grade: 'wrong', why: `predicted ${p}, really ${t}` };
  if (t === 'worked-compiled')
    return p === 'source-build' ? { grade: 'right' } : { grade: 'wrong', why: `predicted ${p}, really ${t}` };
  if (t === 'worked-no-binary') {
    // installed and working with no .node loaded: native-guard may say nothing (not native here),
    // or name a binary the package ships or builds but did not need for the call; never `fails`
    if (p === 'not-native' || p === 'none') return { grade: 'right' };
    if (p === 'fails')
      return {
        grade: 'wrong',
        why: 'predicted fails, but the install worked and the package works without a binary',
      };
    // a .node outside every folder that was built came with a tarball (downloads are unreachable
    // here), so `prebuilt` named a binary that really was there
    const built = cell?.compiled ?? [];
    const shipped = (cell?.nodeFiles ?? []).some((f) => !built.some((d) => f.path.startsWith(`${d}/`)));
    if (p === 'prebuilt' && shipped) return { grade: 'right' };
    if (p === 'source-build' && (cell?.compiled ?? []).length) return { grade: 'right' };
    return { grade: 'wrong', why: `predicted ${p}, but no binary was installed or built` };
  }
  return { grade: 'not-graded', why: `truth ${t}` };
}

/** One prediction per target for the subject, plus the findings about it. */
export function extract(report, subjects, targets) {
  const out = {};
  // the package reached through another is graded when native-guard lists it; else the parent
  // (next's @next/swc-* platform packages are predicted under next itself)
  const pkg = subjects.map((s) => report?.packages?.find((p) => p.name === s)).find(Boolean);
  const subject = pkg?.name ?? subjects[0];
  for (const t of targets) {
    const p = pkg?.predictions?.find((x) => x.target === t);
    const findings = (report?.findings ?? [])
      .filter((f) => f.package?.startsWith(`${subject}@`) && (!f.target || f.target === t))
      .map((f) => ({ code: f.code, severity: f.severity }));
    out[t] = pkg
      ? { outcome: p?.outcome ?? 'none', strategy: p?.strategy ?? null, binary: p?.binary ?? null, findings }
      : { outcome: 'not-native', findings };
  }
  return out;
}
