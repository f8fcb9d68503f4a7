import semver from 'semver';
import { abiFor, armvFor, isFutureMajor, napiFor, UV_MAJOR } from './abi.js';
import { ALPINE_RELEASES, DEBIAN_RELEASES, IMAGE_LINES } from './data/images.js';
import type { DistroRelease, ImageLine } from './data/images.js';
import { TargetError } from './errors.js';
import { currentMajor, findRelease, loadNodeReleases, ltsMajor, newestRelease } from './releases.js';
import type { NodeReleaseData } from './releases.js';
import type { ImageLineAsked } from '../model/errors.js';
import type { Libc, Target, Toolchain } from '../model/target.js';

export { TargetError, TARGET_EXAMPLES } from './errors.js';
export type { TargetErrorFact, TargetErrorReason } from './errors.js';

export interface TargetContext {
  /** The machine native-guard runs on, from `detectHost()`. */
  host: Target;
  /**
   * `--arch`: replaces the arch of `host`, `electron@…`, `node<version>` and image targets. A tuple such
   * as `node22-linux-arm64` already names its arch and keeps it.
   */
  arch?: string;
  /**
   * Today as YYYY-MM-DD; decides which line `node:lts` is. The caller reads the clock, not this module.
   * Defaults to the date the release data was generated, so results are reproducible.
   */
  today?: string;
  /** Release data; defaults to the data shipped with the package. */
  data?: NodeReleaseData;
}

/** `process.platform` values Node is built for. */
export const NODE_PLATFORMS = ['linux', 'darwin', 'win32', 'freebsd', 'openbsd', 'sunos', 'aix', 'android'];
/** `process.arch` values Node is built for. */
export const NODE_ARCHES = [
  'x64',
  'arm64',
  'arm',
  'ia32',
  'ppc64',
  's390x',
  'riscv64',
  'loong64',
  'mips64el',
];

/**
 * A `node22-linux-x64` tuple says nothing about the machine's tools. Counting them as absent keeps a
 * prediction from promising a source build nobody checked; `known: false` lets the report say
 * "toolchain unknown" instead of "missing".
 */
const UNKNOWN_TOOLCHAIN: Toolchain = { python: false, make: false, cxx: false, known: false };
/** Full Debian images build on buildpack-deps: python3, make, gcc and g++ are installed. */
const FULL_IMAGE_TOOLCHAIN: Toolchain = { python: true, make: true, cxx: true, known: true };
/** Slim and alpine images carry node, npm and yarn only. */
const BARE_IMAGE_TOOLCHAIN: Toolchain = { python: false, make: false, cxx: false, known: true };

/**
 * Resolve one target as the user wrote it. `id` is always `spec` unchanged.
 * Throws TargetError (code ETARGET) with a one-line message for anything it can't resolve.
 */
export function parseTarget(spec: string, ctx: TargetContext): Target {
  const text = spec.trim();
  if (text === '') throw new TargetError({ spec, why: 'empty' });
  const data = ctx.data ?? loadNodeReleases();

  if (text === 'host') return hostTarget(spec, ctx);

  const electron = /^electron@(.+)$/.exec(text);
  if (electron) return electronTarget(spec, electron[1]!, ctx);

  const image = IMAGE_RE.exec(text);
  if (image) return imageTarget(spec, image[1] ?? 'latest', ctx, data);

  // DESIGN.md's form: node@22.15.0/linux/arm64/glibc, or node@22 for this machine with another Node.
  const slashed = /^node@([^/]+)(?:\/([^/]+)\/([^/]+)(?:\/([^/]+))?)?$/.exec(text);
  if (slashed) return nodeTarget(spec, slashed[1]!, slashed[2], slashed[3], slashed[4], ctx, data);

  // node22-linux-x64-musl, node24.1.0-linux-arm64-glibc, node20-darwin-arm64, node22.
  const dashed = /^node(\d[\d.]*)(?:-([a-z0-9]+)-([a-z0-9]+)(?:-([a-z0-9.]+))?)?$/.exec(text);
  if (dashed) return nodeTarget(spec, dashed[1]!, dashed[2], dashed[3], dashed[4], ctx, data);

  if (/^[\w.-]+(?:\/[\w.-]+)*:[\w.-]+$/.test(text)) {
    throw new TargetError({ spec, why: 'not-node-image' });
  }
  throw new TargetError({ spec, why: 'unknown-form' });
}

