import type { CheckReport } from '../model/reports.js';
import { findingDocsAnchor } from '../model/findings.js';
import type { Finding, Severity } from '../model/findings.js';
import type { Outcome } from '../model/prediction.js';
import type { Target, ToolRejected } from '../model/target.js';
import { inert } from './inert.js';
import { managerNote } from './manager-words.js';
import { describe, describeIn } from './messages.js';
import { renderDockerSummary } from './docker-text.js';
import { makeStyle, pad, visibleLength } from './style.js';
import type { Style } from './style.js';

const outcomeStyle = (s: Style, o: Outcome) =>
  o === 'prebuilt' ? s.green(o) : o === 'source-build' ? s.yellow(o) : o === 'fails' ? s.red(o) : s.dim(o);

const severityStyle = (s: Style, sev: Severity) =>
  sev === 'error' ? s.red('error  ') : sev === 'warning' ? s.yellow('warning') : s.cyan('info   ');

/**
 * Tools the probe found inside the project or a node_modules folder and did not run (a dependency's
 * `python3` or `make` bin in node_modules/.bin), by name: "not run, inside the project: python3, make".
 */
function notRunTools(rejected: ToolRejected[]): string | null {
  const inside = rejected.filter((r) => r.reason === 'inside-project' || r.reason === 'inside-node-modules');
  if (inside.length === 0) return null;
  const names = [...new Set(inside.map((r) => r.candidate.split(/[\\/]/).pop() ?? r.candidate))];
  const project = inside.some((r) => r.reason === 'inside-project');
  const modules = inside.some((r) => r.reason === 'inside-node-modules');
  const where =
    project && modules
      ? 'inside the project or node_modules'
      : project
        ? 'inside the project'
        : 'in node_modules';
  return `not run, ${where}: ${names.map((n) => inert(n)).join(' ')}`;
}

export function describeTarget(t: Target): string {
  const libc = t.libc ? ` ${t.libc}${t.libcVersion ? ` ${t.libcVersion}` : ''}` : '';
  const tc = t.toolchain;
  let toolchain: string;
  if (tc.known === false) toolchain = 'toolchain unknown';
  else if (tc.details) {
    const d = tc.details;
    const parts = [
      d.python ? `python ${inert(d.python.version ?? '')}`.trim() : 'no python',
      d.make ? 'make' : 'no make',
      d.cxx ? inert(d.cxx.path.split('/').pop() ?? '') : 'no C++ compiler',
      d.headers ? `headers (${d.headers.source})` : 'no offline headers',
    ];
    const notRun = notRunTools(d.rejected ?? []);
    if (notRun) parts.push(notRun);
    toolchain = parts.join(', ');
  } else {
    toolchain = tc.python && tc.make && tc.cxx ? 'python3, make, g++' : 'no compiler toolchain';
  }
  return `${t.runtime} ${inert(t.version)}, abi ${inert(t.abi)}, napi ${t.napi ?? '?'}, ${inert(t.platform)} ${inert(t.arch)}${inert(libc)}; ${toolchain}`;
}

export function renderCheckText(report: CheckReport, opts: { color: boolean; verbose?: boolean }): string {
  const s = makeStyle(opts.color);
  const out: string[] = [];
  out.push(
    `${s.bold('native-guard check')} ${inert(report.root)} ${s.dim(`(${report.mode === 'installed' ? `installed tree${managerNote(report.packageManager)}` : 'lockfile only'}, ${report.packages.length} native ${report.packages.length === 1 ? 'package' : 'packages'})`)}`,
  );
  out.push('');
  out.push(s.bold('Targets'));
  const ids = report.targets.map((t) => inert(t.id));
  const idWidth = Math.max(...ids.map((id) => id.length));
  report.targets.forEach((t, i) => out.push(`  ${pad(ids[i]!, idWidth)}  ${describeTarget(t)}`));
  out.push('');
  if (report.docker) out.push(...renderDockerSummary(s, report.docker), '');

  if (report.packages.length === 0) {
    out.push('No native packages in this tree.');
  } else {
    const header = ['package', ...ids];
    const rows = report.packages.map((p) => [
      inert(`${p.name}@${p.version}`),
      ...report.targets.map((t) => {
        const pred = p.predictions.find((x) => x.target === t.id);
        return pred ? outcomeStyle(s, pred.outcome) : '';
      }),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i]!))));
    out.push(header.map((h, i) => s.bold(pad(h, widths[i]!))).join('  '));
    for (const r of rows) out.push(r.map((c, i) => pad(c, widths[i]!)).join('  '));
    if (opts.verbose) {
      out.push('');
      for (const p of report.packages) {
        out.push(
          `${s.bold(inert(`${p.name}@${p.version}`))} ${s.dim(inert(p.location))} ${s.dim(`[${p.strategies.join(' → ')}]`)}`,
        );
        for (const pred of p.predictions) {
          const where = pred.binary
            ? ` ${inert(`${pred.fromPackage ? `${pred.fromPackage}/` : ''}${pred.binary}`)}`
            : pred.url
              ? ` ${inert(pred.url)}`
              : '';
          const script = pred.installScript
            ? s.dim(
                ` (install script ${pred.installScript.needed === 'yes' ? 'needed' : pred.installScript.needed === 'no' ? 'not needed' : 'maybe needed'}; ${pred.installScript.tool}: ${pred.installScript.verdict})`,
              )
            : '';
          out.push(`  ${inert(pred.target)}: ${outcomeStyle(s, pred.outcome)}${where}${script}`);
        }
      }
    }
  }

  if (report.findings.length) {
    out.push('');
    out.push(s.bold('Findings'));
    if (opts.verbose) for (const f of report.findings) out.push(...renderFinding(s, f, report.targets));
    else
      for (const group of groupFindings(report.findings, report.targets)) out.push(...renderGroup(s, group));
  }
  out.push(...networkLines(s, report));
  out.push('');
  out.push(summaryLine(s, report.findings, report.ignored));
  return out.join('\n') + '\n';
}

