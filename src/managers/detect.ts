import type { ManagerName } from './types.js';

/** How a manager lays out node_modules: npm-like folders, pnpm/Bun's symlinked store, or Yarn PnP. */
export type Linker = 'hoisted' | 'isolated' | 'pnp';

export type LockfileName =
  'package-lock.json' | 'npm-shrinkwrap.json' | 'pnpm-lock.yaml' | 'yarn.lock' | 'bun.lock' | 'bun.lockb';

export interface Evidence {
  /**
   * `installed`: a file the manager wrote into the installed tree; `lockfile`; `packageManager`
   * (or `devEngines.packageManager`) in package.json; `user-agent`: npm_config_user_agent of the
   * running manager; `config`: its settings file; `default`: nothing said otherwise.
   */
  source: 'installed' | 'lockfile' | 'packageManager' | 'user-agent' | 'config' | 'default';
  /** The file that decided, relative to the project (`node_modules/.modules.yaml`, `package.json`…). */
  file?: string;
}

export type DetectConflict =
  /** Install markers of different managers (a project switched managers and kept the old folder). */
  | { code: 'several-markers'; files: string[] }
  /** Lockfiles of different managers; `lockfile` is the one taken. */
  | { code: 'several-lockfiles'; files: LockfileName[] }
  /** package.json or the running manager names another manager than the one detected. */
  | { code: 'manager-mismatch'; declared: ManagerName; source: 'packageManager' | 'user-agent' };

export interface Detection {
  manager: ManagerName;
  /** Exact version when something says it (`10.34.9`), else undefined. */
  version?: string;
  linker: Linker;
  /** That manager's lockfile, when the project has it. */
  lockfile?: LockfileName;
  evidence: { manager: Evidence; version?: Evidence; linker: Evidence };
  conflicts: DetectConflict[];
}

export interface DetectInput {
  /** Which of DETECT_CANDIDATES exist (relative POSIX paths; folders included). */
  present: Iterable<string>;
  /** Reads at most `maxBytes` of a small file of the project; null when it cannot. Must be bounded. */
  read: (path: string, maxBytes: number) => string | null;
  /** `npm_config_user_agent` when running inside a manager's script (`pnpm/11.29.0 npm/? node/…`). */
  userAgent?: string;
}

/** Every path detection may look at, for the caller to stat. */
export const DETECT_CANDIDATES = [
  'node_modules',
  'node_modules/.modules.yaml',
  '.pnp.cjs',
  'node_modules/.yarn-state.yml',
  'node_modules/.yarn-integrity',
  'node_modules/.package-lock.json',
  'node_modules/.bun',
  'npm-shrinkwrap.json',
  'package-lock.json',
  'pnpm-lock.yaml',
  'yarn.lock',
  'bun.lock',
  'bun.lockb',
  'package.json',
  'pnpm-workspace.yaml',
  '.npmrc',
  '.yarnrc.yml',
  'bunfig.toml',
] as const;

/** Enough of each file for what detection reads; the regexes below also work on a cut-off read. */
const READ_LIMIT = {
  manifest: 1024 * 1024,
  marker: 1024 * 1024,
  config: 256 * 1024,
  lockfileHead: 4096,
} as const;

/** The installed-tree markers, in the order the research found them reliable. */
const MARKERS: Array<{ file: string; manager: ManagerName }> = [
  { file: 'node_modules/.modules.yaml', manager: 'pnpm' },
  { file: '.pnp.cjs', manager: 'yarn-berry' },
  { file: 'node_modules/.yarn-state.yml', manager: 'yarn-berry' },
  { file: 'node_modules/.yarn-integrity', manager: 'yarn-classic' },
  { file: 'node_modules/.package-lock.json', manager: 'npm' },
  { file: 'node_modules/.bun', manager: 'bun' },
];

const LOCKFILES: Array<{ file: LockfileName; manager: ManagerName | 'yarn' }> = [
  { file: 'npm-shrinkwrap.json', manager: 'npm' },
  { file: 'package-lock.json', manager: 'npm' },
  { file: 'pnpm-lock.yaml', manager: 'pnpm' },
  { file: 'yarn.lock', manager: 'yarn' },
  { file: 'bun.lock', manager: 'bun' },
  { file: 'bun.lockb', manager: 'bun' },
];

interface Declared {
  manager: ManagerName;
  version?: string;
}

/**
 * Which package manager installed (or will install) the project, with which linker and version,
 * and which file said so. Pure: the caller lists the candidate paths that exist and reads files
 * through a bounded reader.
 *
 * Order (pnpm-research §7): a marker the manager wrote into the installed tree wins (it is what
 * laid out node_modules); then the lockfile; then package.json `packageManager`; then the running
 * manager's user agent; npm when nothing says anything.
 */
