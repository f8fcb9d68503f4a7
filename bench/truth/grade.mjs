#!/usr/bin/env node
// node bench/truth/grade.mjs [--cli dist/bin.js] [--only a,b] [--jobs 2] [--out docs/accuracy.md]
//                            [--refresh]
//
// Grades a native-guard build against the recorded truth (records/*.json): for every record, the
// CLI's `check --lockfile-only --json` on the committed lockfile, per group of targets that share
// an environment (README.md, "Targets"), plus `check --json` and `verify --json` on the host
// install when run-truth.mjs left it in place. Predictions are cached per build (a hash of the
// CLI's folder) and per lockfile, so grading a new build costs one set of CLI runs and
// re-rendering is free. Writes the matrix, the figures and the wrong cells to docs/accuracy.md,
// and the same as JSON to <WORK>/grade.json.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { HERE, ROOT, RECORDS, RUNS, WORK, makeSlimBin, readJson, writeJson } from './lib.mjs';
import { extract, grade, truthOf } from './truth.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const CLI = resolve(opt('cli', join(ROOT, 'dist', 'bin.js')));
const only = opt('only', '') ? new Set(opt('only').split(',')) : null;
const jobs = Math.min(2, Number(opt('jobs', '2')));
const OUT = resolve(opt('out', join(ROOT, 'docs', 'accuracy.md')));
const refresh = args.includes('--refresh');
const GRADER_VERSION = 2;

/**
 * The CLI runs: each a set of targets checked in one environment. `cells` maps the run kinds of
 * the records to the target id whose prediction grades them.
 */
export const GROUPS = [
  {
    id: 'toolchain',
    path: 'toolchain',
    targets: ['host', 'node22', 'node24'],
    cells: { host: 'host', node22: 'node22', node24: 'node24' },
  },
  {
    id: 'slim',
    path: 'slim',
    targets: ['host', 'node22', 'node24', 'node20-linux-x64-musl1.2.5'],
    cells: {
      slim: 'host',
      'node22-slim': 'node22',
      'node24-slim': 'node24',
      musl: 'node20-linux-x64-musl1.2.5',
    },
  },
  {
    id: 'arm64',
    path: 'slim',
    targets: ['node:22-bookworm-slim'],
    arch: 'arm64',
    cells: { 'arm64-slim': 'node:22-bookworm-slim' },
  },
];
/** The human name of each run kind's target, for the report. */
export const TARGET_NAMES = {
  host: 'host (Node 20, glibc 2.36, toolchain)',
  slim: 'host without toolchain',
  node22: 'Node 22, toolchain',
  'node22-slim': 'Node 22, no toolchain',
  node24: 'Node 24, toolchain',
  'node24-slim': 'Node 24, no toolchain',
  'arm64-slim': 'linux arm64 glibc, Node 22, no toolchain',
  musl: 'linux x64 musl 1.2.5 (files)',
};

function hashCli(cli) {
  const h = createHash('sha256');
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js') || e.name.endsWith('.json')) h.update(e.name).update(readFileSync(p));
    }
  };
  walk(dirname(cli));
  return h.digest('hex').slice(0, 16);
}

function slimPath() {
  return makeSlimBin(join(WORK, 'slim-bin'));
}

function runCli(argv, { cwd, env }) {
  return new Promise((res) => {
    const child = spawn(process.execPath, [CLI, ...argv], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      let json = null;
      try {
        json = JSON.parse(stdout);
      } catch {
        // reported below as an operational error
      }
      res({ code, json, stderr: stderr.slice(-2000) });
    });
  });
}

function cliEnv(path) {
  const env = { ...process.env, NO_COLOR: '1', PATH: path === 'slim' ? slimPath() : process.env.PATH };
  for (const k of Object.keys(env)) if (k.startsWith('npm_') || k === 'NODE_OPTIONS') delete env[k];
  delete env.PYTHON;
  return env;
}