/** Resolve every `--target`; each may hold a comma-separated list. None given means the host. */
export function resolveTargets(specs: readonly string[], ctx: TargetContext): Target[] {
  // Pieces of `a, b` are trimmed: the spaces belong to the list, not to the targets.
  const all = specs.flatMap((s) => s.split(',').map((piece) => piece.trim())).filter((s) => s !== '');
  if (all.length === 0) return [parseTarget('host', ctx)];
  const seen = new Set<string>();
  const targets: Target[] = [];
  for (const spec of all) {
    const target = parseTarget(spec, ctx);
    if (seen.has(target.id)) continue;
    seen.add(target.id);
    targets.push(target);
  }
  return targets;
}

function checkArch(spec: string, arch: string): string {
  if (!NODE_ARCHES.includes(arch)) {
    throw new TargetError({ spec, why: 'unknown-arch', arch, known: [...NODE_ARCHES] });
  }
  return arch;
}

function hostTarget(spec: string, ctx: TargetContext): Target {
  const arch = checkArch(spec, ctx.arch ?? ctx.host.arch);
  // Another arch on this machine is a prediction (what would npm fetch for arm64?), not something we
  // can load here, so it stops being the host.
  return { ...ctx.host, id: spec, arch, armv: armvFor(arch), isHost: arch === ctx.host.arch };
}

function electronTarget(spec: string, versionText: string, ctx: TargetContext): Target {
  // ABI and Node-API only change between Electron majors, so `electron@33` is resolved as 33.0.0.
  const version = /^\d+$/.test(versionText)
    ? `${versionText}.0.0`
    : /^\d+\.\d+$/.test(versionText)
      ? `${versionText}.0`
      : semver.valid(versionText);
  const abi = version === null ? null : abiFor(version, 'electron');
  if (version === null || abi === null) {
    throw new TargetError({ spec, why: 'unknown-electron', version: versionText });
  }
  const arch = checkArch(spec, ctx.arch ?? ctx.host.arch);
  // Compiling for Electron uses Electron's headers, downloaded by node-gyp; the host's Node headers don't count.
  const details = ctx.host.toolchain.details;
  const toolchain: Toolchain = details
    ? { ...ctx.host.toolchain, details: { ...details, headers: null } }
    : ctx.host.toolchain;
  return {
    id: spec,
    runtime: 'electron',
    version,
    abi,
    napi: napiFor(version, 'electron'),
    platform: ctx.host.platform,
    arch,
    libc: ctx.host.libc,
    libcVersion: ctx.host.libcVersion,
    ...(arch === ctx.host.arch ? hostLibraryFacts(ctx.host) : {}),
    armv: armvFor(arch),
    uv: UV_MAJOR,
    toolchain,
    isHost: false,
    ...(isFutureMajor(semver.major(version), 'electron') ? { unreleased: true } : {}),
  };
}

interface ResolvedNode {
  version: string;
  abi: string;
  napi: number | null;
  unreleased: boolean;
}

/**
 * `22` or `22.15` → newest such release in the data; `22.15.0` → that release. A full version newer than
 * the data is accepted when node-abi knows its line (the data may be older than the release); a line
 * node-abi announces but the data has no release of (`27`) resolves to `27.0.0`, marked unreleased.
 */
function resolveNodeVersion(spec: string, text: string, data: NodeReleaseData, major?: number): ResolvedNode {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(text);
  if (!m || (major !== undefined && Number(m[1]) !== major)) {
    throw new TargetError({ spec, why: 'not-a-node-version', version: text });
  }
  const lineMajor = Number(m[1]);
  const full = m[3] !== undefined;
  let version: string | null = null;
  let unreleased = false;
  if (full) {
    const wanted = `${m[1]}.${m[2]}.${m[3]}`;
    const newest = newestRelease(data, m[1]!);
    if (findRelease(data, wanted) || (newest !== null && semver.gt(wanted, newest.version))) version = wanted;
  } else {
    version = newestRelease(data, m[2] === undefined ? m[1]! : `${m[1]}.${m[2]}`)?.version ?? null;
  }
  if (
    version === null &&
    (m[2] ?? '0') === '0' &&
    (m[3] ?? '0') === '0' &&
    isFutureMajor(lineMajor, 'node')
  ) {
    version = `${lineMajor}.0.0`;
    unreleased = true;
  }
  const abi = version === null ? null : abiFor(version, 'node');
  if (version === null || abi === null) {
    throw new TargetError({
      spec,
      why: 'no-node-release',
      version: text,
      newest: data.releases[0]?.version ?? null,
    });
  }
  return { version, abi, napi: napiFor(version, 'node'), unreleased };
}

