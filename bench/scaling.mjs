// The scaling section of `npm run bench`: how `check` of an installed tree grows with the tree's
// size, against a bare Arborist loadActual() of the same generated tree in the same run.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTree } from './generate-tree.mjs';
import { fmt, mb, measure, median, runChild } from './lib.mjs';
import { attributeProfile } from './profile.mjs';

export const DEFAULT_SIZES = [1000, 3000, 10000, 30000];
/** The share of native packages in every tree: ~2 %, as in a large app. */
export const NATIVE_SHARE = 0.02;
const THREE_TARGETS = 'host,node:22-alpine,node24-linux-arm64';

/**
 * Generator options for a tree of exactly `size` installed packages. The generator spends two
 * package slots on each native package, and of its five native kinds every fifth (`platform`)
 * installs one platform package beside it; `nan` is the one extra.
 */
export function treeOptions(size) {
  const natives = Math.round(size * NATIVE_SHARE);
  const platform = Math.floor((natives + 1) / 5);
  return { packages: size + natives - platform - 1, natives, nested: Math.round(size * 0.1), seed: 42 };
}

/**
 * Default runs per size: 3, but 1 from 30,000 packages on, where a single Arborist load takes
 * minutes on a 2-core machine (its cost is quadratic; see docs/scaling.md). BENCH_SCALING_RUNS
 * sets every size.
 */
export const defaultRuns = (size) => (size >= 30000 ? 1 : 3);

/**
 * Marginal cost per package between consecutive sizes, in ms: loadActual and check in wall and CPU
 * time, and the CPU time of check spent in Arborist's code and in native-guard's own.
 */
export function slopes(rows) {
  const keys = ['loadActual', 'cpuLoadActual', 'check', 'cpuCheck', 'arborist', 'own'];
  const out = [];
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1];
    const b = rows[i];
    const dn = b.packages - a.packages;
    out.push({
      from: a.packages,
      to: b.packages,
      ...Object.fromEntries(keys.map((k) => [k, (b[k] - a[k]) / dn])),
    });
  }
  return out;
}

const pad = (s, n) => String(s).padStart(n);
const us = (ms) => `${(ms * 1000).toFixed(0)} µs`;

/**
 * Every run is sampled (a 5 ms interval, loadActual's too so both carry the same overhead), and the
 * check (host) profiles split check's CPU time between Arborist and native-guard's own code: the
 * difference of two medians of minutes is noise on a loaded machine, the split within a run is not.
 */
const PROFILE_INTERVAL_US = 5000;