async function predict(record, cliHash) {
  const key = `${record.name.replace('/', '+')}@${record.version}`;
  // the grader's own version is part of the key: a change to what is extracted re-runs the CLI
  const cacheFile = join(WORK, 'predictions', `${cliHash}-g${GRADER_VERSION}`, `${key}.json`);
  const lockText = readFileSync(join(HERE, record.lockfile), 'utf8');
  const lockHash = createHash('sha256').update(lockText).digest('hex').slice(0, 16);
  const cached = readJson(cacheFile, null);
  const subjects = [...new Set([record.via?.name, record.name].filter(Boolean))];
  const subject = subjects[0];
  const hostTree = join(WORK, 'runs', key, 'host');
  // the host tree counts only once its cell is recorded (run-truth.mjs may be reinstalling it) and
  // the install worked; a cached answer is reused while that is unchanged
  const host = record.runs.host;
  const hostSig = host && host.install?.exit === 0 ? `${host.date} ${host.install.seconds}` : null;
  const hostInstalled = hostSig !== null && existsSync(join(hostTree, 'node_modules'));
  const wantSig = hostInstalled ? hostSig : null;
  // a change of the graded package (population's via) is a new question too
  const same =
    cached && cached.lockHash === lockHash && cached.subjects?.join() === subjects.join() && !refresh;
  if (same && cached.hostSig === wantSig) return cached;
  // the lockfile part is reused when only the host install changed
  const lockPart = same ? cached : null;
  const project = join(WORK, 'grade', key);
  rmSync(project, { recursive: true, force: true });
  mkdirSync(project, { recursive: true });
  const lock = JSON.parse(lockText);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify(
      {
        name: 'truth-project',
        version: '1.0.0',
        private: true,
        dependencies: lock.packages[''].dependencies,
      },
      null,
      2,
    ),
  );
  writeFileSync(join(project, 'package-lock.json'), lockText);
  const result = {
    lockHash,
    hostSig: hostInstalled ? hostSig : null,
    subject,
    subjects,
    lockfileOnly: {},
    installed: null,
    verify: null,
    errors: [],
  };
  for (const g of lockPart ? [] : GROUPS) {
    const argv = [
      'check',
      '--lockfile-only',
      '--json',
      '--no-dockerfile',
      '-C',
      project,
      '--target',
      g.targets.join(','),
    ];
    if (g.arch) argv.push('--arch', g.arch);
    const r = await runCli(argv, { cwd: project, env: cliEnv(g.path) });
    if (!r.json) result.errors.push({ group: g.id, exit: r.code, stderr: r.stderr });
    const preds = extract(r.json, subjects, g.targets);
    for (const [cell, target] of Object.entries(g.cells))
      result.lockfileOnly[cell] = { target, ...preds[target] };
  }
  if (lockPart) {
    result.lockfileOnly = lockPart.lockfileOnly;
    result.errors.push(
      ...(lockPart.errors ?? []).filter((e) => e.group !== 'installed' && e.group !== 'verify'),
    );
  }
  // the installed host tree, where run-truth.mjs kept it
  if (hostInstalled) {
    const c = await runCli(['check', '--json', '--no-dockerfile', '-C', hostTree, '--target', 'host'], {
      cwd: hostTree,
      env: cliEnv('toolchain'),
    });
    result.installed = c.json
      ? { host: { target: 'host', ...extract(c.json, subjects, ['host']).host } }
      : null;
    if (!c.json) result.errors.push({ group: 'installed', exit: c.code, stderr: c.stderr });
    const v = await runCli(['verify', '--json', '-C', hostTree], { cwd: hostTree, env: cliEnv('toolchain') });
    if (v.json) {
      result.verify = {
        exit: v.code,
        findings: (v.json.findings ?? [])
          .filter((f) => !f.package || subjects.some((s) => f.package.startsWith(`${s}@`)))
          .map((f) => ({
            code: f.code,
            severity: f.severity,
            package: f.package ?? null,
            file: f.evidence?.file ?? null,
          })),
        loaded: (v.json.binaries ?? [])
          .filter((b) => subjects.some((s) => b.package?.startsWith(`${s}@`)))
          .map((b) => ({ file: b.file, loaded: b.loaded })),
      };
    } else result.errors.push({ group: 'verify', exit: v.code, stderr: v.stderr });
  }
  writeJson(cacheFile, result);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Grading rules (README.md, "Grading")

/** true when the cell is a `prebuilt` promise where the real install (or load) failed. */
const falsePrebuilt = (truth, p) =>
  p?.outcome === 'prebuilt' &&
  ['install-failed', 'load-failed', 'call-failed', 'musl-fails'].includes(truth.label);
