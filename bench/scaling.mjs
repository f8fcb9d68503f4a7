// The scaling section of `npm run bench`: how `check` of an installed tree grows with the tree's
// size, against a bare Arborist loadActual() of the same generated tree in the same run.
import { join } from 'node:path';
import { generateTree } from './generate-tree.mjs';
import { fmt, mb, measure, median, runChild } from './lib.mjs';

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

/** Median of paired differences (b[i] - a[i]): runs are interleaved, so pairs share the load. */
export const pairedMedian = (a, b) => median(a.map((x, i) => b[i] - x));

/**
 * Marginal cost per package between consecutive sizes, in ms: for loadActual, check, and check's
 * own cost above loadActual.
 */
export function slopes(rows) {
  const out = [];
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1];
    const b = rows[i];
    const dn = b.packages - a.packages;
    out.push({
      from: a.packages,
      to: b.packages,
      loadActual: (b.loadActual - a.loadActual) / dn,
      check: (b.check - a.check) / dn,
      own: (b.own - a.own) / dn,
    });
  }
  return out;
}

const pad = (s, n) => String(s).padStart(n);
const us = (ms) => `${(ms * 1000).toFixed(0)} µs`;

export function scalingSection({ cache, here, sizes, runs, log = console.log }) {
  const child = (name) => join(here, name);
  log(
    `packages | runs | loadActual | check (host) | ratio | check (3 targets) | ratio | RSS loadActual | RSS check | RSS ratio`,
  );
  const rows = [];
  for (const size of sizes) {
    const options = treeOptions(size);
    const root = join(cache, `scale-${size}`);
    const { packages } = generateTree(root, options);
    const n = runs ?? defaultRuns(size);
    const r = measure(
      {
        loadActual: () => runChild(child('child-load-actual.mjs'), [root]),
        check: () => runChild(child('child-check.mjs'), [root, 'host']),
        checkThree: () => runChild(child('child-check.mjs'), [root, THREE_TARGETS]),
      },
      n,
    );
    // every native package must be in the report, or the timing measured a check that saw less
    for (const k of ['check', 'checkThree']) {
      const seen = r[k].find((x) => x.packages !== options.natives);
      if (seen)
        throw new Error(`scaling: check of ${root} reported ${seen.packages} of ${options.natives} natives`);
    }
    const ms = (k) => r[k].map((x) => x.ms);
    const row = {
      packages,
      runs: n,
      loadActual: median(ms('loadActual')),
      check: median(ms('check')),
      checkThree: median(ms('checkThree')),
      own: pairedMedian(ms('loadActual'), ms('check')),
      rssLoadActual: median(r.loadActual.map((x) => x.rss)),
      rssCheck: median(r.check.map((x) => x.rss)),
    };
    rows.push(row);
    log(
      [
        pad(packages, 8),
        pad(n, 4),
        pad(fmt(row.loadActual), 10),
        pad(fmt(row.check), 12),
        pad(`${(row.check / row.loadActual).toFixed(2)}x`, 5),
        pad(fmt(row.checkThree), 17),
        pad(`${(row.checkThree / row.loadActual).toFixed(2)}x`, 5),
        pad(mb(row.rssLoadActual), 14),
        pad(mb(row.rssCheck), 9),
        pad(`${(row.rssCheck / row.rssLoadActual).toFixed(2)}x`, 9),
      ].join(' | '),
    );
  }
  if (rows.length < 2) return rows;
  log('\nmarginal cost per package between sizes (slope of the medians):');
  log(`from -> to       | loadActual | check (host) | check - loadActual`);
  for (const s of slopes(rows)) {
    log(
      `${pad(s.from, 6)} -> ${pad(s.to, 6)} | ${pad(us(s.loadActual), 10)} | ${pad(us(s.check), 12)} | ${pad(us(s.own), 18)}`,
    );
  }
  const all = slopes(rows);
  if (all.length >= 2) {
    const [first, last] = [all[0], all.at(-1)];
    // a ratio of slopes means nothing when the first one is noise around zero
    const growth = (k) => (first[k] > 0 ? `${(last[k] / first[k]).toFixed(1)}x` : 'n/a');
    log(
      `slope growth, first to last interval (1.0x is linear): loadActual ${growth('loadActual')}, check ${growth('check')}, check - loadActual ${growth('own')}`,
    );
  }
  log(
    `check - loadActual (native-guard's own cost, median of paired runs): ${rows.map((r) => `${r.packages}: ${fmt(r.own)}`).join(', ')}`,
  );
  return rows;
}
