import type { Target } from '../model/target.js';
import type { Evidence, LinkResult, PredictContext } from '../model/prediction.js';
import type { PackageFiles } from '../model/package.js';

/**
 * Binaries a package ships for many platforms, told apart only by their names, and picked at run
 * time by the package's own code: @sentry-internal/node-cpu-profiler's
 * `lib/sentry_cpu_profiler-linux-x64-musl-127.node`, oracledb's
 * `build/Release/oracledb-6.10.0-linux-x64.node`, deasync's `bin/linux-x64-node-22/deasync.node`.
 * The loader is the package's own code, so the pick mirrors what such loaders do: the file whose
 * name says the target's platform and arch, and (where the name says them) its libc, Node ABI or
 * Node major.
 */
export interface NameTuple {
  platform: string;
  arch: string;
  libc: 'glibc' | 'musl' | null;
  abi: string | null;
  nodeMajor: string | null;
}

const PLATFORMS: Record<string, { platform: string; libc?: 'musl' }> = {
  darwin: { platform: 'darwin' },
  macos: { platform: 'darwin' },
  osx: { platform: 'darwin' },
  linux: { platform: 'linux' },
  linuxmusl: { platform: 'linux', libc: 'musl' },
  alpine: { platform: 'linux', libc: 'musl' },
  // koffi's `musl_x64/`: a libc word before the arch stands for Linux with that libc
  musl: { platform: 'linux', libc: 'musl' },
  win32: { platform: 'win32' },
  windows: { platform: 'win32' },
  freebsd: { platform: 'freebsd' },
  openbsd: { platform: 'openbsd' },
  sunos: { platform: 'sunos' },
  aix: { platform: 'aix' },
  android: { platform: 'android' },
};

const ARCHES: Record<string, string> = {
  x64: 'x64',
  x86_64: 'x64',
  amd64: 'x64',
  arm64: 'arm64',
  aarch64: 'arm64',
  ia32: 'ia32',
  x86: 'ia32',
  i386: 'ia32',
  i686: 'ia32',
  arm: 'arm',
  armv7: 'arm',
  armv7l: 'arm',
  armhf: 'arm',
  armv6: 'arm',
  ppc64: 'ppc64',
  ppc64le: 'ppc64',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips64el: 'mips64el',
  universal: 'universal',
};

/**
 * A platform and an arch written as one word, as @sap/hana-client's `prebuilt/` folders do
 * (`linuxx86_64`, `linuxaarch64`, `linuxppc64le`, `darwinintel64`, `darwinarm64`, `ntamd64`): the
 * word must be exactly a platform word followed by an arch word.
 */
const GLUED_PLATFORMS: Record<string, string> = {
  linux: 'linux',
  darwin: 'darwin',
  win32: 'win32',
  nt: 'win32',
};
const GLUED_ARCHES: Record<string, string> = { ...ARCHES, intel64: 'x64' };
function splitGlued(token: string): { platform: string; arch: string } | null {
  for (const [word, platform] of Object.entries(GLUED_PLATFORMS)) {
    if (!token.startsWith(word)) continue;
    const arch = GLUED_ARCHES[token.slice(word.length)];
    if (arch) return { platform, arch };
  }
  return null;
}

const LIBCS: Record<string, 'glibc' | 'musl'> = { gnu: 'glibc', glibc: 'glibc', musl: 'musl' };

/** Folder names that only say where a binary sits, never which platform it is for. */
const PLACE = new Set(['build', 'release', 'debug', 'lib', 'bin', 'dist', 'binaries', 'native', 'prebuilt']);

/**
 * The platform tuple a package-relative path names (`x64_86` spelled as `x86_64` survives the
 * split), or null when it names no platform and arch. The tokens come from the file name without
 * `.node` and the folders above it.
 */