/** true when `fails` was said where it really worked. */
const falseFails = (truth, p) =>
  (p?.outcome === 'fails' && truth.label.startsWith('worked')) ||
  (p?.outcome === 'fails' && truth.label === 'musl-loads');

// ---------------------------------------------------------------------------------------------

const records = readdirSync(RECORDS)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.lock.json'))
  .map((f) => readJson(join(RECORDS, f)))
  .filter((r) => r.lockfile && existsSync(join(HERE, r.lockfile)) && Object.keys(r.runs ?? {}).length)
  .filter((r) => !only || only.has(r.name));
const population = readJson(join(HERE, 'population.json'));
const noLock = readdirSync(RECORDS)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.lock.json'))
  .map((f) => readJson(join(RECORDS, f)))
  .filter((r) => r.lockfileError && !Object.keys(r.runs ?? {}).length);
const rank = new Map(population.packages.map((p, i) => [p.name, i]));
records.sort((a, b) => (rank.get(a.name) ?? 1e9) - (rank.get(b.name) ?? 1e9));
const causes = readJson(join(HERE, 'causes.json'), {});
/** What prebuild-install, node-pre-gyp and friends print when their download fails. */
const DOWNLOAD_FAILED =
  /prebuild-install (warn|WARN) install|node-pre-gyp (WARN|ERR!) (Tried to download|Pre-built binaries not)|(request to|getaddrinfo|connect ECONNREFUSED|ETIMEDOUT).*(github|amazonaws|storage\.googleapis)|Failed to download|download failed/i;

const cliHash = hashCli(CLI);
console.error(`grading ${records.length} records with ${relative(ROOT, CLI) || CLI} (build ${cliHash})`);
const predictions = new Map();
let next = 0;
await Promise.all(
  Array.from({ length: jobs }, async () => {
    while (next < records.length) {
      const r = records[next++];
      try {
        predictions.set(r, await predict(r, cliHash));
      } catch (err) {
        predictions.set(r, { errors: [{ group: 'harness', stderr: err.message }], lockfileOnly: {} });
      }
      process.stderr.write(`  ${predictions.size}/${records.length} ${r.name}\n`);
    }
  }),
);

const kinds = Object.keys(RUNS);
const rows = [];
for (const r of records) {
  const pred = predictions.get(r);
  for (const kind of kinds) {
    const cell = r.runs[kind];
    if (!cell) continue;
    const truth = truthOf(
      cell,
      [r.via?.name, r.name].filter(Boolean),
      Object.keys(r.extraDependencies ?? {}),
    );
    const modes = [['lockfile-only', pred.lockfileOnly?.[kind]]];
    if (kind === 'host' && pred.installed?.host) modes.push(['installed', pred.installed.host]);
    for (const [mode, p] of modes) {
      const g = grade(truth, p, cell);
      const id = `${r.name}@${r.version} ${kind}${mode === 'installed' ? ' installed' : ''}`;
      rows.push({
        name: r.name,
        version: r.version,
        subject: pred.subject ?? r.via?.name ?? r.name,
        kind,
        mode,
        truth: truth.label,
        how: cell.how,
        prediction: p?.outcome ?? 'none',
        findings: [...new Set((p?.findings ?? []).map((f) => f.code))],
        grade: g.grade,
        why: g.why ?? null,
        falsePrebuilt: falsePrebuilt(truth, p),
        falseFails: falseFails(truth, p),
        downloadFailed: DOWNLOAD_FAILED.test(cell.install?.log ?? ''),
        cause:
          causes[id] ??
          causes[`${r.name}@${r.version} ${kind}`] ??
          causes[`${r.name}@${r.version} *`] ??
          null,
      });
    }
  }
}

// verify: an error from verify on the host install of a package that really worked is a false alarm
const verifyRows = [];
for (const r of records) {
  const pred = predictions.get(r);
  const host = r.runs.host;
  if (!pred.verify || !host) continue;
  const truth = truthOf(
    host,
    [r.via?.name, r.name].filter(Boolean),
    Object.keys(r.extraDependencies ?? {}),
  ).label;
  const errors = pred.verify.findings.filter((f) => f.severity === 'error');
  const worked = truth.startsWith('worked');
  verifyRows.push({
    name: r.name,
    version: r.version,
    truth,
    errors: errors.map((f) => f.code),
    cause: causes[`${r.name}@${r.version} verify`] ?? null,
    grade: worked ? (errors.length ? 'wrong' : 'right') : errors.length ? 'right' : 'wrong',
  });
}