function parseLibc(spec: string, text: string): { libc: Libc; libcVersion: string | null } {
  const m = /^(glibc|musl)(\d+\.\d+(?:\.\d+)?)?$/.exec(text);
  if (!m) {
    throw new TargetError({ spec, why: 'unknown-libc', libc: text });
  }
  return { libc: m[1] as Libc, libcVersion: m[2] ?? null };
}

function nodeTarget(
  spec: string,
  versionText: string,
  platform: string | undefined,
  archText: string | undefined,
  libcText: string | undefined,
  ctx: TargetContext,
  data: NodeReleaseData,
): Target {
  const node = resolveNodeVersion(spec, versionText, data);
  const common = {
    id: spec,
    runtime: 'node' as const,
    version: node.version,
    abi: node.abi,
    napi: node.napi,
    uv: UV_MAJOR,
    isHost: false,
    ...(node.unreleased ? { unreleased: true } : {}),
  };

  if (platform === undefined || archText === undefined) {
    // `node22`: this machine (its libc and tools) running another Node version.
    const arch = checkArch(spec, ctx.arch ?? ctx.host.arch);
    const { platform: hostPlatform, libc, libcVersion, toolchain } = ctx.host;
    // the host's own libstdc++ and libraries serve its own arch only
    const glibcxx = arch === ctx.host.arch ? hostLibraryFacts(ctx.host) : {};
    return {
      ...common,
      platform: hostPlatform,
      arch,
      libc,
      libcVersion,
      ...glibcxx,
      armv: armvFor(arch),
      toolchain,
    };
  }

  if (!NODE_PLATFORMS.includes(platform)) {
    throw new TargetError({ spec, why: 'unknown-platform', platform, known: [...NODE_PLATFORMS] });
  }
  const arch = checkArch(spec, archText);
  let libc: Libc | null = null;
  let libcVersion: string | null = null;
  if (libcText !== undefined) {
    if (platform !== 'linux') {
      throw new TargetError({ spec, why: 'libc-not-linux', platform });
    }
    ({ libc, libcVersion } = parseLibc(spec, libcText));
  } else if (platform === 'linux') {
    // What npm and node-gyp-build assume when nothing says musl.
    libc = 'glibc';
  }
  return { ...common, platform, arch, libc, libcVersion, armv: armvFor(arch), toolchain: UNKNOWN_TOOLCHAIN };
}

/** What this machine's libstdc++ and library folders say, for targets that run on it (same arch). */
function hostLibraryFacts(host: Target): Pick<Target, 'glibcxxVersion' | 'systemLibraries'> {
  const out: Pick<Target, 'glibcxxVersion' | 'systemLibraries'> = {};
  if (host.glibcxxVersion) out.glibcxxVersion = host.glibcxxVersion;
  if (host.systemLibraries) out.systemLibraries = host.systemLibraries;
  return out;
}