export function scalingSection({ cache, here, sizes, runs, log = console.log }) {
  const distDir = join(here, '..', 'dist');
  const profiles = mkdtempSync(join(tmpdir(), 'ng-bench-scaling-'));
  const profiled = (script, args, split) => () => {
    const dir = mkdtempSync(join(profiles, 'run-'));
    try {
      const flags = ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', String(PROFILE_INTERVAL_US)];
      const out = runChild(join(here, script), args, {}, flags);
      if (split) out.split = attributeProfile(join(dir, readdirSync(dir)[0]), distDir, out.cpu, out.window);
      return out;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const rows = [];
  const ratio = (a, b) => `${(a / b).toFixed(2)}x`;
  try {
    log(
      'packages | runs | loadActual | check (host) | ratio | check (3 targets) | ratio | RSS loadActual | RSS check | RSS ratio',
    );
    for (const size of sizes) {
      const options = treeOptions(size);
      const root = join(cache, `scale-${size}`);
      const { packages } = generateTree(root, options);
      const n = runs ?? defaultRuns(size);
      const r = measure(
        {
          loadActual: profiled('child-load-actual.mjs', [root], false),
          check: profiled('child-check.mjs', [root, 'host'], true),
          checkThree: profiled('child-check.mjs', [root, THREE_TARGETS], false),
        },
        n,
      );
      // every native package must be in the report, or the timing measured a check that saw less
      for (const k of ['check', 'checkThree']) {
        const seen = r[k].find((x) => x.packages !== options.natives);
        if (seen)
          throw new Error(
            `scaling: check of ${root} reported ${seen.packages} of ${options.natives} natives`,
          );
      }
      const of = (k, field) => r[k].map((x) => x[field]);
      const split = (k) => median(r.check.map((x) => x.split[k]));
      const row = {
        packages,
        runs: n,
        loadActual: median(of('loadActual', 'ms')),
        check: median(of('check', 'ms')),
        checkThree: median(of('checkThree', 'ms')),
        cpuLoadActual: median(of('loadActual', 'cpu')),
        cpuCheck: median(of('check', 'cpu')),
        cpuCheckThree: median(of('checkThree', 'cpu')),
        arborist: split('arborist'),
        own: split('own'),
        gc: split('gc'),
        other: split('other'),
        rssLoadActual: median(of('loadActual', 'rss')),
        rssCheck: median(of('check', 'rss')),
      };
      rows.push(row);
      // each row as soon as it is measured: the largest tree takes minutes
      log(
        [
          pad(packages, 8),
          pad(n, 4),
          pad(fmt(row.loadActual), 10),
          pad(fmt(row.check), 12),
          pad(ratio(row.check, row.loadActual), 5),
          pad(fmt(row.checkThree), 17),
          pad(ratio(row.checkThree, row.loadActual), 5),
          pad(mb(row.rssLoadActual), 14),
          pad(mb(row.rssCheck), 9),
          pad(ratio(row.rssCheck, row.rssLoadActual), 9),
        ].join(' | '),
      );
    }
  } finally {
    rmSync(profiles, { recursive: true, force: true });
  }
  // CPU time leaves out the time other jobs held the cores: on a shared machine it is the steadier figure
  log('\nCPU time (user + system) of the same runs, medians; check (host) split by whose code ran:');
  log(
    'packages | loadActual | check (host) | ratio | check (3 targets) | ratio | in Arborist | in native-guard | GC | other',
  );
  for (const row of rows) {
    log(
      [
        pad(row.packages, 8),
        pad(fmt(row.cpuLoadActual), 10),
        pad(fmt(row.cpuCheck), 12),
        pad(ratio(row.cpuCheck, row.cpuLoadActual), 5),
        pad(fmt(row.cpuCheckThree), 17),
        pad(ratio(row.cpuCheckThree, row.cpuLoadActual), 5),
        pad(fmt(row.arborist), 11),
        pad(fmt(row.own), 15),
        pad(fmt(row.gc), 7),
        pad(fmt(row.other), 5),
      ].join(' | '),
    );
  }
  if (rows.length < 2) return rows;
  const all = slopes(rows);
  log('\nmarginal cost per package between sizes (slope of the medians):');
  log(
    'from -> to       | loadActual wall | CPU     | check wall | CPU     | check CPU in Arborist | in native-guard',
  );
  for (const s of all) {
    log(
      [
        `${pad(s.from, 6)} -> ${pad(s.to, 6)}`,
        pad(us(s.loadActual), 15),
        pad(us(s.cpuLoadActual), 7),
        pad(us(s.check), 10),
        pad(us(s.cpuCheck), 7),
        pad(us(s.arborist), 21),
        pad(us(s.own), 15),
      ].join(' | '),
    );
  }
  if (all.length >= 2) {
    const [first, last] = [all[0], all.at(-1)];
    // a ratio of slopes means nothing when the first one is noise around zero
    const growth = (k) => (first[k] > 0 ? `${(last[k] / first[k]).toFixed(1)}x` : 'n/a');
    log(
      `slope growth, first to last interval (1.0x is linear): loadActual ${growth('loadActual')} wall, ${growth('cpuLoadActual')} CPU; check ${growth('check')} wall, ${growth('cpuCheck')} CPU; check's CPU in Arborist ${growth('arborist')}, in native-guard ${growth('own')}`,
    );
  }
  return rows;
}