export function parseNameTuple(relPath: string): NameTuple | null {
  const parts = relPath.replace(/\.node$/, '').split('/');
  const tokens = parts
    .filter((p) => !PLACE.has(p.toLowerCase()))
    .join('-')
    .toLowerCase()
    .replace(/x86_64/g, 'x86·64')
    .split(/[-_.]+/)
    .map((t) => t.replace('x86·64', 'x86_64'));
  let platform: string | null = null;
  let arch: string | null = null;
  let libc: 'glibc' | 'musl' | null = null;
  let abi: string | null = null;
  let nodeMajor: string | null = null;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const p = PLATFORMS[t];
    if (p && !platform) {
      platform = p.platform;
      if (p.libc) libc = p.libc;
      continue;
    }
    const glued: { platform: string; arch: string } | null = platform ? null : splitGlued(t);
    if (glued) {
      platform = glued.platform;
      arch = glued.arch;
      continue;
    }
    // @sap/hana-client's `linuxx86_64_alpine`: Alpine named after the tuple is its libc
    if (t === 'alpine' && arch) {
      libc = 'musl';
      continue;
    }
    const a = ARCHES[t];
    if (a && platform && !arch) {
      arch = a;
      continue;
    }
    const l = LIBCS[t];
    if (l && arch) {
      libc = l;
      continue;
    }
    if (t === 'node' && /^\d+$/.test(tokens[i + 1] ?? '') && arch) {
      nodeMajor = tokens[i + 1]!;
      i++;
      continue;
    }
    const tagged = /^(?:abi|v)(\d{2,3})$/.exec(t);
    if (tagged && arch) {
      abi = tagged[1]!;
      continue;
    }
    // a bare ABI after the tuple (sentry's `-127`); version numbers before it are not ABIs
    if (/^\d{2,3}$/.test(t) && arch && Number(t) >= 46) abi = t;
  }
  return platform && arch ? { platform, arch, libc, abi, nodeMajor } : null;
}

const label = (t: NameTuple) => [t.platform, t.arch, t.libc].filter(Boolean).join('-');

/** How well a named binary fits a target: null when it cannot be the one, else the count of extra tags matched. */
export function tupleFit(t: NameTuple, target: Target): number | null {
  if (t.platform !== target.platform) return null;
  if (t.arch !== target.arch && !(t.arch === 'universal' && target.platform === 'darwin')) return null;
  let score = 0;
  if (t.libc && target.platform === 'linux') {
    if (target.libc && t.libc !== target.libc) return null;
    score++;
  }
  if (t.abi) {
    if (t.abi !== target.abi) return null;
    score++;
  }
  if (t.nodeMajor) {
    if (t.nodeMajor !== target.version.split('.')[0]) return null;
    score++;
  }
  return score;
}

/** Folders never searched: what a package ships for its tests, examples and docs, and nested installs. */
const SKIP = new Set([
  'node_modules',
  'test',
  'tests',
  '__tests__',
  'example',
  'examples',
  'fixtures',
  'docs',
]);
const MAX_DEPTH = 3;
const MAX_DIRS = 200;

/**
 * The `.node` files of a per-platform family, wherever the package keeps them (farmhash's
 * `build/farmhash-linux-x64.node`, @parcel/source-map's
 * `parcel_sourcemap_node/artifacts/index.linux-x64-gnu.node`, aws-crt's
 * `dist/bin/linux-x64-glibc/aws-crt-nodejs.node`, deasync's `bin/linux-x64-node-22/deasync.node`):
 * files whose path carries a platform and an arch, found breadth first, at most three folders
 * deep and 200 folders in all. Two or more make a family; a single file is just a shipped binary.
 */
export function findNamedFamily(files: PackageFiles): string[] {
  const out: string[] = [];
  const queue: [string, number][] = [['', 0]];
  for (let seen = 0; queue.length && seen < MAX_DIRS && out.length <= 256; seen++) {
    const [dir, depth] = queue.shift()!;
    for (const e of files.list(dir) ?? []) {
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.dir) {
        const name = e.name.toLowerCase();
        if (depth < MAX_DEPTH && !SKIP.has(name) && !name.startsWith('.')) queue.push([rel, depth + 1]);
      } else if (e.name.endsWith('.node') && parseNameTuple(rel)) out.push(rel);
    }
  }
  return out.length >= 2 ? out.sort() : [];
}

export function predictNamedBinaries(ctx: PredictContext, family: string[]): LinkResult {
  const { files, target } = ctx;
  let best: { file: string; score: number } | null = null;
  const labels = new Set<string>();
  for (const file of family) {
    const t = parseNameTuple(file);
    if (!t) continue;
    labels.add(label(t));
    const score = tupleFit(t, target);
    if (score !== null && (!best || score > best.score)) best = { file, score };
  }
  if (!best) {
    const evidence: Evidence[] = [{ kind: 'prebuilds-none-for-target', available: [...labels].sort() }];
    return { kind: 'miss', strategy: 'shipped-binary', evidence };
  }
  const dir = best.file.includes('/') ? best.file.slice(0, best.file.lastIndexOf('/')) : '';
  return {
    kind: 'binary',
    strategy: 'shipped-binary',
    binary: best.file,
    facts: files.facts(best.file),
    evidence: [{ kind: 'prebuild-match', file: best.file, dir }],
  };
}
