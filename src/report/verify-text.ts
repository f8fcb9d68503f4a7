import type { VerifiedBinary, VerifyReport } from '../model/reports.js';
import { renderFinding, summaryLine } from './check-text.js';
import { inert } from './inert.js';
import { managerNote } from './manager-words.js';
import { makeStyle, pad, visibleLength } from './style.js';
import type { Style } from './style.js';

const status = (s: Style, b: VerifiedBinary): string => {
  if (b.loaded && !b.code) return s.green('loaded');
  if (b.code === 'JS_FALLBACK_IN_USE' || b.code === 'STRAY_BINARY') return s.yellow(b.code);
  return s.red(b.code ?? 'failed');
};

/** One line per binary (loaded or its code), then the findings with their fixes, then a summary. */
export function renderVerifyText(report: VerifyReport, opts: { color: boolean }): string {
  const s = makeStyle(opts.color);
  const n = report.node;
  const out: string[] = [];
  const count = report.binaries.filter((b) => b.file !== null).length;
  const nested = report.projects.length - 1;
  out.push(
    `${s.bold('native-guard verify')} ${inert(report.root)} ${s.dim(
      `(${count} ${count === 1 ? 'binary' : 'binaries'}${report.packageManager && report.packageManager.name !== 'npm' ? `, installed${managerNote(report.packageManager)}` : ''}${nested ? `, ${nested + 1} projects` : ''})`,
    )}`,
  );
  out.push(
    `  Node ${inert(n.version)} (abi ${inert(n.abi)}, napi ${n.napi ?? '?'}, ${inert(`${n.platform} ${n.arch}${n.libc ? ` ${n.libc}${n.libcVersion ? ` ${n.libcVersion}` : ''}` : ''}`)}) ${s.dim(inert(n.path))}`,
  );
  out.push('');
  if (report.binaries.length === 0) {
    out.push('No native binaries in this tree.');
  } else {
    const rows = report.binaries.map((b) => [
      status(s, b),
      inert(b.package ?? ''),
      b.file !== null ? inert(b.file) : s.dim(`(no binary: ${b.resolvedBy})`),
      s.dim(b.resolvedBy),
    ]);
    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => visibleLength(r[i]!))));
    for (const r of rows) {
      out.push(`  ${pad(r[0]!, widths[0]!)}  ${pad(r[1]!, widths[1]!)}  ${pad(r[2]!, widths[2]!)}  ${r[3]}`);
    }
  }
  if (report.findings.length) {
    out.push('');
    out.push(s.bold('Findings'));
    for (const f of report.findings) out.push(...renderFinding(s, f, [report.target]));
  }
  out.push('');
  const loaded = report.binaries.filter((b) => b.loaded && !b.code).length;
  const failed = report.binaries.filter((b) => !b.loaded && b.resolvedBy !== 'stray').length;
  const strays = report.binaries.filter((b) => b.resolvedBy === 'stray').length;
  out.push(
    `${loaded} loaded, ${failed} failed${strays ? `, ${strays} stray` : ''}; ${summaryLine(s, report.findings, report.ignored)}`,
  );
  return out.join('\n') + '\n';
}