// ---------------------------------------------------------------------------------------------
// The report

const pct = (a, b) => (b ? `${((100 * a) / b).toFixed(1)} %` : '–');
const graded = rows.filter((x) => x.grade !== 'not-graded');
const byKind = (mode) =>
  kinds.map((k) => {
    const rs = rows.filter((x) => x.kind === k && x.mode === mode);
    const g = rs.filter((x) => x.grade !== 'not-graded');
    return {
      kind: k,
      cells: rs.length,
      graded: g.length,
      right: g.filter((x) => x.grade === 'right').length,
      unknown: g.filter((x) => x.prediction === 'unknown').length,
      falsePrebuilt: rs.filter((x) => x.falsePrebuilt).length,
      falseFails: rs.filter((x) => x.falseFails).length,
    };
  });
const lock = graded.filter((x) => x.mode === 'lockfile-only');
const summary = {
  cli: relative(ROOT, CLI),
  build: cliHash,
  records: records.length,
  packagesGraded: new Set(lock.map((x) => x.name)).size,
  cellsGraded: lock.length,
  right: lock.filter((x) => x.grade === 'right').length,
  falsePrebuilt: rows.filter((x) => x.mode === 'lockfile-only' && x.falsePrebuilt).length,
  falseFails: rows.filter((x) => x.mode === 'lockfile-only' && x.falseFails).length,
  unknown: lock.filter((x) => x.prediction === 'unknown').length,
  perTarget: byKind('lockfile-only'),
  installed: byKind('installed').filter((k) => k.cells),
  verify: { graded: verifyRows.length, right: verifyRows.filter((v) => v.grade === 'right').length },
  cliErrors: [...predictions.entries()]
    .filter(([, p]) => p.errors?.length)
    .map(([r, p]) => ({ name: r.name, errors: p.errors })),
};

const mark = (x) => (x.grade === 'right' ? '✓' : x.grade === 'wrong' ? '✗' : '·');
const short = {
  'worked-prebuilt': 'prebuilt',
  'worked-compiled': 'compiled',
  'worked-no-binary': 'no binary, works',
  'install-failed': 'install fails',
  'load-failed': 'load fails',
  'call-failed': 'call fails',
  'musl-loads': 'musl loads',
  'musl-fails': 'musl fails',
  'not-graded': 'not graded',
  timeout: 'timeout',
};
let md = `# Accuracy on the real population

Generated by \`node bench/truth/grade.mjs\` (bench/truth/README.md) from the committed truth records
in \`bench/truth/records/\`, grading the build \`${summary.cli}\` (hash ${cliHash}). Do not edit by hand:
re-run the harness. How each cell was obtained, the truth labels and the grading rules are in
[bench/truth/README.md](../bench/truth/README.md).

## Coverage

${kinds
  .map((k) => {
    const n = records.filter((r) => r.runs[k]).length;
    const lockable = population.packages.length - noLock.length;
    return `- \`${k}\`: ${n} of ${lockable} packages recorded${n < lockable ? ' (incomplete)' : ''}`;
  })
  .join('\n')}

