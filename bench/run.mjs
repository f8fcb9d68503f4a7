// npm run bench: speed and memory of native-guard against the floors it is built on, same tree,
// same run. Prints ratios; asserts nothing (targets live here, never as timed tests).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTree } from './generate-tree.mjs';
import { fmt, mb, measure, median, runChild, timeCommand } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const cache = join(here, '..', '.cache', 'bench');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);

function section(title) {
  console.log(`\n## ${title}`);
}

if (!existsSync(join(here, '..', 'dist', 'index.js'))) {
  console.error('bench: run `npm run build` first (npm run bench does)');
  process.exit(2);
}

const treeRoot = join(cache, 'tree-3000');
const { packages } = generateTree(treeRoot);

if (want('check')) {
  section(`check: installed tree of ${packages} packages (60 native), ${RUNS} runs each, medians`);
  const r = measure(
    {
      loadActual: () => runChild(join(here, 'child-load-actual.mjs'), [treeRoot]),
      check: () => runChild(join(here, 'child-check.mjs'), [treeRoot, 'host']),
      checkFour: () =>
        runChild(join(here, 'child-check.mjs'), [
          treeRoot,
          'host,node:22-alpine,node:22-slim,node24-linux-arm64',
        ]),
      npmLs: () => timeCommand('npm', ['ls', '--all', '--json'], { cwd: treeRoot }),
    },
    RUNS,
  );
  const base = median(r.loadActual.map((x) => x.ms));
  const chk = median(r.check.map((x) => x.ms));
  const chk4 = median(r.checkFour.map((x) => x.ms));
  const ls = median(r.npmLs.map((x) => x.ms));
  console.log(`bare Arborist loadActual()        ${fmt(base)}`);
  console.log(
    `native-guard check (host)         ${fmt(chk)}   ratio ${(chk / base).toFixed(2)}x   (target <= 1.25x)`,
  );
  console.log(`native-guard check (4 targets)    ${fmt(chk4)}   ratio ${(chk4 / base).toFixed(2)}x`);
  console.log(`npm ls --all --json (whole cmd)   ${fmt(ls)}   ratio ${(ls / base).toFixed(2)}x`);
  section('memory: peak RSS of the same runs');
  const rssBase = median(r.loadActual.map((x) => x.rss));
  const rssCheck = median(r.check.map((x) => x.rss));
  console.log(`bare Arborist loadActual()        ${mb(rssBase)}`);
  console.log(
    `native-guard check (host)         ${mb(rssCheck)}   ratio ${(rssCheck / rssBase).toFixed(2)}x   (target <= 1.3x)`,
  );
}

if (want('lockfile')) {
  const { lockfileProject } = await import('./lockfile-project.mjs');
  const { dir, packages: count } = lockfileProject(cache);
  // warm npm's cache with the tarballs lockfile mode reads (and the tarball index), untimed
  const warm = runChild(join(here, 'child-check-lockfile.mjs'), [dir, 'host']);
  section(
    `lockfile: --lockfile-only check of a real ${count}-package lockfile (${warm.packages} native, ${warm.fetched.tarballs} tarballs read), npm cache warm, ${RUNS} runs each, medians`,
  );
  const r = measure(
    {
      loadVirtual: () => runChild(join(here, 'child-load-virtual.mjs'), [dir]),
      check: () => runChild(join(here, 'child-check-lockfile.mjs'), [dir, 'host']),
      checkNoIndex: () => runChild(join(here, 'child-check-lockfile.mjs'), [dir, 'host', 'no-index']),
      checkFour: () =>
        runChild(join(here, 'child-check-lockfile.mjs'), [
          dir,
          'host,node:22-alpine,node:22-slim,node24-linux-arm64',
        ]),
    },
    RUNS,
  );
  const base = median(r.loadVirtual.map((x) => x.ms));
  const chk = median(r.check.map((x) => x.ms));
  const chkNoIndex = median(r.checkNoIndex.map((x) => x.ms));
  const chk4 = median(r.checkFour.map((x) => x.ms));
  console.log(`bare Arborist loadVirtual()                  ${fmt(base)}`);
  console.log(
    `check --lockfile-only (host)                 ${fmt(chk)}   ratio ${(chk / base).toFixed(2)}x   (target <= 1.5x)`,
  );
  console.log(
    `check --lockfile-only (4 targets)            ${fmt(chk4)}   ratio ${(chk4 / base).toFixed(2)}x`,
  );
  console.log(
    `check, tarball index off (every tarball read) ${fmt(chkNoIndex)}   ratio ${(chkNoIndex / base).toFixed(2)}x`,
  );
  console.log(
    `peak RSS: loadVirtual ${mb(median(r.loadVirtual.map((x) => x.rss)))}, check ${mb(median(r.check.map((x) => x.rss)))}, index off ${mb(median(r.checkNoIndex.map((x) => x.rss)))}`,
  );
}