// `node`, `node:22-alpine`, `docker.io/library/node:22`, `library/node:lts@sha256:…`. A digest is
// dropped: it pins bytes we can't look up offline, and the tag beside it still names line and variant.
const IMAGE_RE =
  /^(?:(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\/)?(?:library\/)?node(?::([\w][\w.-]*))?(?:@sha256:[0-9a-f]{64})?$/;

interface ImageVariant {
  /** The variant as docker-node names it: `bookworm`, `bookworm-slim`, `alpine3.24`. */
  name: string;
  distro: DistroRelease;
  release: string;
  slim: boolean;
}

/** `alpine`, `alpine3.24`, `slim`, `bookworm`, `bookworm-slim` → the variant this line publishes. */
function resolveVariant(spec: string, text: string | undefined, line: ImageLine): ImageVariant {
  const name =
    text === undefined
      ? line.debianDefault
      : text === 'alpine'
        ? line.alpineDefault
        : text === 'slim'
          ? `${line.debianDefault}-slim`
          : text;
  const alpine = /^alpine(\d+\.\d+)$/.exec(name);
  if (alpine) {
    const distro = ALPINE_RELEASES[alpine[1]!];
    if (distro) return { name, distro, release: alpine[1]!, slim: false };
  }
  const debian = /^([a-z]+)(-slim)?$/.exec(name);
  if (debian) {
    const distro = DEBIAN_RELEASES[debian[1]!];
    if (distro) return { name, distro, release: debian[1]!, slim: debian[2] !== undefined };
  }
  const known = ['alpine', 'slim', ...Object.keys(line.variants)];
  throw new TargetError({ spec, why: 'unknown-variant', variant: text ?? name, major: line.major, known });
}

function isVariantName(text: string): boolean {
  if (text === 'alpine' || text === 'slim') return true;
  const alpine = /^alpine(\d+\.\d+)$/.exec(text);
  if (alpine) return alpine[1]! in ALPINE_RELEASES;
  const debian = /^([a-z]+)(-slim)?$/.exec(text);
  return debian !== null && debian[1]! in DEBIAN_RELEASES;
}

function imageTarget(spec: string, tag: string, ctx: TargetContext, data: NodeReleaseData): Target {
  const today = ctx.today ?? data.generated;
  const imageLine = (major: number | null, asked: ImageLineAsked): ImageLine => {
    const line = IMAGE_LINES.find((l) => l.major === major);
    if (!line) {
      const lines = IMAGE_LINES.map((l) => l.major);
      throw new TargetError({ spec, why: 'no-image-for-line', asked, lines });
    }
    return line;
  };

  // The tag is `<version>[-<variant>]`, `lts`/`current`/codename in place of the version, or only a
  // variant (`node:alpine` is the current line).
  let line: ImageLine;
  let versionText: string | undefined;
  let variantText: string | undefined;
  if (tag === 'latest' || tag === 'current' || isVariantName(tag)) {
    line = imageLine(currentMajor(data), { line: 'current' });
    variantText = tag === 'latest' || tag === 'current' ? undefined : tag;
  } else {
    const dash = tag.indexOf('-');
    const head = dash === -1 ? tag : tag.slice(0, dash);
    variantText = dash === -1 ? undefined : tag.slice(dash + 1);
    if (/^\d+(\.\d+){0,2}$/.test(head)) {
      const major = Number(head.split('.')[0]);
      line = imageLine(major, { line: 'major', major });
      versionText = head;
    } else if (head === 'lts') {
      line = imageLine(ltsMajor(data, today), { line: 'lts', today });
    } else if (head === 'current') {
      line = imageLine(currentMajor(data), { line: 'current' });
    } else {
      const byCodename = IMAGE_LINES.find((l) => l.codename === head);
      if (!byCodename) throw new TargetError({ spec, why: 'unknown-image-tag', tag });
      line = byCodename;
    }
    // `lts-krypton` is a real tag: the codename only restates the line.
    if (variantText !== undefined && variantText === line.codename) variantText = undefined;
  }

  const node = resolveNodeVersion(spec, versionText ?? String(line.major), data, line.major);
  const variant = resolveVariant(spec, variantText, line);

  // A variant the line no longer lists (an old `-alpine3.21` tag) keeps its libc; its arches are
  // estimated from the line's current variant of the same distro.
  const sameFamily = variant.distro.distro === 'alpine' ? line.alpineDefault : line.debianDefault;
  const published =
    line.variants[variant.name] ?? line.variants[variant.slim ? `${sameFamily}-slim` : sameFamily] ?? [];
  const arch = checkArch(spec, ctx.arch ?? ctx.host.arch);
  if (!published.includes(arch)) {
    throw new TargetError({
      spec,
      why: 'arch-not-published',
      major: line.major,
      variant: variant.name,
      arch,
      published: [...published],
    });
  }

  const full = variant.distro.distro === 'debian' && !variant.slim;
  return {
    id: spec,
    runtime: 'node',
    version: node.version,
    abi: node.abi,
    napi: node.napi,
    platform: 'linux',
    arch,
    libc: variant.distro.libc,
    libcVersion: variant.distro.libcVersion,
    ...(variant.distro.glibcxxVersion ? { glibcxxVersion: variant.distro.glibcxxVersion } : {}),
    armv: armvFor(arch),
    uv: UV_MAJOR,
    toolchain: full ? FULL_IMAGE_TOOLCHAIN : BARE_IMAGE_TOOLCHAIN,
    image: {
      image: `node:${tag}`,
      variant: variant.name,
      distro: variant.distro.distro,
      release: variant.release,
      pythonVersion: full ? variant.distro.pythonVersion : null,
    },
    isHost: false,
  };
}
