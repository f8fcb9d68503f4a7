import type { CheckReport, VerifyReport } from '../model/reports.js';
import type { Finding } from '../model/findings.js';
import type { Target } from '../model/target.js';
import { renderFinding, summaryLine } from './check-text.js';
import { inert } from './inert.js';
import type { Style } from './style.js';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Error and warning findings, one line each (their first line from the full renderer); info is left out. */
function findingLines(s: Style, findings: Finding[], targets: readonly Target[]): string[] {
  return findings.filter((f) => f.severity !== 'info').map((f) => renderFinding(s, f, targets)[0]!);
}

const detailsHint = (findings: Finding[], command: string) =>
  findings.some((f) => f.severity !== 'info') ? `; fixes: npx native-guard ${command}` : '';

/** The hook's compact check output: a summary line, then one line per error or warning finding. */
export function renderCheckCompact(report: CheckReport, s: Style): string {
  const mode = report.mode === 'installed' ? 'installed tree' : 'lockfile only';
  const head =
    `${s.bold('native-guard check:')} ${plural(report.packages.length, 'native package')} ` +
    `for ${report.targets.map((t) => inert(t.id)).join(', ')} (${mode}): ` +
    `${summaryLine(s, report.findings, report.ignored)}${detailsHint(report.findings, 'check')}`;
  return [head, ...findingLines(s, report.findings, report.targets)].join('\n') + '\n';
}

/** The hook's compact verify output: a summary line, then one line per error or warning finding. */
export function renderVerifyCompact(report: VerifyReport, s: Style): string {
  const files = report.binaries.filter((b) => b.file !== null).length;
  const loaded = report.binaries.filter((b) => b.loaded && !b.code).length;
  const failed = report.binaries.filter((b) => !b.loaded && b.resolvedBy !== 'stray').length;
  const strays = report.binaries.filter((b) => b.resolvedBy === 'stray').length;
  const head =
    `${s.bold('native-guard verify:')} ${plural(files, 'binary', 'binaries')} with Node ${inert(report.node.version)}, ` +
    `${loaded} loaded, ${failed} failed${strays ? `, ${strays} stray` : ''}: ` +
    `${summaryLine(s, report.findings, report.ignored)}${detailsHint(report.findings, 'verify')}`;
  return [head, ...findingLines(s, report.findings, [report.target])].join('\n') + '\n';
}
