/**
 * Reads the file a `node <file>` install script runs (and the package files it requires, one
 * level down), never running it, for what it does about a binary: run node-pre-gyp (or a fork),
 * prebuild-install, install-artifact-from-github, node-gyp or cmake-js; download over https from
 * named hosts; or nothing of the sort (it prints, exits, writes a config file).
 */
import type { PackageFiles } from '../model/package.js';
import type { PlatformGate } from '../model/prediction.js';

export interface NodeFileReading {
  /** Package-relative path of the file read. */
  file: string;
  /** The downloader it runs, if any; `https`: its own code fetches from `hosts`. */
  download: 'node-pre-gyp' | 'prebuild-install' | 'install-artifact' | 'https' | null;
  /** node-pre-gyp run with `--fallback-to-build`, or a build named beside the download. */
  build: 'node-gyp' | 'cmake-js' | null;
  hosts: string[];
  /** `npm run <x>` the file runs (spawned through npm or npm_execpath). */
  npmRuns: string[];
  /** Spawns, execs or requires a package: it acts beyond printing, exiting and writing files. */
  acts: boolean;
  /** Mentions a `.node` file or a prebuilt binary: a downloader of addons, not of data. */
  mentionsBinary: boolean;
  /**
   * It never exits non-zero: it ends in `process.exit(0)`, or has no non-zero exit, no throw and no
   * throwing exec (ssh2's install.js, ursa-optional's rebuild.js): a build it runs may fail quietly.
   */
  swallowsFailure: boolean;
  /**
   * It load-tests a bundled `prebuilds/<platform>-<arch>/<runtime>.abi<N>.node` and exits 0 when it
   * loads (@homebridge/node-pty-prebuilt-multiarch's check-prebuild.js): node-gyp-build's layout.
   */
  prebuildsCheck: boolean;
  /** It may exit non-zero (`if (platform === 'win32') process.exit(1)`): a head of `a || b` that lets b run somewhere. */
  mayFail: boolean;
  /**
   * A platform gate: a small file that does nothing but exit non-zero on some platforms and 0 on
   * the rest (win-version-info's skip.js: `if (platform === 'win32') process.exit(1)`). `failsOn`
   * lists the platforms where it fails; with `negate`, it fails everywhere but those.
   */
  gate: PlatformGate | null;
}

const MAX_GATE_FILE = 2048;
const PLATFORMS = new Set([
  'aix',
  'android',
  'darwin',
  'freebsd',
  'linux',
  'openbsd',
  'sunos',
  'win32',
  'cygwin',
  'netbsd',
]);

/**
 * A file whose every statement is a platform read or an `if` on the platform around a non-zero
 * exit: `const platform = process.env.npm_config_platform || process.platform` then
 * `if (platform === 'win32') { process.exit(1) }` (also `!==`, `||` of several comparisons, and
 * `process.platform` read directly). Anything else in the file (a require, a spawn, a second
 * branch) and it is not a gate: its effect stays unknown.
 */