export function detectManager(input: DetectInput): Detection {
  const present = new Set(input.present);
  const has = (p: string) => present.has(p);
  const conflicts: DetectConflict[] = [];
  const manifest = readManifest(input.read);
  const declared = manifest.packageManager;
  const agent = parseUserAgent(input.userAgent);

  const markers = MARKERS.filter((m) => has(m.file));
  if (new Set(markers.map((m) => m.manager)).size > 1) {
    conflicts.push({ code: 'several-markers', files: markers.map((m) => m.file) });
  }
  const lockfiles = LOCKFILES.filter((l) => has(l.file)).map((l) => ({
    file: l.file,
    manager: l.manager === 'yarn' ? yarnFlavour(input.read, declared ?? agent) : l.manager,
  }));

  let manager: ManagerName;
  let managerEvidence: Evidence;
  const marker = markers[0];
  if (marker) {
    manager = marker.manager;
    managerEvidence = { source: 'installed', file: marker.file };
  } else if (lockfiles.length > 0) {
    // several lockfiles: the one package.json or the running manager names, else the first
    const preferred =
      lockfiles.find((l) => l.manager === declared?.manager) ??
      lockfiles.find((l) => l.manager === agent?.manager) ??
      (lockfiles[0] as (typeof lockfiles)[number]);
    manager = preferred.manager;
    managerEvidence = { source: 'lockfile', file: preferred.file };
  } else if (declared) {
    manager = declared.manager;
    managerEvidence = { source: 'packageManager', file: 'package.json' };
  } else if (agent) {
    manager = agent.manager;
    managerEvidence = { source: 'user-agent' };
  } else {
    manager = 'npm';
    managerEvidence = { source: 'default' };
  }

  const own = lockfiles.filter((l) => l.manager === manager);
  if (new Set(lockfiles.map((l) => l.manager)).size > 1) {
    conflicts.push({ code: 'several-lockfiles', files: lockfiles.map((l) => l.file) });
  }
  if (declared && declared.manager !== manager) {
    conflicts.push({ code: 'manager-mismatch', declared: declared.manager, source: 'packageManager' });
  }
  if (agent && agent.manager !== manager) {
    conflicts.push({ code: 'manager-mismatch', declared: agent.manager, source: 'user-agent' });
  }

  const version = detectVersion(manager, agent, declared, input.read, has);
  const linker = detectLinker(manager, version?.version, manifest.workspaces, input.read, has);
  const detection: Detection = {
    manager,
    linker: linker.linker,
    evidence: { manager: managerEvidence, linker: linker.evidence },
    conflicts,
  };
  const lockfile = own[0]?.file;
  if (lockfile) detection.lockfile = lockfile;
  if (version) {
    detection.version = version.version;
    detection.evidence.version = version.evidence;
  }
  return detection;
}

function readManifest(read: DetectInput['read']): { packageManager?: Declared; workspaces: boolean } {
  const text = read('package.json', READ_LIMIT.manifest);
  if (text === null) return { workspaces: false };
  let data: unknown;
  try {
    data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    data = undefined;
  }
  const out: { packageManager?: Declared; workspaces: boolean } = { workspaces: false };
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    const pkg = data as Record<string, unknown>;
    out.workspaces = Object.prototype.hasOwnProperty.call(pkg, 'workspaces') && pkg.workspaces != null;
    const field = Object.prototype.hasOwnProperty.call(pkg, 'packageManager')
      ? pkg.packageManager
      : undefined;
    const fromField = typeof field === 'string' ? parsePackageManager(field) : null;
    const fromEngines = fromDevEngines(pkg.devEngines);
    const picked = fromField ?? fromEngines;
    if (picked) out.packageManager = picked;
  } else {
    // a read cut short (or a broken file): the field is usually near the top
    const m = /"packageManager"\s*:\s*"([^"]{1,200})"/.exec(text);
    const picked = m ? parsePackageManager(m[1] as string) : null;
    if (picked) out.packageManager = picked;
    out.workspaces = /"workspaces"\s*:/.test(text);
  }
  return out;
}

/** `pnpm@10.34.9+sha512.…` → pnpm 10.34.9; Yarn ≥ 2 is Berry. */
export function parsePackageManager(field: string): Declared | null {
  const m = /^(npm|pnpm|yarn|bun)@(\d+\.\d+\.\d+[^+\s]*)/.exec(field.trim());
  if (!m) return null;
  return named(m[1] as string, m[2] as string);
}

