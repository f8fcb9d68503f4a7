import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import { readBounded } from '../io/files.js';
import { envValue, runTool, searchPath, toolScope } from './exec.js';
import type { PathSearch, ToolScope } from './exec.js';
import type { HostEnvironment, Toolchain, ToolFound, ToolRejected } from '../model/target.js';

/** npm config values node-gyp reads (npm exposes them to scripts as `npm_config_<key>`). */
export interface NpmToolConfig {
  python?: string;
  nodedir?: string;
  devdir?: string;
  make?: string;
}

interface Probe<T> {
  found: T | null;
  rejected: ToolRejected[];
}

// node-gyp's find-python.js asks for sys.executable then the version in two runs; one run printing both
// lines gives the same answers in half the time.
const PYTHON_PROBE = 'import sys; print(sys.executable); print("%s.%s.%s" % sys.version_info[:3])';
/** node-gyp's find-python.js `semverRange`. */
const PYTHON_RANGE = '>=3.6.0';

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/** package.json, node_version.h, installVersion: small files, read bounded (a FIFO or device reads as absent). */
const SMALL_FILE = 1024 * 1024;

async function readJson(file: string): Promise<Record<string, unknown> | null> {
  try {
    const value: unknown = JSON.parse(readBounded(file, SMALL_FILE) ?? '');
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A command string such as `ccache gcc`: its first word is what has to exist. */
function commandWord(command: string): string {
  return command.trim().split(/\s+/)[0] ?? '';
}

async function resolveCommand(command: string, scope: ToolScope): Promise<PathSearch> {
  const word = commandWord(command);
  return word === '' ? { found: null, refused: [] } : searchPath(word, scope);
}

/** Candidates that exist inside the project or a node_modules folder: reported, never run. */
const refusals = (tool: ToolRejected['tool'], source: string, search: PathSearch): ToolRejected[] =>
  search.refused.map((r) => ({ tool, candidate: r.path, source, reason: r.reason }));

/**
 * python the way node-gyp's find-python.js looks for it: NODE_GYP_FORCE_PYTHON alone if set; else
 * `--python` (npm config `python`), `PYTHON`, on Windows the `py` launcher, then `python3` and `python`
 * on PATH. A candidate that is missing, fails or is older than 3.6 is skipped, as node-gyp does.
 */
async function findPython(
  env: HostEnvironment,
  npmConfig: NpmToolConfig,
  scope: ToolScope,
): Promise<Probe<ToolFound>> {
  type Candidate = { command: string; source: string; args?: string[] };
  const forced = envValue(env, 'NODE_GYP_FORCE_PYTHON');
  const configured = npmConfig.python ?? envValue(env, 'npm_config_python');
  const fromEnv = envValue(env, 'PYTHON');
  const candidates: Candidate[] = forced
    ? [{ command: forced, source: 'NODE_GYP_FORCE_PYTHON' }]
    : [
        ...(configured ? [{ command: configured, source: 'npm_config_python' }] : []),
        ...(fromEnv ? [{ command: fromEnv, source: 'PYTHON' }] : []),
        ...(env.platform === 'win32' ? [{ command: 'py.exe', source: 'py-launcher', args: ['-3'] }] : []),
        { command: 'python3', source: 'PATH' },
        { command: 'python', source: 'PATH' },
      ];

  const rejected: ToolRejected[] = [];
  for (const { command, source, args = [] } of candidates) {
    const search = await searchPath(command, scope);
    rejected.push(...refusals('python', source, search));
    const file = search.found;
    if (file === null) {
      if (search.refused.length === 0)
        rejected.push({ tool: 'python', candidate: command, source, reason: 'not-found' });
      continue;
    }
    const run = await runTool(file, [...args, '-c', PYTHON_PROBE], scope);
    const lines = run.stdout.split(/\r?\n/).map((l) => l.trim());
    const version = lines.findLast((l) => /^\d+\.\d+\.\d+$/.test(l)) ?? null;
    if (!run.ok || version === null) {
      rejected.push({ tool: 'python', candidate: file, source, reason: 'failed' });
      continue;
    }
    if (!semver.satisfies(version, PYTHON_RANGE)) {
      rejected.push({ tool: 'python', candidate: file, source, reason: 'unsupported-version', version });
      continue;
    }
    const executable = lines[0] && lines[0] !== version ? lines[0] : file;
    return { found: { path: executable, version, source }, rejected };
  }
  return { found: null, rejected };
}

/** First line of `<tool> --version`, or null when the tool doesn't run. */
async function toolVersion(file: string, scope: ToolScope): Promise<{ ok: boolean; version: string | null }> {
  const run = await runTool(file, ['--version'], scope);
  const first = run.stdout.split(/\r?\n/)[0]?.trim();
  return { ok: run.ok, version: first ? first : null };
}

/**
 * One configured command (node-gyp doesn't fall back from an explicit MAKE or CXX), plus other names
 * that exist but would only be used if configured — reported so the fix ("set CXX=clang++") can be named.
 */
async function findCommand(
  tool: ToolRejected['tool'],
  command: { value: string; source: string },
  alternatives: readonly string[],
  scope: ToolScope,
): Promise<Probe<ToolFound>> {
  const rejected: ToolRejected[] = [];
  let found: ToolFound | null = null;
  const search = await resolveCommand(command.value, scope);
  rejected.push(...refusals(tool, command.source, search));
  const file = search.found;
  if (file === null) {
    if (search.refused.length === 0)
      rejected.push({ tool, candidate: command.value, source: command.source, reason: 'not-found' });
  } else {
    const { ok, version } = await toolVersion(file, scope);
    if (ok) found = { path: file, version, source: command.source };
    else rejected.push({ tool, candidate: file, source: command.source, reason: 'failed', version });
  }
  if (found === null) {
    for (const name of alternatives) {
      const alt = await searchPath(name, scope);
      rejected.push(...refusals(tool, 'PATH', alt));
      if (alt.found !== null)
        rejected.push({ tool, candidate: alt.found, source: 'PATH', reason: 'not-default' });
    }
  }
  return { found, rejected };
}

/** node-gyp's build.js: `--make` (npm config `make`), then `MAKE`, then gmake on BSDs and AIX, make elsewhere. */
function makeCommand(env: HostEnvironment, npmConfig: NpmToolConfig): { value: string; source: string } {
  const configured = npmConfig.make ?? envValue(env, 'npm_config_make');
  if (configured) return { value: configured, source: 'npm_config_make' };
  const fromEnv = envValue(env, 'MAKE');
  if (fromEnv) return { value: fromEnv, source: 'MAKE' };
  const gmake = env.platform.includes('bsd') || env.platform === 'aix' || env.platform === 'os400';
  return { value: gmake ? 'gmake' : 'make', source: 'PATH' };
}

/**
 * gyp's make generator uses `CC_target`/`CC` and `CXX_target`/`CXX`, else make's built-in defaults:
 * `cc`, and `g++` for GNU make (`c++` for the make Apple ships).
 */
function compilerCommand(env: HostEnvironment, kind: 'cc' | 'cxx'): { value: string; source: string } {
  const names = kind === 'cc' ? ['CC_target', 'CC'] : ['CXX_target', 'CXX'];
  for (const name of names) {
    const value = envValue(env, name);
    if (value) return { value, source: name };
  }
  if (kind === 'cc') return { value: 'cc', source: 'PATH' };
  return { value: env.platform === 'darwin' ? 'c++' : 'g++', source: 'PATH' };
}

/** NODE_{MAJOR,MINOR,PATCH}_VERSION from `include/node/node_version.h`, or null. */
async function headerVersion(includeNodeDir: string): Promise<string | null> {
  try {
    const text = readBounded(path.join(includeNodeDir, 'node_version.h'), SMALL_FILE) ?? '';
    const part = (name: string) => new RegExp(`^#define NODE_${name}_VERSION (\\d+)`, 'm').exec(text)?.[1];
    const [major, minor, patch] = [part('MAJOR'), part('MINOR'), part('PATCH')];
    return major && minor && patch ? `${major}.${minor}.${patch}` : null;
  } catch {
    return null;
  }
}

/** `<dir>/include/node` of a headers tarball / install prefix, or `<dir>/src` of a source tree. */
async function headersIn(dir: string): Promise<string | null> {
  for (const sub of [path.join('include', 'node'), 'src']) {
    const candidate = path.join(dir, sub);
    if (await exists(path.join(candidate, 'node.h'))) return candidate;
  }
  return null;
}

/** node-gyp's dev dir: `--devdir`, else env-paths('node-gyp', { suffix: '' }).cache. */
function nodeGypDevDir(env: HostEnvironment, npmConfig: NpmToolConfig): string {
  const configured = npmConfig.devdir ?? envValue(env, 'npm_config_devdir');
  if (configured) return configured.replace(/^~/, env.homedir);
  const p = env.platform === 'win32' ? path.win32 : path.posix;
  if (env.platform === 'darwin') return p.join(env.homedir, 'Library', 'Caches', 'node-gyp');
  if (env.platform === 'win32') {
    const local = envValue(env, 'LOCALAPPDATA') || p.join(env.homedir, 'AppData', 'Local');
    return p.join(local, 'node-gyp', 'Cache');
  }
  return p.join(envValue(env, 'XDG_CACHE_HOME') || p.join(env.homedir, '.cache'), 'node-gyp');
}

/**
 * Node headers node-gyp can build against without downloading, in node-gyp's order (configure.js):
 * `--nodedir` (npm config `nodedir`), the install prefix for Node builds configured to use it, then the
 * dev dir cache. Headers beside the node binary are reported last as `beside-node`: node-gyp does not
 * use them on its own, but `npm_config_nodedir=<prefix>` would make it.
 */
async function findHeaders(
  env: HostEnvironment,
  npmConfig: NpmToolConfig,
  nodeGypInstallVersion: number | null,
): Promise<Probe<ToolFound>> {
  const rejected: ToolRejected[] = [];
  const nodedirFromEnv = envValue(env, 'npm_config_nodedir');
  const configured = npmConfig.nodedir
    ? { dir: npmConfig.nodedir, source: 'nodedir' }
    : nodedirFromEnv
      ? { dir: nodedirFromEnv, source: 'npm_config_nodedir' }
      : null;
  if (configured) {
    const dir = configured.dir.replace(/^~/, env.homedir);
    const include = await headersIn(dir);
    // node-gyp compiles against a configured nodedir whatever it holds; there is no fallback to report.
    if (include === null) {
      rejected.push({ tool: 'headers', candidate: dir, source: configured.source, reason: 'not-found' });
      return { found: null, rejected };
    }
    return {
      found: { path: include, version: await headerVersion(include), source: configured.source },
      rejected,
    };
  }

  const prefix = env.nodeConfig?.nodePrefix;
  if (env.nodeConfig?.usePrefixToFindHeaders && prefix) {
    const include = path.join(prefix, 'include', 'node');
    const version = await headerVersion(include);
    if (version === env.versions.node)
      return { found: { path: include, version, source: 'prefix' }, rejected };
  }

  const devDir = path.join(nodeGypDevDir(env, npmConfig), env.versions.node);
  const devInclude = path.join(devDir, 'include', 'node');
  if (await exists(path.join(devInclude, 'common.gypi'))) {
    // node-gyp re-downloads a cache entry older than its own `installVersion`.
    const installed = Number.parseInt(readBounded(path.join(devDir, 'installVersion'), 64) ?? '0', 10) || 0;
    if (nodeGypInstallVersion === null || installed >= nodeGypInstallVersion) {
      return {
        found: { path: devInclude, version: await headerVersion(devInclude), source: 'devdir' },
        rejected,
      };
    }
    rejected.push({ tool: 'headers', candidate: devDir, source: 'devdir', reason: 'outdated' });
  }

  const beside = path.join(path.dirname(path.dirname(env.execPath)), 'include', 'node');
  if (await exists(path.join(beside, 'node.h'))) {
    const version = await headerVersion(beside);
    if (version === env.versions.node)
      return { found: { path: beside, version, source: 'beside-node' }, rejected };
    rejected.push({
      tool: 'headers',
      candidate: beside,
      source: 'beside-node',
      reason: 'version-mismatch',
      version,
    });
  }
  return { found: null, rejected };
}

/** Walks up from a file inside npm to npm's package directory. */
async function npmPackageDir(fromFile: string): Promise<string | null> {
  let dir = path.dirname(fromFile);
  for (let i = 0; i < 4; i++) {
    const pkg = await readJson(path.join(dir, 'package.json'));
    if (pkg?.['name'] === 'npm') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

interface NodeGypFound extends ToolFound {
  installVersion: number | null;
}

async function nodeGypPackage(dir: string, source: string): Promise<NodeGypFound | null> {
  const pkg = await readJson(path.join(dir, 'package.json'));
  if (pkg?.['name'] !== 'node-gyp' || typeof pkg['version'] !== 'string') return null;
  const installVersion = typeof pkg['installVersion'] === 'number' ? pkg['installVersion'] : null;
  return { path: dir, version: pkg['version'], source, installVersion };
}

/**
 * The node-gyp `npm install` runs for `node-gyp rebuild`: the one npm names in `npm_config_node_gyp`
 * inside a lifecycle script, else npm's bundled copy (npm found from `npm_execpath`, the `npm` on PATH,
 * or beside node). A project that depends on node-gyp itself gets its own copy first on PATH; that is
 * the tree's business, not the host's.
 */
async function findNodeGyp(env: HostEnvironment, scope: ToolScope): Promise<Probe<NodeGypFound>> {
  const rejected: ToolRejected[] = [];
  const fromNpm = envValue(env, 'npm_config_node_gyp');
  if (fromNpm) {
    // Points at `<node-gyp>/bin/node-gyp.js`.
    const found = await nodeGypPackage(path.dirname(path.dirname(fromNpm)), 'npm_config_node_gyp');
    if (found) return { found, rejected };
    rejected.push({
      tool: 'nodeGyp',
      candidate: fromNpm,
      source: 'npm_config_node_gyp',
      reason: 'not-found',
    });
  }

  const npmDirs: { dir: Promise<string | null>; source: string }[] = [];
  const execpath = envValue(env, 'npm_execpath');
  if (execpath) npmDirs.push({ dir: npmPackageDir(execpath), source: 'npm_execpath' });
  // npm's own files live in a node_modules folder: only the PATH folders are checked (it is read, not run)
  const npmOnPath = (await searchPath('npm', scope, { files: false })).found;
  if (npmOnPath) {
    npmDirs.push({ dir: realpath(npmOnPath).then(npmPackageDir, () => null), source: 'PATH' });
  }
  const nodeBin = path.dirname(env.execPath);
  const besideNode =
    env.platform === 'win32'
      ? path.join(nodeBin, 'node_modules', 'npm')
      : path.join(path.dirname(nodeBin), 'lib', 'node_modules', 'npm');
  npmDirs.push({ dir: Promise.resolve(besideNode), source: 'beside-node' });

  for (const { dir, source } of npmDirs) {
    const npmDir = await dir;
    if (npmDir === null) continue;
    const found = await nodeGypPackage(path.join(npmDir, 'node_modules', 'node-gyp'), source);
    if (found) return { found, rejected };
  }
  return { found: null, rejected };
}

export interface ToolchainOptions {
  /**
   * The project being checked. Nothing inside it, and nothing inside any node_modules folder, is
   * run: npm and npx put `node_modules/.bin` first on PATH, where a dependency's `python3`, `make`
   * or `g++` bin would otherwise be what the probe runs. Such candidates are reported as rejected
   * (`inside-project`, `inside-node-modules`) and the search goes on down PATH.
   */
  projectRoot?: string | null;
}

/**
 * What node-gyp would find on this machine, looked up the way node-gyp itself looks. `python`, `make`
 * and `cxx` are true only for a tool that was found and ran. Windows compiles with Visual Studio, which
 * is not probed: there `make` is false and `cxx` true only when CXX names a working compiler.
 */
export async function detectToolchain(
  env: HostEnvironment,
  npmConfig: NpmToolConfig = {},
  options: ToolchainOptions = {},
): Promise<Toolchain> {
  const win = env.platform === 'win32';
  const scope = toolScope(env, options.projectRoot ?? null);
  const none: Probe<ToolFound> = { found: null, rejected: [] };
  const cxxAlternatives = ['c++', 'g++', 'clang++'];
  const ccAlternatives = ['gcc', 'clang'];
  const cxxCommand = compilerCommand(env, 'cxx');
  const ccCommand = compilerCommand(env, 'cc');

  const nodeGypProbe = await findNodeGyp(env, scope);
  const [python, make, cc, cxx, headers] = await Promise.all([
    findPython(env, npmConfig, scope),
    win ? none : findCommand('make', makeCommand(env, npmConfig), [], scope),
    win && ccCommand.source === 'PATH'
      ? none
      : findCommand(
          'cc',
          ccCommand,
          ccAlternatives.filter((n) => n !== ccCommand.value),
          scope,
        ),
    win && cxxCommand.source === 'PATH'
      ? none
      : findCommand(
          'cxx',
          cxxCommand,
          cxxAlternatives.filter((n) => n !== cxxCommand.value),
          scope,
        ),
    findHeaders(env, npmConfig, nodeGypProbe.found?.installVersion ?? null),
  ]);

  let nodeGyp: ToolFound | null = null;
  if (nodeGypProbe.found) {
    const { installVersion: _installVersion, ...found } = nodeGypProbe.found;
    nodeGyp = found;
  }
  const pythonVersion = python.found?.version;
  const nodeGypVersion = nodeGyp?.version ? semver.coerce(nodeGyp.version) : null;
  const distutilsTrap =
    pythonVersion != null &&
    semver.gte(pythonVersion, '3.12.0') &&
    nodeGypVersion !== null &&
    nodeGypVersion.major < 10;

  return {
    python: python.found !== null,
    make: make.found !== null,
    cxx: cxx.found !== null,
    known: true,
    details: {
      python: python.found,
      make: make.found,
      cc: cc.found,
      cxx: cxx.found,
      headers: headers.found,
      nodeGyp,
      distutilsTrap,
      rejected: [
        ...python.rejected,
        ...make.rejected,
        ...cc.rejected,
        ...cxx.rejected,
        ...headers.rejected,
        ...nodeGypProbe.rejected,
      ],
    },
  };
}
