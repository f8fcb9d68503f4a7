/**
 * Install scripts as npm runs them: each lifecycle phase through `sh -c`, its commands joined by
 * `&&`, `||`, `;` and pipes, `npm run <x>` standing for scripts.<x>. Each command is judged with
 * the recognisers (script.ts, script-node.ts) and the structure decides how the links chain:
 * `a || b` tries b when a fails, `a && b` needs both (a step that only prepares, such as
 * `node buildcheck.js > buildcheck.gypi`, leaves the decision to the other), and a tail that always
 * succeeds (`|| echo …`, `|| exit 0`, `; true`, `|| node suppress-error.js`) turns a failure into an
 * install with no binary.
 */
import type { PackageFiles } from '../model/package.js';
import type { ChainLink, ScriptRef } from '../model/prediction.js';
import { classifyCommand } from './script.js';
import { parseScript } from './script-parse.js';
import type { ShNode } from './script-parse.js';
import { readNodeFile } from './script-node.js';
import type { NodeFileReading } from './script-node.js';

export interface ScriptChainContext {
  files: PackageFiles;
  /** Every script of the manifest, for `npm run <x>`. */
  scripts: Record<string, string>;
  /** The package has a `binary` field: node-pre-gyp's templates are there to read. */
  binaryField: boolean;
  usesCmakeTs: boolean;
  /** Something else already says the package is native (binding.gyp, a loader dependency, prebuilds). */
  nativeHint: boolean;
}

/** `binary`: decides or tries a binary; `neutral`: prepares or prints, always succeeds; `opaque`: not understood. */
interface Piece {
  kind: 'binary' | 'neutral' | 'opaque';
  links: ChainLink[];
  /** Opaque steps beside binary ones: said, not deciding. */
  aside: ChainLink[];
  /** An opaque `node <file>` that is a platform gate: decides the head of `gate || build` per target. */
  gate?: Extract<ChainLink, { strategy: 'no-binary' }>;
}

const MAX_RUN_DEPTH = 4;
const NEUTRAL = new Set([
  'true',
  ':',
  'echo',
  'printf',
  'cd',
  'mkdir',
  'rm',
  'cp',
  'mv',
  'touch',
  'ln',
  'chmod',
  'test',
  '[',
]);

const neutral = (): Piece => ({ kind: 'neutral', links: [], aside: [] });
const opaque = (script: ScriptRef): Piece => ({
  kind: 'opaque',
  links: [{ strategy: 'unknown-script', script, optIn: false }],
  aside: [],
});
const binary = (links: ChainLink[]): Piece => ({ kind: 'binary', links, aside: [] });

/** Work one package's scripts may cost: `npm run` expansions, and distinct node files read. */
interface Budget {
  runs: number;
  files: Map<string, NodeFileReading | null>;
  /** `node <file>` steps already judged, by phase and argv. */
  judged: Map<string, Piece>;
}
const MAX_RUNS = 64;
const MAX_NODE_FILES = 16;
const budgets = new WeakMap<ScriptChainContext, Budget>();
function budgetOf(ctx: ScriptChainContext): Budget {
  let b = budgets.get(ctx);
  if (!b) budgets.set(ctx, (b = { runs: MAX_RUNS, files: new Map(), judged: new Map() }));
  return b;
}