/** `pnpm/11.29.0 npm/? node/v22.23.5 linux x64` → pnpm 11.29.0. */
export function parseUserAgent(agent: string | undefined): Declared | null {
  if (!agent) return null;
  const m = /^(npm|pnpm|yarn|bun)\/(\d+\.\d+\.\d+\S*)/.exec(agent.trim());
  return m ? named(m[1] as string, m[2] as string) : null;
}

function named(tool: string, version: string): Declared {
  if (tool === 'yarn') {
    return { manager: Number(version.split('.')[0]) >= 2 ? 'yarn-berry' : 'yarn-classic', version };
  }
  return { manager: tool as ManagerName, version };
}

function fromDevEngines(devEngines: unknown): Declared | null {
  if (typeof devEngines !== 'object' || devEngines === null) return null;
  const pm = (devEngines as Record<string, unknown>).packageManager;
  const list = Array.isArray(pm) ? pm : [pm];
  for (const item of list) {
    if (typeof item !== 'object' || item === null) continue;
    const { name, version } = item as Record<string, unknown>;
    if (typeof name !== 'string' || !/^(npm|pnpm|yarn|bun)$/.test(name)) continue;
    // a range says which manager, not which version
    if (typeof version === 'string' && /^\d+\.\d+\.\d+$/.test(version)) return named(name, version);
    if (name === 'yarn') continue;
    return { manager: name as ManagerName };
  }
  return null;
}

