/**
 * Reads npm install scripts the way sh would split them, far enough to see which tool runs and
 * what it falls back to: `prebuild-install || node-gyp rebuild` is download-then-build.
 */

export type ScriptOperator = '||' | '&&' | ';' | '|';

export interface ScriptCommand {
  /** argv after environment assignments and runner prefixes (npx, cross-env, node_modules/.bin). */
  argv: string[];
  /** The operator that joins this command to the next one (null for the last). */
  next: ScriptOperator | null;
}

/** Splits a script into commands. Quotes and backslashes are honoured; subshells are kept as words. */
export function splitScript(text: string): ScriptCommand[] {
  const commands: ScriptCommand[] = [];
  let argv: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  const endWord = () => {
    if (inWord) argv.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = (op: ScriptOperator | null) => {
    endWord();
    if (argv.length) commands.push({ argv: stripPrefixes(argv), next: op });
    else if (commands.length && op) commands[commands.length - 1]!.next = op;
    argv = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      endWord();
    } else if (c === '|' || c === '&' || c === ';') {
      const two = text.slice(i, i + 2);
      if (two === '||' || two === '&&') {
        endCommand(two);
        i++;
      } else if (c === ';') {
        endCommand(';');
      } else if (c === '|') {
        endCommand('|');
      } else {
        // a lone `&` backgrounds the command; for our purposes it is a sequence
        endCommand(';');
      }
    } else {
      word += c;
      inWord = true;
    }
  }
  endCommand(null);
  return commands;
}

const RUNNER_PREFIXES = new Set(['npx', 'cross-env', 'env', 'exec', 'pnpx', 'command']);

/** argv without environment assignments and runner prefixes (`FOO=1 npx --yes tool` runs `tool`). */
export function stripPrefixes(argv: string[]): string[] {
  let i = 0;
  for (;;) {
    const w = argv[i];
    if (w === undefined) break;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) {
      i++;
    } else if (RUNNER_PREFIXES.has(w)) {
      i++;
      while (argv[i]?.startsWith('-')) i++;
    } else if ((w === 'npm' || w === 'pnpm' || w === 'yarn') && argv[i + 1] === 'exec') {
      i += 2;
      while (argv[i]?.startsWith('-')) i++;
      if (argv[i] === '--') i++;
    } else {
      break;
    }
  }
  const out = argv.slice(i);
  if (out[0]) out[0] = binName(out[0]);
  return out;
}

/** `./node_modules/.bin/prebuild-install` and `node_modules/@mapbox/node-pre-gyp/bin/node-pre-gyp` name the tool itself. */
function binName(word: string): string {
  const m = /(?:^|\/)node_modules\/(?:\.bin\/)?(?:@[^/]+\/)?([^/]+)(?:\/bin\/([^/]+?)(?:\.js)?)?$/.exec(word);
  if (m) return m[2] ?? m[1]!;
  return word;
}

export type CommandKind =
  | { kind: 'node-gyp-build'; optionalPackages: boolean }
  | { kind: 'prebuild-install'; args: string[] }
  | { kind: 'node-pre-gyp'; args: string[]; fallbackToBuild: boolean }
  | { kind: 'source-build'; builder: 'node-gyp' | 'cmake-js' | 'cmake-ts' }
  | { kind: 'node-script'; file: string | null }
  /** `pkg-prebuilds-verify <options file>`: exits 0 when a bundled prebuild exists for the machine. */
  | { kind: 'pkg-prebuilds'; options: string | null }
  | { kind: 'noop' }
  | { kind: 'other' };

/** What one command of an install script does, as far as binaries go. */
export function classifyCommand(argv: string[]): CommandKind {
  let [cmd, ...rest] = argv;
  if (cmd === undefined) return { kind: 'noop' };
  // `node node_modules/.bin/node-gyp-build` and `node ./node_modules/prebuild-install/bin.js` run the tool
  if (cmd === 'node' && rest[0] && /node_modules\//.test(rest[0])) {
    const tool = binName(rest[0].replace(/\/bin\.js$/, ''));
    cmd = tool;
    rest = rest.slice(1);
  }
  switch (cmd) {
    case 'node-gyp-build':
    case 'node-gyp-build-optional':
      return { kind: 'node-gyp-build', optionalPackages: false };
    case 'node-gyp-build-optional-packages':
    case 'node-gyp-build-optional-packages-optional':
      return { kind: 'node-gyp-build', optionalPackages: true };
    case 'prebuild-install':
      return { kind: 'prebuild-install', args: rest };
    case 'pkg-prebuilds-verify':
      // it reads process.argv[2] only
      return { kind: 'pkg-prebuilds', options: rest[0] ?? null };
    case 'node-pre-gyp':
      if (rest.includes('install') || rest.length === 0) {
        return {
          kind: 'node-pre-gyp',
          args: rest,
          fallbackToBuild:
            rest.includes('--fallback-to-build') || rest.some((a) => a.startsWith('--fallback-to-build=')),
        };
      }
      return rest.some((a) => a === 'rebuild' || a === 'build' || a === 'configure')
        ? { kind: 'source-build', builder: 'node-gyp' }
        : { kind: 'other' };
    case 'node-gyp':
      return rest.some((a) => a === 'rebuild' || a === 'build' || a === 'configure')
        ? { kind: 'source-build', builder: 'node-gyp' }
        : { kind: 'other' };
    case 'cmake-js':
      return rest.some((a) => a === 'compile' || a === 'rebuild' || a === 'build' || a === 'configure')
        ? { kind: 'source-build', builder: 'cmake-js' }
        : { kind: 'other' };
    case 'cmake-ts':
      return rest.includes('build') || rest.length === 0
        ? { kind: 'source-build', builder: 'cmake-ts' }
        : { kind: 'other' };
    case 'node':
    case 'node.exe': {
      const file = rest.find((a) => !a.startsWith('-')) ?? null;
      return { kind: 'node-script', file };
    }
    case 'true':
    case ':':
    case 'echo':
    case 'exit':
      return { kind: 'noop' };
    default:
      return { kind: 'other' };
  }
}