export function platformGate(text: string): PlatformGate | null {
  if (text.length > MAX_GATE_FILE) return null;
  let t = stripComments(text)
    .replace(/^#![^\n]*/, '')
    .replace(/['"]use strict['"];?/g, '');
  let variable: string | null = null;
  const decl =
    /^\s*(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:process\.env\.npm_config_platform\s*\|\|\s*)?process\.platform\s*;?/;
  const d = decl.exec(t);
  if (d) {
    variable = d[1]!;
    t = t.slice(d[0].length);
  }
  const subject = variable
    ? `(?:${variable.replace(/\$/g, '\\$')}|process\\.platform)`
    : 'process\\.platform';
  const cmp = `${subject}\\s*(===|!==|==|!=)\\s*['"]([a-z0-9]+)['"]`;
  const m = new RegExp(
    `^\\s*if\\s*\\(\\s*(${cmp}(?:\\s*(?:\\|\\||&&)\\s*${cmp})*)\\s*\\)\\s*(?:\\{\\s*process\\.exit\\(\\s*([1-9]\\d*)\\s*\\)\\s*;?\\s*\\}|process\\.exit\\(\\s*([1-9]\\d*)\\s*\\)\\s*;?)\\s*$`,
  ).exec(t);
  if (!m) return null;
  const parts = [...m[1]!.matchAll(new RegExp(cmp, 'g'))];
  const ops = new Set(parts.map((p) => (p[1]!.startsWith('=') ? 'is' : 'not')));
  const joins = new Set([...m[1]!.matchAll(/\|\||&&/g)].map((j) => j[0]));
  const platforms = parts.map((p) => p[2]!);
  if (ops.size !== 1 || platforms.some((p) => !PLATFORMS.has(p))) return null;
  // `a === x || a === y`: fails on x and y; `a !== x && a !== y`: fails everywhere but x and y
  if (ops.has('is') && joins.has('&&') && platforms.length > 1) return null;
  if (ops.has('not') && joins.has('||') && platforms.length > 1) return null;
  return { platforms: [...new Set(platforms)], negate: ops.has('not') };
}

const MAX_FILE = 256 * 1024;
const MAX_REQUIRED = 8;

const QUIET_BUILTINS = new Set([
  'fs',
  'path',
  'os',
  'util',
  'url',
  'fs/promises',
  'process',
  'events',
  'module',
]);
const FETCHERS =
  /\brequire\(\s*['"](?:node:)?(?:https?|axios|got|node-fetch|make-fetch-happen|request|follow-redirects(?:\/https?(?:\.js)?)?|needle|undici|minipass-fetch|download|simple-get)['"]\s*\)|\bfrom\s+['"](?:node:)?(?:https?|axios|got|node-fetch|make-fetch-happen|follow-redirects(?:\/https?(?:\.js)?)?|needle|undici|simple-get)['"]|\bfetch\(/;
const NOT_DOWNLOAD_HOSTS =
  /^(?:example\.(?:com|org)|localhost|127\.0\.0\.1|www\.apache\.org|opensource\.org|learn\.microsoft\.com|nodejs\.org\/api)$/;

/** Comments removed, strings kept: `// https://…` in a string is not a comment. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:'"`\\])\/\/[^\n]*/g, '$1');
}

function resolveFile(files: PackageFiles, path: string): { path: string; text: string } | null {
  const base = path.replace(/^\.\//, '');
  for (const candidate of [base, `${base}.js`, `${base}.cjs`, `${base}.mjs`, `${base}/index.js`]) {
    const text = files.readText(candidate, MAX_FILE);
    if (text !== null) return { path: candidate, text };
  }
  return null;
}

/** `a/b/../c` → `a/c`; null when it climbs out of the package. */
export function joinPath(dir: string, rel: string): string | null {
  const out: string[] = dir ? dir.split('/') : [];
  for (const part of rel.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (!out.length) return null;
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

/** Relative modules a file requires or imports, as package-relative paths. */
export function relativeRequires(file: string, text: string): string[] {
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
  const out: string[] = [];
  const re = /\b(?:require\(\s*|from\s+|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const path = joinPath(dir, m[1]!);
    if (path !== null && !path.endsWith('.json') && !out.includes(path)) out.push(path);
  }
  return out;
}

function facts(text: string) {
  const t = stripComments(text);
  const nodePreGyp = /node-pre-gyp\b/.test(t);
  const prebuildInstall = /prebuild-install\b/.test(t);
  const artifact = /install-artifact-from-github|install-from-cache/.test(t);
  const nodeGyp =
    /['"`]node-gyp(?:\.cmd|\.js)?(?:['"`]|\s+(?:-j\s+\S+\s+)?(?:rebuild|build|configure))|require\(\s*['"]node-gyp['"]\s*\)|node-gyp\/bin\/node-gyp\.js/.test(
      t,
    );
  const cmakeJs = /['"`]cmake-js\b|require\(\s*['"]cmake-js['"]\s*\)/.test(t);
  const fetches = FETCHERS.test(t);
  const hosts: string[] = [];
  // bounded look-behind for the quote: a minified line of quotes must not make this quadratic
  const hostRe = /['"`][^'"`\n]{0,120}?https?:\/\/([A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24})/g;
  for (let m = hostRe.exec(t); m; m = hostRe.exec(t)) {
    const host = m[1]!.toLowerCase();
    if (!NOT_DOWNLOAD_HOSTS.test(host) && !hosts.includes(host)) hosts.push(host);
  }
  const npmRuns: string[] = [];
  const runRe =
    /['"`]npm(?:\.cmd)?\s+run(?:-script)?\s+([\w:.-]+)|npm_execpath\]?\s*,\s*\[?\s*['"]run(?:-script)?['"]\s*,\s*['"]([\w:.-]+)['"]/g;
  for (let m = runRe.exec(t); m; m = runRe.exec(t)) {
    const name = m[1] ?? m[2]!;
    if (!npmRuns.includes(name)) npmRuns.push(name);
  }
  const spawns = /\bchild_process\b|\b(?:spawn|exec|execFile|fork)(?:Sync)?\s*\(/.test(t);
  let requiresPackage = false;
  const reqRe = /\b(?:require\(\s*|from\s+|import\s+)['"]([^'"./][^'"]*)['"]/g;
  for (let m = reqRe.exec(t); m; m = reqRe.exec(t)) {
    const name = m[1]!.replace(/^node:/, '');
    if (!QUIET_BUILTINS.has(name)) requiresPackage = true;
  }
  const mentionsBinary = /[\w-]\.node['"`]/.test(t);
  return {
    nodePreGyp,
    prebuildInstall,
    artifact,
    nodeGyp,
    cmakeJs,
    fallbackToBuild: /fallback-to-build/.test(t),
    fetches,
    hosts,
    npmRuns,
    acts: spawns || requiresPackage || fetches,
    mentionsBinary,
    prebuildsCheck: /['"`]\.{0,2}\/?prebuilds\//.test(t) && /process\.versions\.modules/.test(t),
    // by default: a non-zero exit only when an environment variable asks (dtrace-provider's
    // suppress-error.js) is not one; one tied to the platform or arch (skip.js) is
    mayFail:
      /process\.exit\(\s*(?!0\s*\))[^)]|process\.exitCode\s*=|\bthrow\b/.test(t) &&
      (/\bplatform\b|process\.arch/.test(t) || !/process\.env\b/.test(t)),
    swallowsFailure:
      /process\.exit\(\s*0\s*\);?\s*$/.test(t.trim()) ||
      (!/process\.exit\(\s*(?!0\s*\))[^)]/.test(t) &&
        !/process\.exitCode\s*=/.test(t) &&
        !/\bthrow\b/.test(t) &&
        !/\b(?:execSync|execFileSync)\s*\(/.test(t)),
  };
}

/** What the file a `node <file>` script runs does about a binary; null when the file is not there to read. */
export function readNodeFile(files: PackageFiles, file: string): NodeFileReading | null {
  const top = resolveFile(files, file);
  if (!top) return null;
  const all = [facts(top.text)];
  for (const rel of relativeRequires(top.path, top.text).slice(0, MAX_REQUIRED)) {
    const sub = resolveFile(files, rel);
    if (sub) all.push(facts(sub.text));
  }
  const any = (k: 'nodePreGyp' | 'prebuildInstall' | 'artifact' | 'nodeGyp' | 'cmakeJs' | 'fetches') =>
    all.some((f) => f[k]);
  const download = any('nodePreGyp')
    ? 'node-pre-gyp'
    : any('prebuildInstall')
      ? 'prebuild-install'
      : any('artifact')
        ? 'install-artifact'
        : any('fetches')
          ? 'https'
          : null;
  const build =
    any('nodeGyp') || (download === 'node-pre-gyp' && all.some((f) => f.fallbackToBuild))
      ? 'node-gyp'
      : any('cmakeJs')
        ? 'cmake-js'
        : null;
  return {
    file: top.path,
    gate: all.length === 1 ? platformGate(top.text) : null,
    download,
    build,
    hosts: [...new Set(all.flatMap((f) => f.hosts))].slice(0, 4),
    npmRuns: [...new Set(all.flatMap((f) => f.npmRuns))],
    acts: all[0]!.acts,
    mentionsBinary: all.some((f) => f.mentionsBinary),
    swallowsFailure: all.every((f) => f.swallowsFailure),
    mayFail: all.some((f) => f.mayFail),
    prebuildsCheck: all.some((f) => f.prebuildsCheck) && !all.some((f) => f.fetches),
  };
}
