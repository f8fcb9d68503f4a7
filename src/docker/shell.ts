/**
 * What a `RUN` line does that matters here: which compiler tools it installs with the distribution's
 * package manager, whether it installs node_modules (`npm ci`), and whether it runs `native-guard verify`.
 * A reading of words, not a shell: it splits on `&&`, `||`, `;`, `|` and newlines and looks at each
 * command's leading words. Pure; never throws.
 */

export interface ToolInstall {
  python: boolean;
  make: boolean;
  cxx: boolean;
}

export type NpmStepKind = 'npm-ci' | 'npm-install' | 'npm-rebuild' | 'yarn-install' | 'pnpm-install';

export interface ShellFacts {
  /** Tools each package-manager command in this RUN installs (apt-get/apt/apk/yum/dnf/microdnf), by command index. */
  toolInstalls: Array<ToolInstall & { at: number }>;
  /** The node_modules installs this RUN performs, in order, with their command index. */
  npm: Array<{ kind: NpmStepKind; at: number }>;
  /** `native-guard verify` (through npx, npm exec or the bin directly). */
  verify: boolean;
  commands: string[][];
}

/** Removes line continuations and the comment lines Docker drops inside them, then splits into commands. */
export function splitCommands(text: string, escape = '\\'): string[][] {
  const lines = text.split(/\r?\n/);
  const joined: string[] = [];
  let current = '';
  for (const line of lines) {
    if (current !== '' && /^\s*#/.test(line)) continue; // a comment inside a continued RUN
    if (line.endsWith(escape)) {
      current += line.slice(0, -escape.length) + ' ';
      continue;
    }
    joined.push(current + line);
    current = '';
  }
  if (current) joined.push(current);
  const commands: string[][] = [];
  for (const line of joined) {
    for (const piece of line.split(/&&|\|\||;|\|/)) {
      const words = piece
        .trim()
        .split(/\s+/)
        .map((w) => w.replace(/^["']|["']$/g, ''))
        .filter((w) => w !== '');
      if (words.length) commands.push(words);
    }
  }
  return commands;
}

const PACKAGE_MANAGERS: Record<string, string[]> = {
  'apt-get': ['install'],
  apt: ['install'],
  aptitude: ['install'],
  apk: ['add'],
  yum: ['install'],
  dnf: ['install'],
  microdnf: ['install'],
  zypper: ['install', 'in'],
};

/** apk options that take a value as the next word. */
const OPTIONS_WITH_VALUE = new Set(['--virtual', '-t', '--repository', '-X', '--root', '-p', '-o']);

const PYTHON_RE = /^python(3(\.\d+)?)?(-dev|-minimal|-devel)?$/;
const MAKE_RE = /^(make|build-base|build-essential|@development-tools)$/;
const CXX_RE = /^(g\+\+(-\d+)?|gcc-c\+\+|clang(\+\+)?(-\d+)?|build-base|build-essential|@development-tools)$/;

/** Drops `sudo`, `env`, and leading `NAME=value` assignments. */
function commandWords(words: string[]): string[] {
  let i = 0;
  while (i < words.length && (words[i] === 'sudo' || words[i] === 'env' || /^[A-Za-z_]\w*=/.test(words[i]!)))
    i++;
  return words.slice(i);
}

function packagesInstalled(words: string[]): string[] | null {
  const [tool, ...rest] = words;
  if (!tool) return null;
  const verbs = PACKAGE_MANAGERS[tool.split('/').pop()!];
  if (!verbs) return null;
  let i = 0;
  // options may come before the verb (`apt-get -y install`, `apk --no-cache add`)
  while (i < rest.length && rest[i]!.startsWith('-')) i += OPTIONS_WITH_VALUE.has(rest[i]!) ? 2 : 1;
  if (!verbs.includes(rest[i] ?? '')) return null;
  const names: string[] = [];
  for (i++; i < rest.length; i++) {
    const w = rest[i]!;
    if (w.startsWith('-')) {
      if (OPTIONS_WITH_VALUE.has(w)) i++;
      continue;
    }
    // version pins: python3=3.11.2-1, g++~=12, make<5
    names.push(w.split(/[=~<>]/)[0]!);
  }
  return names;
}

function npmKind(words: string[]): NpmStepKind | null {
  const [tool, sub] = words;
  const name = tool?.split('/').pop();
  if (name === 'npm') {
    if (sub === 'ci' || sub === 'clean-install' || sub === 'install-clean' || sub === 'ic') return 'npm-ci';
    if (sub === 'install' || sub === 'i' || sub === 'add' || sub === 'isntall') return 'npm-install';
    if (sub === 'rebuild' || sub === 'rb') return 'npm-rebuild';
    return null;
  }
  if (name === 'yarn')
    return sub === undefined || sub === 'install' || sub.startsWith('-') ? 'yarn-install' : null;
  if (name === 'pnpm') return sub === 'install' || sub === 'i' ? 'pnpm-install' : null;
  return null;
}

function isVerify(words: string[]): boolean {
  const at = words.findIndex(
    (w) => w === 'native-guard' || w.endsWith('/native-guard') || w === 'native-guard@latest',
  );
  return at !== -1 && words.slice(at + 1).includes('verify');
}

export function readShell(text: string, escape = '\\'): ShellFacts {
  const commands = splitCommands(text, escape);
  const toolInstalls: ShellFacts['toolInstalls'] = [];
  const npm: ShellFacts['npm'] = [];
  let verify = false;
  commands.forEach((raw, at) => {
    const words = commandWords(raw);
    const packages = packagesInstalled(words);
    if (packages) {
      toolInstalls.push({
        at,
        python: packages.some((p) => PYTHON_RE.test(p)),
        make: packages.some((p) => MAKE_RE.test(p)),
        cxx: packages.some((p) => CXX_RE.test(p)),
      });
    }
    const kind = npmKind(words);
    if (kind) npm.push({ kind, at });
    if (isVerify(words)) verify = true;
  });
  return { toolInstalls, npm, verify, commands };
}