function yarnFlavour(read: DetectInput['read'], hint: Declared | null): ManagerName {
  const head = read('yarn.lock', READ_LIMIT.lockfileHead) ?? '';
  if (/^__metadata:/m.test(head)) return 'yarn-berry';
  if (/^#\s*yarn lockfile v1/m.test(head)) return 'yarn-classic';
  return hint?.manager === 'yarn-berry' ? 'yarn-berry' : 'yarn-classic';
}

function detectVersion(
  manager: ManagerName,
  agent: Declared | null,
  declared: Declared | undefined,
  read: DetectInput['read'],
  has: (p: string) => boolean,
): { version: string; evidence: Evidence } | null {
  // inside a manager's script its user agent is the version actually running
  if (agent?.manager === manager && agent.version) {
    return { version: agent.version, evidence: { source: 'user-agent' } };
  }
  if (declared?.manager === manager && declared.version) {
    return { version: declared.version, evidence: { source: 'packageManager', file: 'package.json' } };
  }
  if (manager === 'pnpm' && has('node_modules/.modules.yaml')) {
    const text = read('node_modules/.modules.yaml', READ_LIMIT.marker) ?? '';
    const m = /["']?packageManager["']?\s*:\s*["']?pnpm@(\d+\.\d+\.\d+[^"'\s,]*)/.exec(text);
    if (m)
      return {
        version: m[1] as string,
        evidence: { source: 'installed', file: 'node_modules/.modules.yaml' },
      };
  }
  if (manager === 'yarn-berry' && has('.yarnrc.yml')) {
    const text = read('.yarnrc.yml', READ_LIMIT.config) ?? '';
    const m = /^yarnPath:\s*["']?\S*yarn-(\d+\.\d+\.\d+[^"'\s/]*)\.c?js["']?\s*$/m.exec(text);
    if (m) return { version: m[1] as string, evidence: { source: 'config', file: '.yarnrc.yml' } };
  }
  return null;
}

function detectLinker(
  manager: ManagerName,
  version: string | undefined,
  workspaces: boolean,
  read: DetectInput['read'],
  has: (p: string) => boolean,
): { linker: Linker; evidence: Evidence } {
  const config = (file: string): string | null => (has(file) ? read(file, READ_LIMIT.config) : null);
  const major = version === undefined ? undefined : Number(version.split('.')[0]);
  switch (manager) {
    case 'pnpm': {
      if (has('node_modules/.modules.yaml')) {
        const text = read('node_modules/.modules.yaml', READ_LIMIT.marker) ?? '';
        const m = /["']?nodeLinker["']?\s*:\s*["']?([a-z-]+)/.exec(text);
        return {
          linker: pnpmLinker(m?.[1]) ?? 'isolated',
          evidence: { source: 'installed', file: 'node_modules/.modules.yaml' },
        };
      }
      const ws = /^nodeLinker:\s*["']?([a-z-]+)/m.exec(config('pnpm-workspace.yaml') ?? '');
      const fromWs = pnpmLinker(ws?.[1]);
      if (fromWs) return { linker: fromWs, evidence: { source: 'config', file: 'pnpm-workspace.yaml' } };
      // pnpm 11 and 12 ignore node-linker in .npmrc (pnpm-research §1); 10 and older read it
      if (major === undefined || major < 11) {
        const rc = /^\s*node-linker\s*=\s*([a-z-]+)/m.exec(config('.npmrc') ?? '');
        const fromRc = pnpmLinker(rc?.[1]);
        if (fromRc) return { linker: fromRc, evidence: { source: 'config', file: '.npmrc' } };
      }
      return { linker: 'isolated', evidence: { source: 'default' } };
    }
    case 'yarn-berry': {
      if (has('.pnp.cjs')) return { linker: 'pnp', evidence: { source: 'installed', file: '.pnp.cjs' } };
      if (has('node_modules/.yarn-state.yml')) {
        return { linker: 'hoisted', evidence: { source: 'installed', file: 'node_modules/.yarn-state.yml' } };
      }
      const rc = /^nodeLinker:\s*["']?([a-z-]+)/m.exec(config('.yarnrc.yml') ?? '');
      const fromRc = yarnLinker(rc?.[1]);
      if (fromRc) return { linker: fromRc, evidence: { source: 'config', file: '.yarnrc.yml' } };
      return { linker: 'pnp', evidence: { source: 'default' } };
    }
    case 'bun': {
      if (has('node_modules/.bun'))
        return { linker: 'isolated', evidence: { source: 'installed', file: 'node_modules/.bun' } };
      if (has('node_modules'))
        return { linker: 'hoisted', evidence: { source: 'installed', file: 'node_modules' } };
      const toml = /^\s*linker\s*=\s*["'](isolated|hoisted)["']/m.exec(config('bunfig.toml') ?? '');
      if (toml) return { linker: toml[1] as Linker, evidence: { source: 'config', file: 'bunfig.toml' } };
      // bun.lock `configVersion: 1`: new workspaces default to isolated, single projects to hoisted
      const head = has('bun.lock') ? (read('bun.lock', READ_LIMIT.lockfileHead) ?? '') : '';
      const configVersion = Number(/"configVersion"\s*:\s*(\d+)/.exec(head)?.[1] ?? 0);
      return {
        linker: workspaces && configVersion >= 1 ? 'isolated' : 'hoisted',
        evidence: configVersion >= 1 ? { source: 'lockfile', file: 'bun.lock' } : { source: 'default' },
      };
    }
    case 'npm': {
      if (has('node_modules/.package-lock.json')) {
        return {
          linker: 'hoisted',
          evidence: { source: 'installed', file: 'node_modules/.package-lock.json' },
        };
      }
      if (/^\s*install-strategy\s*=\s*linked/m.test(config('.npmrc') ?? '')) {
        return { linker: 'isolated', evidence: { source: 'config', file: '.npmrc' } };
      }
      return { linker: 'hoisted', evidence: { source: 'default' } };
    }
    case 'yarn-classic':
      return has('node_modules/.yarn-integrity')
        ? { linker: 'hoisted', evidence: { source: 'installed', file: 'node_modules/.yarn-integrity' } }
        : { linker: 'hoisted', evidence: { source: 'default' } };
  }
}

/** Yarn's `nodeLinker`: `node-modules` lays out like npm, `pnpm` like pnpm's store. */
function yarnLinker(value: string | undefined): Linker | null {
  if (value === 'pnp') return 'pnp';
  if (value === 'pnpm') return 'isolated';
  if (value === 'node-modules') return 'hoisted';
  return null;
}

function pnpmLinker(value: string | undefined): Linker | null {
  if (value === 'hoisted') return 'hoisted';
  if (value === 'isolated') return 'isolated';
  if (value === 'pnp') return 'pnp';
  return null;
}

/**
 * Whether the manager hands `.npmrc`'s `nodedir` to the node-gyp its dependencies' builds run
 * (measured with real installs, docs/package-managers.md): npm, Yarn 1 and pnpm 10 pass .npmrc
 * settings to scripts as `npm_config_*`; pnpm 11+, Yarn 2+ and Bun do not (node-gyp then downloads
 * Node's headers). `npm_config_nodedir` in the environment reaches every one of them. A pnpm of
 * unknown version is taken as the current one (11+).
 */
export function passesNpmrcNodedir(d: Pick<Detection, 'manager' | 'version'>): boolean {
  const major = d.version ? Number.parseInt(d.version, 10) : Number.NaN;
  switch (d.manager) {
    case 'npm':
    case 'yarn-classic':
      return true;
    case 'pnpm':
      return Number.isFinite(major) && major < 11;
    case 'yarn-berry':
    case 'bun':
      return false;
  }
}
