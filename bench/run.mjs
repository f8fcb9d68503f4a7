// npm run bench: speed and memory of native-guard against the floors it is built on, same tree,
// same run. Prints ratios; asserts nothing (targets live here, never as timed tests).
// Sections: check inspect docker verify lockfile hooks memory scaling (`npm run bench -- scaling`);
// none named runs them all.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTree } from './generate-tree.mjs';
import { fmt, mb, measure, median, runChild, runChildAsync, timeCommand } from './lib.mjs';

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
let generated;
/** The generated 3,000-package tree, built once per run by the sections that need it. */
const benchTree = () => (generated ??= generateTree(treeRoot));

/**
 * A project of N packages, each shipping a copy of the napi-ok fixture addon as its main, built
 * afresh in the bench cache (the verify, hooks and memory sections use it).
 */
async function addonProject(name, N) {
  const { copyFileSync, mkdirSync, rmSync, writeFileSync } = await import('node:fs');
  const root = join(cache, name);
  const addonFile = join(here, '..', 'fixtures', 'addons', 'bin', 'napi-ok.node');
  const names = Array.from({ length: N }, (_, i) => `addon-${String(i).padStart(3, '0')}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'node_modules'), { recursive: true });
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({
      name: `bench-${name}`,
      version: '1.0.0',
      private: true,
      dependencies: Object.fromEntries(names.map((n) => [n, '1.0.0'])),
    }),
  );
  for (const n of names) {
    const dir = join(root, 'node_modules', n);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: n, version: '1.0.0', main: 'addon.node' }),
    );
    copyFileSync(addonFile, join(dir, 'addon.node'));
  }
  return root;
}

if (want('check')) {
  const { packages } = benchTree();
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

if (want('inspect')) {
  const roots = [
    join(here, '..', 'node_modules'),
    join(here, '..', 'fixtures'),
    join(here, '..', '.cache'),
    '/usr/lib/node_modules',
  ];
  const r = runChild(join(here, 'child-inspect.mjs'), ['20', ...roots]);
  section(
    `inspect: binary facts of every .node under node_modules, fixtures, .cache and /usr/lib/node_modules`,
  );
  console.log(
    `${r.unique} files (${mb(r.bytes)} on disk), 20 rounds: ${(r.files / (r.ms / 1000)).toFixed(0)} files/second (${(r.ms / r.files).toFixed(2)} ms per file)`,
  );
}

if (want('docker')) {
  const { packages } = benchTree();
  section(
    `docker: build-context walk of the ${packages}-package tree with no .dockerignore, ${RUNS} runs, medians`,
  );
  // the Dockerfile lives beside the tree, not in it, so the check section above never sees it
  const { writeFileSync } = await import('node:fs');
  const dockerfile = join(cache, 'bench.Dockerfile');
  writeFileSync(
    dockerfile,
    'FROM node:22-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm install\nCOPY . .\n',
  );
  const cli = join(here, '..', 'dist', 'bin.js');
  const r = measure(
    {
      du: () => timeCommand('du', ['-s', treeRoot]),
      analyze: () => runChild(join(here, 'child-docker.mjs'), [treeRoot, dockerfile]),
      docker: () =>
        timeCommand(process.execPath, [cli, 'docker', '-C', treeRoot, '--dockerfile', dockerfile, '--json']),
    },
    RUNS,
  );
  const du = median(r.du.map((x) => x.ms));
  const analyze = median(r.analyze.map((x) => x.ms));
  const docker = median(r.docker.map((x) => x.ms));
  console.log(`du -s (walks the same files)          ${fmt(du)}`);
  console.log(`analyzeDockerBuild() (walk + checks)  ${fmt(analyze)}   ratio ${(analyze / du).toFixed(2)}x`);
  console.log(`native-guard docker (whole command)   ${fmt(docker)}   ratio ${(docker / du).toFixed(2)}x`);
}

if (want('verify')) {
  const N = 100;
  const verifyRoot = await addonProject(`verify-${N}`, N);
  const { readdirSync } = await import('node:fs');
  const names = readdirSync(join(verifyRoot, 'node_modules')).filter((n) => n.startsWith('addon-'));
  const cli = join(here, '..', 'dist', 'bin.js');
  section(`verify: ${N} addons, ${RUNS} runs each, medians`);
  const r = measure(
    {
      verify: () => timeCommand(process.execPath, [cli, 'verify', '--json', '-C', verifyRoot]),
      // the usual hand-written check: one `node -e "require(…)"` per addon
      handWritten: () => {
        const t0 = performance.now();
        for (const name of names) {
          const one = timeCommand(process.execPath, ['-e', `require(${JSON.stringify(name)})`], {
            cwd: verifyRoot,
          });
          if (one.status !== 0) throw new Error(`require(${name}) failed`);
        }
        return { ms: performance.now() - t0, status: 0 };
      },
    },
    RUNS,
  );
  if (r.verify.some((x) => x.status !== 0)) throw new Error('native-guard verify failed on the bench tree');
  const ours = median(r.verify.map((x) => x.ms));
  const theirs = median(r.handWritten.map((x) => x.ms));
  console.log(`${N} x node -e "require(…)"          ${fmt(theirs)}`);
  console.log(
    `native-guard verify (whole command)  ${fmt(ours)}   ${(theirs / ours).toFixed(1)}x faster   (target >= 10x; every addon still loads outside native-guard's process, a crash or hang costs only its own loader)`,
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

if (want('hooks')) {
  // what the hooks init wires add to every `npm install`: 10 addons, npm's hidden lockfile, and
  // native-guard linked into node_modules as a user's install has it
  const { mkdirSync, symlinkSync, writeFileSync } = await import('node:fs');
  const { hookScript } = await import('../dist/hooks/init-plan.js');
  const N = 10;
  const hooksRoot = await addonProject(`hooks-${N}`, N);
  writeFileSync(join(hooksRoot, 'node_modules', '.package-lock.json'), '{"lockfileVersion":3,"packages":{}}');
  symlinkSync(join(here, '..'), join(hooksRoot, 'node_modules', 'native-guard'), 'dir');
  const absent = join(cache, 'hooks-absent');
  mkdirSync(absent, { recursive: true });
  writeFileSync(join(absent, 'package.json'), '{"name":"absent","version":"1.0.0"}');
  const script =
    (event, cwd, env = {}) =>
    () =>
      timeCommand('sh', ['-c', hookScript(event)], {
        cwd,
        env: { ...process.env, npm_lifecycle_event: event, ...env },
      });
  section(`hooks: ${N} addons, ${RUNS} runs each, medians`);
  const r = measure(
    {
      node: () => timeCommand('sh', ['-c', 'node -e ""']),
      preinstall: script('preinstall', hooksRoot),
      postinstall: script('postinstall', hooksRoot),
      disabled: script('postinstall', hooksRoot, { NATIVE_GUARD: '0' }),
      absent: script('postinstall', absent),
    },
    RUNS,
  );
  for (const [name, runs] of Object.entries(r)) {
    if (runs.some((x) => x.status !== 0)) throw new Error(`hooks bench: ${name} exited non-zero`);
  }
  const m = (name) => median(r[name].map((x) => x.ms));
  console.log(`sh -c 'node -e ""' (the floor)            ${fmt(m('node'))}`);
  console.log(`preinstall hook (check, host)           ${fmt(m('preinstall'))}`);
  console.log(`postinstall hook (verify, ${N} loads)      ${fmt(m('postinstall'))}`);
  console.log(
    `both hooks added to an install           ${fmt(m('preinstall') + m('postinstall'))}   (target: under 2 s for a small project)`,
  );
  console.log(
    `NATIVE_GUARD=0                           ${fmt(m('disabled'))}   (${(m('disabled') / m('node')).toFixed(1)}x the floor)`,
  );
  console.log(
    `native-guard not installed (--omit=dev)  ${fmt(m('absent'))}   (${(m('absent') / m('node')).toFixed(1)}x the floor)`,
  );
}

if (want('memory')) {
  // Peak RSS of every mode on the same machine, each in a fresh process (maxRSS of that process),
  // next to its floor: check vs a bare Arborist loadActual() of the 3,000-package tree (target
  // <= 1.3x), verify's own process vs a bare Node (its loaders are separate Node processes).
  const { packages } = benchTree();
  const N = 100;
  const verifyRoot = await addonProject(`verify-${N}`, N);
  section(`memory: peak RSS (maxRSS of a fresh process), ${RUNS} runs each, medians`);
  const r = measure(
    {
      loadActual: () => runChild(join(here, 'child-load-actual.mjs'), [treeRoot]),
      check: () => runChild(join(here, 'child-check.mjs'), [treeRoot, 'host']),
      bareNode: () => runChild(join(here, 'child-bare-node.mjs'), []),
      verify: () => runChild(join(here, 'child-verify.mjs'), [verifyRoot]),
    },
    RUNS,
  );
  const rss = (k) => median(r[k].map((x) => x.rss));
  console.log(`bare Arborist loadActual() (${packages} packages)   ${mb(rss('loadActual'))}`);
  console.log(
    `native-guard check (host)                      ${mb(rss('check'))}   ratio ${(rss('check') / rss('loadActual')).toFixed(2)}x   (target <= 1.3x)`,
  );
  console.log(`bare node process                              ${mb(rss('bareNode'))}`);
  console.log(
    `native-guard verify, its own process (${N} addons) ${mb(rss('verify'))}   ratio ${(rss('verify') / rss('bareNode')).toFixed(2)}x a bare Node`,
  );
  console.log('lockfile mode: see the "lockfile" section (peak RSS of check --lockfile-only vs loadVirtual)');

  // Lockfile mode reading big .node files out of tarballs: 8 packages, each with a real addon
  // padded to 150 MB, from a registry on loopback, into an empty npm cache. The floor is the same
  // project with the addon unpadded (14 KB). Before the bounded window this peaked at ~1.5 GB.
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { bigAddonPackages, startRegistry, writeLockfileProject } = await import('./big-binaries.mjs');
  const elf = readFileSync(join(here, '..', 'fixtures', 'addons', 'bin', 'napi-v10.node'));
  const peak = async (pad) => {
    const pkgs = await bigAddonPackages(elf, 8, pad);
    const registry = await startRegistry(pkgs);
    const dir = mkdtempSync(join(tmpdir(), 'ng-bench-big-'));
    const rss = [];
    try {
      await writeLockfileProject(dir, registry.url, pkgs);
      for (let i = 0; i < RUNS; i++) {
        const npmCache = mkdtempSync(join(tmpdir(), 'ng-bench-cache-'));
        try {
          const r = await runChildAsync(join(here, 'child-check-lockfile.mjs'), [dir, 'host', 'no-index'], {
            npm_config_cache: npmCache,
          });
          if (r.fetched.unavailable !== 0) throw new Error('bench: a big-addon tarball was not read');
          rss.push(r.rss);
        } finally {
          rmSync(npmCache, { recursive: true, force: true });
        }
      }
    } finally {
      await registry.close();
      rmSync(dir, { recursive: true, force: true });
    }
    return median(rss);
  };
  const small = await peak(0);
  const big = await peak(150 * 1024 * 1024);
  section(
    `memory: check --lockfile-only, 8 tarballs each holding a 150 MB .node (1.2 GB), ${RUNS} runs, medians`,
  );
  console.log(`same 8 packages, 14 KB addons (the floor)     ${mb(small)}`);
  console.log(
    `8 x 150 MB addons                              ${mb(big)}   +${mb(big - small)}   (target: under 400 MB; 1.5 GB before the bounded window)`,
  );
}

if (want('scaling')) {
  // last: at 30,000 packages one Arborist load alone takes minutes on a 2-core machine
  const { DEFAULT_SIZES, NATIVE_SHARE, scalingSection } = await import('./scaling.mjs');
  const sizes = process.env.BENCH_SCALING_SIZES
    ? process.env.BENCH_SCALING_SIZES.split(',').map(Number)
    : DEFAULT_SIZES;
  if (sizes.some((n) => !Number.isInteger(n) || n < 100)) {
    console.error('bench: BENCH_SCALING_SIZES is a comma-separated list of package counts of 100 or more');
    process.exit(2);
  }
  const runs = process.env.BENCH_SCALING_RUNS ? Number(process.env.BENCH_SCALING_RUNS) : undefined;
  if (runs !== undefined && !(Number.isInteger(runs) && runs > 0)) {
    console.error('bench: BENCH_SCALING_RUNS is a whole number of runs per size');
    process.exit(2);
  }
  section(
    `scaling: check of generated installed trees (${NATIVE_SHARE * 100} % native) vs a bare Arborist loadActual(), ${runs ? `${runs} run${runs === 1 ? '' : 's'}` : '3 runs (1 from 30,000 packages)'} per size, medians`,
  );
  scalingSection({ cache, here, sizes, runs });
}
