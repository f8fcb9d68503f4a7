// Shared by the truth harness's scripts: where things live, record file names, the run kinds.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = fileURLToPath(new URL('.', import.meta.url));
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RECORDS = join(HERE, 'records');
/**
 * Installed projects, the slim PATH folder, the arm64 Node: big, not committed. Outside the
 * checkout on purpose: npm puts every ancestor's node_modules/.bin on an install script's PATH,
 * so a project inside this repository would build with the repository's own node-gyp.
 */
export const WORK = process.env.TRUTH_WORK ?? join(homedir(), '.cache', 'native-guard-truth');

/**
 * The run kinds, in the order a full run does them: the cheap cells (no compiler: they fail or
 * succeed fast) over the whole population first, so a partial run still grades several targets
 * over every package; the toolchain runs, which compile, last.
 *
 * node: 'host' is this machine's Node; a major is the real binary from node-linux-<arch>@<major>.
 * toolchain: false puts only a slim PATH (no python3, make, cc, g++) in front of npm.
 */
export const RUNS = {
  slim: { node: 'host', arch: 'x64', toolchain: false },
  musl: { node: 'host', arch: 'x64', toolchain: false, libc: 'musl', files: true },
  host: { node: 'host', arch: 'x64', toolchain: true },
  'node22-slim': { node: '22', arch: 'x64', toolchain: false },
  'node24-slim': { node: '24', arch: 'x64', toolchain: false },
  'arm64-slim': { node: '22', arch: 'arm64', toolchain: false },
  node22: { node: '22', arch: 'x64', toolchain: true },
  node24: { node: '24', arch: 'x64', toolchain: true },
};

/** A file-system-safe key for name@version: @scope/name → @scope+name. */
export function recordKey(name, version) {
  return `${name.replace('/', '+')}@${version}`;
}

export function recordPath(name, version) {
  return join(RECORDS, `${recordKey(name, version)}.json`);
}

export function lockfilePath(name, version) {
  return join(RECORDS, `${recordKey(name, version)}.lock.json`);
}

export function readJson(path, fallback = null) {
  if (!existsSync(path)) return fallback;
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Written to a temporary name then renamed, so an interrupted run never leaves half a record. */
export function writeJson(path, value) {
  mkdirSync(join(path, '..'), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, path);
}

/** Keeps the end of a long text (install logs end with the error), bounded. */
export function tail(text, max = 4000) {
  const s = String(text ?? '');
  return s.length > max ? `…${s.slice(-max)}` : s;
}

export function head(text, max = 1500) {
  const s = String(text ?? '');
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** Compilers, Python, build tools and downloaders a slim image does not have. */
const SLIM_DENY =
  /^(python.*|pip.*|pydoc.*|2to3.*|idle.*|make|gmake|cmake|ctest|cpack|ninja|meson|cc|c\+\+|cpp|gcc.*|g\+\+.*|clang.*|x86_64-linux-gnu-.*|aarch64-linux-gnu-.*|ld|ld\..*|as|ar|ranlib|nm|objcopy|objdump|strip|gold|pkg-config|pkgconf|git|curl|wget|nvcc|musl-gcc)$/;

/**
 * A PATH folder as a `-slim` image has: the shell and core utilities (install scripts use sh, rm,
 * cp, uname…), node and npm, and no python3/make/cc/g++ (node:*-slim images ship none of them).
 */
export function makeSlimBin(dir) {
  if (existsSync(join(dir, '.complete'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const from of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (!existsSync(from)) continue;
    for (const name of readdirSync(from)) {
      if (SLIM_DENY.test(name) || existsSync(join(dir, name))) continue;
      try {
        symlinkSync(join(from, name), join(dir, name));
      } catch {
        // a name seen twice (/bin is /usr/bin here)
      }
    }
  }
  writeFileSync(join(dir, '.complete'), '');
  return dir;
}