${
  noLock.length
    ? `Packages with no lockfile, so no cell (\`npm install --package-lock-only\` itself failed; that is the real outcome of installing them here):\n\n${noLock
        .map(
          (r) =>
            `- ${r.name}@${r.version}: ${r.lockfileError
              .split('\n')
              .filter((l) => /npm error (code|notsup Unsupported|command|An unknown)/.test(l))
              .slice(0, 2)
              .join(' / ')
              .replaceAll('|', '\\|')}`,
        )
        .join('\n')}\n\n`
    : ''
}A run that stopped resumes where it stopped: \`nohup node bench/truth/run-truth.mjs > truth.log 2>&1 &\`
(cells already recorded are skipped), then \`node bench/truth/grade.mjs\` regenerates this page.

## Figures (\`check --lockfile-only\`)

- packages with at least one graded cell: **${summary.packagesGraded}** (records: ${summary.records}; population: ${population.packages.length})
- graded cells: **${summary.cellsGraded}**, right: **${summary.right}** (**${pct(summary.right, summary.cellsGraded)}**)
- \`prebuilt\` promised where the real install or load failed: **${summary.falsePrebuilt}**
- \`fails\` said where it really worked: **${summary.falseFails}**
- \`unknown\` answers: **${summary.unknown}** (graded right only with a finding that says what would settle it)

| target | run | cells | graded | right | accuracy | unknown | false prebuilt | false fails |
|---|---|---|---|---|---|---|---|---|
${summary.perTarget.map((k) => `| ${TARGET_NAMES[k.kind]} | \`${k.kind}\` | ${k.cells} | ${k.graded} | ${k.right} | ${pct(k.right, k.graded)} | ${k.unknown} | ${k.falsePrebuilt} | ${k.falseFails} |`).join('\n')}