interface FindingGroup {
  findings: Finding[];
  /** The Target the first finding names: the group's fix is worded from it. */
  target: Target | undefined;
  fix: string;
}

/**
 * The same finding for several targets (a download not checked on host and on arm64, a missing
 * toolchain on slim and on alpine) reads as one: same package, code, severity and evidence, and a
 * fix that reads the same on each target (apk on alpine and apt on slim are two groups). The group's
 * message is the finding's words with every target named. Order stays that of the sorted findings.
 */
export function groupFindings(findings: Finding[], targets: readonly Target[] = []): FindingGroup[] {
  const groups = new Map<string, FindingGroup>();
  for (const f of findings) {
    const target = targets.find((t) => t.id === f.target);
    const fix = describe(f, target).fix;
    const key = JSON.stringify([f.package ?? f.location ?? '', f.code, f.severity, f.evidence, fix]);
    const group = groups.get(key);
    if (group) group.findings.push(f);
    else groups.set(key, { findings: [f], target, fix });
  }
  return [...groups.values()];
}

function renderGroup(s: Style, g: FindingGroup): string[] {
  const first = g.findings[0]!;
  const ids = [...new Set(g.findings.map((f) => f.target).filter((t) => t !== undefined))];
  const words = describe(ids.length ? { ...first, target: ids.join(', ') } : first, g.target);
  return findingLines(s, first, words.message, g.fix);
}

export function renderFinding(s: Style, f: Finding, targets: readonly Target[] = []): string[] {
  const words = describeIn(f, targets);
  return findingLines(s, f, words.message, words.fix);
}

/** A finding's two lines: severity, code and message; then the fix and where the code is explained. */
function findingLines(s: Style, f: Finding, message: string, fix: string): string[] {
  const docs = s.dim(`(${findingDocsAnchor(f.code)})`);
  return [
    `  ${severityStyle(s, f.severity)} ${s.bold(f.code)}  ${message}`,
    `          ${fix ? `${s.dim('fix:')} ${fix} ${docs}` : docs}`,
  ];
}

export function summaryLine(s: Style, findings: Finding[], ignored: number): string {
  const count = (sev: Severity) => findings.filter((f) => f.severity === sev).length;
  const errors = count('error');
  const parts = [
    errors ? s.red(`${errors} error${errors === 1 ? '' : 's'}`) : s.green('0 errors'),
    `${count('warning')} warning${count('warning') === 1 ? '' : 's'}`,
    `${count('info')} info`,
  ];
  if (ignored) parts.push(`${ignored} ignored by config`);
  return parts.join(', ');
}

/**
 * What the network did or could do: lockfile mode's registry reads, `--online`'s URL checks, and,
 * offline, which answers `--online` would settle.
 */
export function networkLines(s: Style, report: CheckReport): string[] {
  const out: string[] = [];
  if (report.fetched) {
    const f = report.fetched;
    out.push('');
    out.push(
      s.dim(
        `lockfile mode: ${f.tarballs} package tarball${f.tarballs === 1 ? '' : 's'}${f.manifests ? ` and ${f.manifests} manifest${f.manifests === 1 ? '' : 's'}` : ''} read through npm's cache${f.offline ? ' (offline)' : ''}${f.unavailable ? `, ${f.unavailable} not available` : ''}${f.gypScanned ? `; ${f.gypScanned} more looked at there for a binding.gyp` : ''}`,
      ),
    );
    if (f.gypUncached) {
      out.push(
        s.dim(
          `${f.gypUncached} package${f.gypUncached === 1 ? '' : 's'} without install scripts ${f.gypUncached === 1 ? 'is' : 'are'} not in npm's cache and ${f.gypUncached === 1 ? 'was' : 'were'} not looked at for a binding.gyp (npm builds one with node-gyp even without a script); after \`npm ci --ignore-scripts\` or on the installed tree, check sees them`,
        ),
      );
    }
  }
  if (report.online) {
    const counts = new Map<string, number>();
    for (const c of report.online.checks) counts.set(c.status, (counts.get(c.status) ?? 0) + 1);
    const parts = [...counts].map(([status, n]) => `${n} ${status}`);
    out.push('');
    out.push(
      `--online: checked ${report.online.checks.length} download URL${report.online.checks.length === 1 ? '' : 's'}${parts.length ? ` (${parts.join(', ')})` : ''}`,
    );
    return out;
  }
  // a package's own downloader has no URL to check: --online cannot settle it
  const pending = report.findings.filter(
    (f) =>
      f.code === 'PREBUILD_DOWNLOAD_UNVERIFIED' &&
      f.evidence.tool !== 'install-script' &&
      !f.evidence.unknown,
  );
  if (pending.length) {
    out.push('');
    out.push(
      `${s.bold('--online')} would settle ${pending.length} answer${pending.length === 1 ? ' that depends' : 's that depend'} on a download: ${pending
        .map((f) => inert(`${f.package ?? f.location ?? ''} on ${f.target ?? '?'}`))
        .join(', ')}`,
    );
  }
  return out;
}