/** Each file read once per package, and at most MAX_NODE_FILES of them (each bounded by script-node.ts). */
function nodeFile(ctx: ScriptChainContext, file: string): NodeFileReading | null {
  const b = budgetOf(ctx);
  const key = file.replace(/^\.\//, '');
  if (b.files.has(key)) return b.files.get(key)!;
  const r = b.files.size < MAX_NODE_FILES ? readNodeFile(ctx.files, file) : null;
  b.files.set(key, r);
  return r;
}

/** A `node <file>` that only acts when asked to build from source (sharp, @parcel/watcher). */
function isOptIn(files: PackageFiles, file: string): boolean {
  const text =
    files.readText(file.replace(/^\.\//, ''), 256 * 1024) ?? files.readText(`${file}.js`, 256 * 1024);
  if (text === null) return false;
  const gated = /npm_config_build_from_source|build[-_]from[-_]source/.test(text);
  const downloads = /\bhttps?\.(?:get|request)\b|\bfetch\(|download/i.test(text);
  return gated && !downloads;
}

function fileText(files: PackageFiles, file: string): string | null {
  const base = file.replace(/^\.\//, '');
  for (const c of [base, `${base}.js`, `${base}/index.js`]) {
    const t = files.readText(c, 256 * 1024);
    if (t !== null) return t;
  }
  return null;
}

/** A runner command: `npm run x`, `npm run-script x`, `yarn run x`, `yarn x`, `pnpm run x`, `pnpm x`. */
interface RunCall {
  name: string;
  manager: 'npm' | 'yarn' | 'pnpm';
  /** `--if-present`: a missing script is a no-op, not a failure. */
  ifPresent: boolean;
  /** `--ignore-scripts`: npm still runs the named script, but not its pre and post scripts. */
  ignoreScripts: boolean;
}

/** Options that change nothing about which script runs; any other option leaves the command unread. */
const QUIET_FLAGS = new Set(['-s', '--silent', '-q', '--quiet', '--foreground-scripts']);
/** Each manager's own commands: `yarn install` is not a script named install. */
const OWN_COMMANDS: Record<'yarn' | 'pnpm', Set<string>> = {
  yarn: new Set(
    'access add audit autoclean bin cache check config create dedupe dlx exec explain generate-lock-entry global help import info init install licenses link list login logout node npm outdated owner pack patch plugin policies publish rebuild remove run set tag team unlink unplug up upgrade upgrade-interactive version versions why workspace workspaces'.split(
      ' ',
    ),
  ),
  pnpm: new Set(
    'add audit bin cat-file cat-index config create deploy dlx doctor env exec fetch find-hash i import init install install-test it licenses link list ls outdated pack patch patch-commit patch-remove prune publish rb rebuild remove rm root run run-script self-update server setup store un uninstall unlink up update why'.split(
      ' ',
    ),
  ),
};

function runTarget(argv: string[], scripts: Record<string, string>): RunCall | null {
  const manager = argv[0];
  if (manager !== 'npm' && manager !== 'yarn' && manager !== 'pnpm') return null;
  let ifPresent = false;
  let ignoreScripts = false;
  const words: string[] = [];
  const runs = ['run', 'run-script'].concat(manager === 'npm' ? ['rum', 'urn'] : []);
  const named = () =>
    words.length >= 2 || (words.length === 1 && manager !== 'npm' && !runs.includes(words[0]!));
  for (const w of argv.slice(1)) {
    if (w === '--') break;
    if (w === '--if-present') ifPresent = true;
    else if (w === '--ignore-scripts') ignoreScripts = true;
    else if (!w.startsWith('-')) words.push(w);
    // before the script's name: `--loglevel=silent` names its value, but `--prefix dir`, `-w pkg`
    // and the like change whose scripts run; after it, options are the script's business
    else if (!named() && !QUIET_FLAGS.has(w) && !/^--loglevel=\w+$/.test(w)) return null;
  }
  const [sub, name] = words;
  if (sub !== undefined && runs.includes(sub))
    return name === undefined ? null : { name, manager, ifPresent, ignoreScripts };
  // `yarn build`, `pnpm build`: a script by its name, unless the manager has a command of that name
  if (
    manager !== 'npm' &&
    sub !== undefined &&
    Object.hasOwn(scripts, sub) &&
    !OWN_COMMANDS[manager].has(sub)
  )
    return { name: sub, manager, ifPresent, ignoreScripts };
  return null;
}

function judgeCommand(argv: string[], script: ScriptRef, ctx: ScriptChainContext, seen: string[]): Piece {
  const run = runTarget(argv, ctx.scripts);
  if (run !== null) return judgeRunCall(run, script, ctx, seen);
  let words = argv;
  if (words[0] === 'nodejs') words = ['node', ...words.slice(1)];
  // `npx @mapbox/node-pre-gyp install`: the package names the tool
  if (words[0]?.startsWith('@') && words[0].includes('/'))
    words = [words[0].split('/')[1]!, ...words.slice(1)];
  if (words[0] === 'install-from-cache') {
    // install-artifact-from-github: a GitHub release download, else its caller's fallback
    return binary([
      { strategy: 'script-download', script, file: 'install-from-cache', hosts: ['github.com'] },
    ]);
  }
  if (words[0] === 'exit') return words[1] === undefined || words[1] === '0' ? neutral() : opaque(script);
  if (words[0] !== undefined && NEUTRAL.has(words[0])) return neutral();
  const kind = classifyCommand(words);
  switch (kind.kind) {
    case 'node-gyp-build':
      // its install bin load-tests the prebuild and falls back to `node-gyp rebuild`
      return binary([
        { strategy: 'node-gyp-build', optionalPackages: kind.optionalPackages, script },
        { strategy: 'source-build', builder: 'node-gyp', script },
      ]);
    case 'prebuild-install':
      return binary([{ strategy: 'prebuild-install', args: kind.args, script }]);
    case 'pkg-prebuilds':
      // it only looks for the bundled file: a miss (or a file it cannot name) runs what follows `||`
      return binary([{ strategy: 'pkg-prebuilds', options: kind.options, script }]);
    case 'node-pre-gyp': {
      const links: ChainLink[] = [{ strategy: 'node-pre-gyp', args: kind.args, script }];
      if (kind.fallbackToBuild) links.push({ strategy: 'source-build', builder: 'node-gyp', script });
      return binary(links);
    }
    case 'source-build':
      return binary([{ strategy: 'source-build', builder: kind.builder, script }]);
    case 'noop':
      return neutral();
    case 'other':
      return opaque(script);
    case 'node-script':
      return kind.file ? judgeNodeFile(kind.file, words, script, ctx, seen) : neutral();
  }
}

function judgeNodeFile(
  file: string,
  argv: string[],
  script: ScriptRef,
  ctx: ScriptChainContext,
  seen: string[],
): Piece {
  const judged = budgetOf(ctx).judged;
  const key = [script.event, ...seen, ...argv].join('\0');
  const known = judged.get(key);
  if (known) return known;
  // past the file budget nothing more is read: what it does stays unknown
  const piece =
    budgetOf(ctx).files.size >= MAX_NODE_FILES && !budgetOf(ctx).files.has(file.replace(/^\.\//, ''))
      ? opaque(script)
      : judgeNodeFileOnce(file, argv, script, ctx, seen);
  judged.set(key, piece);
  return piece;
}

function judgeNodeFileOnce(
  file: string,
  argv: string[],
  script: ScriptRef,
  ctx: ScriptChainContext,
  seen: string[],
): Piece {
  if (ctx.usesCmakeTs && /\bcmake-ts\b/.test(fileText(ctx.files, file) ?? '')) {
    // zeromq's script/install.js: load-test the shipped build, else `cmake-ts build`
    return binary([{ strategy: 'source-build', builder: 'cmake-ts', script }]);
  }
  if (isOptIn(ctx.files, file)) return binary([{ strategy: 'unknown-script', script, optIn: true }]);
  const r = nodeFile(ctx, file);
  if (!r) return opaque(script);
  const links: ChainLink[] = [];
  if (r.download === 'node-pre-gyp' && ctx.binaryField) {
    links.push({ strategy: 'node-pre-gyp', args: ['install'], script });
  } else if (r.download === 'prebuild-install') {
    links.push({ strategy: 'prebuild-install', args: argv.slice(2), script });
  } else if (r.download !== null && (r.download !== 'https' || r.mentionsBinary || ctx.nativeHint)) {
    const hosts = r.hosts.length ? r.hosts : r.download === 'install-artifact' ? ['github.com'] : [];
    links.push({ strategy: 'script-download', script, file: r.file, hosts });
  }
  if (r.build) links.push({ strategy: 'source-build', builder: r.build, script });
  if (links.length) {
    // a build it spawns and whose failure it ignores; a download's failure is an error it does not catch
    if (r.swallowsFailure && !links.some((l) => l.strategy !== 'source-build')) {
      links.push({ strategy: 'no-binary', script, tail: `node ${r.file}` });
    }
    return binary(links);
  }
  if (r.prebuildsCheck) {
    // a load test of the bundled prebuild: what node-gyp-build would pick; a miss runs what follows
    return binary([{ strategy: 'node-gyp-build', optionalPackages: false, script }]);
  }
  // `spawnSync(npm_execpath, ['run', 'rebuild'])`: the script it runs decides
  let piece: Piece | null = null;
  for (const name of r.npmRuns) {
    const next = judgeRun(name, script, ctx, seen);
    piece = piece ? both(piece, next) : next;
  }
  if (piece && piece.kind === 'binary' && r.swallowsFailure) {
    return { ...piece, links: [...piece.links, { strategy: 'no-binary', script, tail: `node ${r.file}` }] };
  }
  if (piece && piece.kind !== 'opaque') return piece;
  // a platform gate (win-version-info's skip.js): understood only as the head of `gate || build`
  if (r.gate)
    return {
      ...opaque(script),
      gate: { strategy: 'no-binary', script, tail: `node ${r.file}`, gate: r.gate },
    };
  // a quiet file that exits non-zero somewhere else is a condition native-guard cannot read
  return r.acts || r.mayFail ? opaque(script) : neutral();
}

function judgeRun(name: string, script: ScriptRef, ctx: ScriptChainContext, seen: string[]): Piece {
  // a hostile manifest can name `npm run a` a thousand times in each of its scripts: bounded work
  if (--budgetOf(ctx).runs < 0) return opaque(script);
  const text = Object.hasOwn(ctx.scripts, name) ? ctx.scripts[name] : undefined;
  // a missing script fails the install (`npm error Missing script`)
  if (text === undefined || seen.includes(name) || seen.length >= MAX_RUN_DEPTH) return opaque(script);
  const tree = parseScript(text);
  if (!tree) return opaque(script);
  return judge(tree, script, ctx, [...seen, name]);
}

/**
 * `npm run x` runs pre<x>, x and post<x>, each only if the one before succeeded (npm's run-script;
 * not with `--ignore-scripts`). Yarn 1 does too, Yarn 2+ does not, and pnpm only with
 * enable-pre-post-scripts: under those, a pre or post script is said beside the answer, not judged.
 */
function judgeRunCall(run: RunCall, script: ScriptRef, ctx: ScriptChainContext, seen: string[]): Piece {
  // a missing script fails before anything runs (`npm error Missing script`), unless `--if-present`
  if (!Object.hasOwn(ctx.scripts, run.name)) return run.ifPresent ? neutral() : opaque(script);
  const main = judgeRun(run.name, script, ctx, seen);
  if (run.ignoreScripts) return main;
  const around = [`pre${run.name}`, `post${run.name}`].filter(
    (n) => Object.hasOwn(ctx.scripts, n) && !seen.includes(n),
  );
  if (!around.length) return main;
  if (run.manager !== 'npm') return { ...main, aside: [...main.aside, ...opaque(script).links] };
  const pre = around[0] === `pre${run.name}` ? judgeRun(around[0], script, ctx, seen) : neutral();
  const post = around.at(-1) === `post${run.name}` ? judgeRun(around.at(-1)!, script, ctx, seen) : neutral();
  return both(both(pre, main), post);
}

/** `a && b`: both run; what builds or downloads decides, what only prepares steps aside. */
function both(l: Piece, r: Piece): Piece {
  if (l.kind === 'neutral') return { ...r, aside: [...l.aside, ...r.aside] };
  if (r.kind === 'neutral') return { ...l, aside: [...l.aside, ...r.aside] };
  if (l.kind === 'opaque' && r.kind === 'binary')
    return { ...r, aside: [...l.aside, ...l.links, ...r.aside] };
  if (l.kind === 'binary' && r.kind === 'opaque')
    return { ...l, aside: [...l.aside, ...r.links, ...r.aside] };
  return { kind: l.kind, links: joinLinks(l.links, r.links), aside: [...l.aside, ...r.aside] };
}

/** `node-gyp configure && node-gyp build` is one build. */
function joinLinks(a: ChainLink[], b: ChainLink[]): ChainLink[] {
  const first = b[0];
  if (a.at(-1)?.strategy === 'source-build' && first?.strategy === 'source-build')
    return [...a, ...b.slice(1)];
  return [...a, ...b];
}

const tail = (script: ScriptRef, node: ShNode): ChainLink => ({
  strategy: 'no-binary',
  script,
  tail: node.type === 'cmd' ? node.argv.join(' ') : 'true',
});

/**
 * `node build.js || nodejs build.js` (fibers): the same command under Debian's old name for node,
 * absent from most images. Where the first fails the second repeats it or is not found: it changes
 * nothing, so it is not a second chance.
 */
function retriesItself(node: ShNode): boolean {
  if (node.type !== 'or' || node.left.type !== 'cmd' || node.right.type !== 'cmd') return false;
  const [a, ...aArgs] = node.left.argv;
  const [b, ...bArgs] = node.right.argv;
  return a === 'node' && b === 'nodejs' && aArgs.join('\0') === bArgs.join('\0');
}

function judge(node: ShNode, script: ScriptRef, ctx: ScriptChainContext, seen: string[]): Piece {
  if (node.type === 'cmd') return judgeCommand(node.argv, script, ctx, seen);
  if (retriesItself(node)) return judge(node.left, script, ctx, seen);
  const l = judge(node.left, script, ctx, seen);
  const r = judge(node.right, script, ctx, seen);
  if (node.type === 'and') return both(l, r);
  if (node.type === 'or') {
    // a head that always succeeds: the rest never runs
    if (l.kind === 'neutral') return l;
    // a platform gate: where it succeeds nothing is built; where it fails the build runs
    if (l.gate && r.kind === 'binary') return { kind: 'binary', links: [l.gate, ...r.links], aside: r.aside };
    if (r.kind === 'neutral') {
      return l.kind === 'binary' ? { ...l, links: [...l.links, tail(script, node.right)] } : l;
    }
    return {
      kind: l.kind === 'binary' || r.kind === 'binary' ? 'binary' : 'opaque',
      links: [...l.links, ...r.links],
      aside: [...l.aside, ...r.aside],
    };
  }
  // `a; b` and `a | b`: both run and the status is b's, so an always-succeeding b hides a's failure
  if (l.kind === 'binary' && r.kind === 'neutral')
    return { ...l, links: [...l.links, tail(script, node.right)] };
  return both(l, r);
}

/**
 * The chain links of a package's install scripts, phase by phase. Where one phase (or npm's implicit
 * `node-gyp rebuild`) is understood, the opaque steps of the others are reported beside it, not in
 * its way; where none is, they stay the chain's unknown.
 */
export function scriptChain(
  phases: ScriptRef[],
  ctx: ScriptChainContext,
  implicitBuild: boolean,
): { links: ChainLink[]; recognised: boolean } {
  const pieces = phases.map((script) => {
    const tree = parseScript(script.text);
    if (!tree) return opaque(script);
    const piece = judge(tree, script, ctx, []);
    // a phase that is one `node <file>` doing nothing native-guard recognises (oracledb's install.js
    // prints where the binary is): what it decides is not known; quiet files only pass in a chain
    const lone = tree.type === 'cmd' && ['node', 'nodejs'].includes(tree.argv[0] ?? '');
    return lone && piece.kind === 'neutral' ? opaque(script) : piece;
  });
  const recognised = implicitBuild || pieces.some((p) => p.kind === 'binary');
  const links: ChainLink[] = [];
  for (const p of pieces) {
    const asAdvisory = (l: ChainLink): ChainLink =>
      l.strategy === 'unknown-script' ? { ...l, advisory: true } : l;
    if (p.kind === 'binary') links.push(...p.aside.map(asAdvisory), ...p.links);
    else if (p.kind === 'opaque') links.push(...(recognised ? p.links.map(asAdvisory) : p.links));
  }
  return { links: dedupeAdvisory(links), recognised };
}

/** One advisory finding per phase is enough. */
function dedupeAdvisory(links: ChainLink[]): ChainLink[] {
  const seen = new Set<string>();
  return links.filter((l) => {
    if (l.strategy !== 'unknown-script' || !l.advisory) return true;
    const key = l.script.event;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