`;
// The installed-tree and verify sections need run-truth's host installs (WORK/runs/*/host). On a
// machine without them those cells cannot be regraded: the previous page's sections are carried over,
// marked with the build they graded, rather than dropped without a word.
const previous = existsSync(OUT) ? readFileSync(OUT, 'utf8') : '';
const carried =
  !summary.installed.length && !verifyRows.length
    ? previous.match(/### `check` on the installed host tree\n[\s\S]*?(?=\n## )/)?.[0]
    : undefined;
if (carried) {
  // the build those cells were graded with: the previous page's, or the one it carried them from
  const fromHash =
    carried.match(/the page that graded build ([0-9a-f]+)/)?.[1] ??
    previous.match(/\(hash ([0-9a-f]+)\)/)?.[1] ??
    'unknown';
  const body = carried
    .replace(/\nNot regraded in this run:[^\n]*\n(Its wrong installed-tree cells:\n\n(\|[^\n]*\n?)+)?/, '')
    .trimEnd();
  const oldWrong = previous.split('\n').filter((l) => /^\| .* \| `[\w-]+` \(installed\) \|/.test(l));
  const where = `${process.env.TRUTH_WORK ? '$TRUTH_WORK' : '~/.cache/native-guard-truth'}/runs/*/host`;
  md += `${body}\n\nNot regraded in this run: run-truth's host installs (\`${where}\`) are not on the machine that ran it. Carried over from the page that graded build ${fromHash}.\n${
    oldWrong.length
      ? `Its wrong installed-tree cells:\n\n| package | target | truth | predicted | findings | note |\n|---|---|---|---|---|---|\n${oldWrong.join('\n')}\n`
      : ''
  }\n`;
}
if (summary.installed.length) {
  md += `### \`check\` on the installed host tree

| target | graded | right | accuracy | false prebuilt | false fails |
|---|---|---|---|---|---|
${summary.installed.map((k) => `| ${TARGET_NAMES[k.kind]} | ${k.graded} | ${k.right} | ${pct(k.right, k.graded)} | ${k.falsePrebuilt} | ${k.falseFails} |`).join('\n')}

`;
}
if (verifyRows.length) {
  const wrongV = verifyRows.filter((v) => v.grade === 'wrong');
  md += `### \`verify\` on the host install

${summary.verify.right} of ${summary.verify.graded} right (an error from verify about a package that really worked is wrong, and so is silence about one whose load or call failed).
${wrongV.length ? `\n| package | truth | verify errors | cause |\n|---|---|---|---|\n${wrongV.map((v) => `| ${v.name}@${v.version} | ${short[v.truth] ?? v.truth} | ${v.errors.join(', ') || 'none'} | ${v.cause ? `${v.cause.class}: ${v.cause.note}` : 'not yet investigated'} |`).join('\n')}\n` : ''}
`;
}

// unknown answers, by the findings that come with them: do they say what would settle the cell?
const unknownRows = rows.filter((x) => x.mode === 'lockfile-only' && x.prediction === 'unknown');
if (unknownRows.length) {
  const byCodes = new Map();
  for (const u of unknownRows) {
    const k = u.findings.filter((c) => c !== 'INSTALL_SCRIPT_DENIED').join(', ') || 'no finding';
    if (!byCodes.has(k)) byCodes.set(k, []);
    byCodes.get(k).push(u);
  }
  const lines = [...byCodes.entries()]
    .sort((a, b) => b[1].length - a[1].length)
    .map(([k, us]) => {
      const truths = {};
      for (const u of us) truths[short[u.truth] ?? u.truth] = (truths[short[u.truth] ?? u.truth] ?? 0) + 1;
      const names = [...new Set(us.map((u) => u.name))];
      const really = Object.entries(truths)
        .map(([t, n]) => `${t} ${n}`)
        .join(', ');
      return `| ${k} | ${us.length} | ${really} | ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''} |`;
    });
  md += `## \`unknown\` answers

${unknownRows.length} cells (not graded ones included). Grouped by the findings that come with them (INSTALL_SCRIPT_DENIED, the
policy warning on every script, left out); the truth shows what a decided answer would have been.

| findings | cells | really | packages |
|---|---|---|---|
${lines.join('\n')}

`;
}

// installs whose prebuilt download failed (GitHub releases and other hosts are unreachable here)
const fellBack = rows.filter((x) => x.mode === 'lockfile-only' && x.downloadFailed);
md += `Cells whose install log shows a failed prebuilt download (prebuild-install, node-pre-gyp and
others: their hosts are unreachable from this machine, so the install fell back to its source build
or failed): **${fellBack.length}**, in ${new Set(fellBack.map((x) => x.name)).size} packages.

`;

const wrong = lock
  .filter((x) => x.grade === 'wrong')
  .concat(graded.filter((x) => x.mode === 'installed' && x.grade === 'wrong'));
const byCause = new Map();
for (const w of wrong) {
  const c = w.cause?.class ?? 'not yet investigated';
  if (!byCause.has(c)) byCause.set(c, []);
  byCause.get(c).push(w);
}
md += `## Wrong cells by cause

`;
for (const [c, ws] of [...byCause.entries()].sort((a, b) => b[1].length - a[1].length)) {
  md += `### ${c} (${ws.length})\n\n`;
  const fix = ws.find((w) => w.cause?.fix)?.cause.fix;
  if (fix) md += `Fix: ${fix}\n\n`;
  md += `| package | target | truth | predicted | findings | note |\n|---|---|---|---|---|---|\n`;
  for (const w of ws)
    md += `| ${w.name}@${w.version}${w.subject !== w.name ? ` (${w.subject})` : ''} | \`${w.kind}\`${w.mode === 'installed' ? ' (installed)' : ''} | ${short[w.truth] ?? w.truth} | ${w.prediction} | ${w.findings.join(', ')} | ${w.cause?.note ?? w.why ?? ''} |\n`;
  md += '\n';
}

md += `## Matrix

One row per package (the native package graded, when it is reached through another, in brackets),
one column per target: truth → prediction, ✓ right, ✗ wrong, · not graded.

| package | ${kinds.map((k) => `\`${k}\``).join(' | ')} |
|---|${kinds.map(() => '---').join('|')}|
`;
for (const r of records) {
  const cells = kinds.map((k) => {
    const x = rows.find((y) => y.name === r.name && y.kind === k && y.mode === 'lockfile-only');
    return x ? `${short[x.truth] ?? x.truth} → ${x.prediction} ${mark(x)}` : '';
  });
  md += `| ${r.name}@${r.version}${r.via ? ` (${r.via.name})` : ''} | ${cells.join(' | ')} |\n`;
}
if (summary.cliErrors.length) {
  md += `\n## CLI errors\n\n${summary.cliErrors.map((e) => `- ${e.name}: ${e.errors.map((x) => `${x.group} exit ${x.exit}: ${String(x.stderr).split('\n').filter(Boolean).at(-1) ?? ''}`).join('; ')}`).join('\n')}\n`;
}
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, md);
writeJson(join(WORK, 'grade.json'), { summary, rows, verify: verifyRows });
console.log(
  `graded ${summary.cellsGraded} cells of ${summary.packagesGraded} packages: ${summary.right} right (${pct(summary.right, summary.cellsGraded)}), ` +
    `${summary.falsePrebuilt} false prebuilt, ${summary.falseFails} false fails, ${summary.unknown} unknown → ${relative(ROOT, OUT)}`,
);
