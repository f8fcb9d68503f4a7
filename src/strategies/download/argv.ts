/**
 * The two argv parsers the download tools use, ported for the subset of their behaviour an install
 * script can reach. The value types matter: minimist turns `-t 3` into the number 3 and node-pre-gyp's
 * nopt keeps `--target=3` a string, and the tools then behave differently on them.
 */

export type ArgValue = string | number | boolean | null | ArgValue[];
export type ParsedArgs = Record<string, ArgValue>;

const isMinimistNumber = (x: string): boolean =>
  /^0x[0-9a-f]+$/i.test(x) || /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(e[-+]?\d+)?$/.test(x);

/**
 * minimist 1.2.x as prebuild-install calls it: aliases only, no declared booleans or strings.
 * Dotted keys and `_` positionals are dropped because prebuild-install reads neither.
 */
export function parseMinimist(args: readonly string[], alias: Record<string, string>): ParsedArgs {
  const aliases: Record<string, string[]> = {};
  for (const [key, to] of Object.entries(alias)) {
    aliases[key] = [to];
    aliases[to] = [key];
  }
  const out: ParsedArgs = {};
  const setKey = (key: string, value: ArgValue) => {
    const old = out[key];
    if (old === undefined || typeof old === 'boolean') out[key] = value;
    else if (Array.isArray(old)) old.push(value);
    else out[key] = [old, value];
  };
  const setArg = (key: string, raw: string | boolean) => {
    const value = typeof raw === 'string' && isMinimistNumber(raw) ? Number(raw) : raw;
    setKey(key, value);
    for (const other of aliases[key] ?? []) setKey(other, value);
  };
  const end = args.indexOf('--');
  const flags = end === -1 ? args : args.slice(0, end);
  const takesValue = (next: string | undefined): next is string =>
    next !== undefined && !/^(-|--)[^-]/.test(next);

  for (let i = 0; i < flags.length; i++) {
    const arg = flags[i]!;
    if (/^--.+=/.test(arg)) {
      const m = /^--([^=]+)=([\s\S]*)$/.exec(arg)!;
      setArg(m[1]!, m[2]!);
    } else if (/^--no-.+/.test(arg)) {
      setArg(/^--no-(.+)/.exec(arg)![1]!, false);
    } else if (/^--.+/.test(arg)) {
      const key = /^--(.+)/.exec(arg)![1]!;
      const next = flags[i + 1];
      if (takesValue(next)) {
        setArg(key, next);
        i++;
      } else if (next === 'true' || next === 'false') {
        setArg(key, next === 'true');
        i++;
      } else setArg(key, true);
    } else if (/^-[^-]+/.test(arg)) {
      const letters = arg.slice(1, -1).split('');
      let broken = false;
      for (let j = 0; j < letters.length; j++) {
        const letter = letters[j]!;
        const next = arg.slice(j + 2);
        if (next === '-') {
          setArg(letter, next);
          continue;
        }
        if (/[A-Za-z]/.test(letter) && next[0] === '=') {
          setArg(letter, next.slice(1));
          broken = true;
          break;
        }
        if (/[A-Za-z]/.test(letter) && /-?\d+(\.\d*)?(e-?\d+)?$/.test(next)) {
          setArg(letter, next);
          broken = true;
          break;
        }
        if (letters[j + 1] && /\W/.test(letters[j + 1]!)) {
          setArg(letter, next);
          broken = true;
          break;
        }
        setArg(letter, true);
      }
      const key = arg.slice(-1);
      if (!broken && key !== '-') {
        const next = flags[i + 1];
        if (next && takesValue(next)) {
          setArg(key, next);
          i++;
        } else if (next === 'true' || next === 'false') {
          setArg(key, next === 'true');
          i++;
        } else setArg(key, true);
      }
    }
  }
  return out;
}

/** The `abbrev` package: every unambiguous prefix of a word maps to the word. */
export function abbreviations(words: readonly string[]): Record<string, string> {
  const sorted = [...words].sort((a, b) => (a === b ? 0 : a > b ? 1 : -1));
  const out: Record<string, string> = {};
  let prev = '';
  for (let i = 0; i < sorted.length; i++) {
    const current = sorted[i]!;
    const next = sorted[i + 1] ?? '';
    if (current === next) continue;
    let nextMatches = true;
    let prevMatches = true;
    let j = 0;
    for (; j < current.length; j++) {
      const c = current.charAt(j);
      nextMatches = nextMatches && c === next.charAt(j);
      prevMatches = prevMatches && c === prev.charAt(j);
      if (!nextMatches && !prevMatches) {
        j++;
        break;
      }
    }
    prev = current;
    if (j === current.length) {
      out[current] = current;
      continue;
    }
    for (let a = current.slice(0, j); j <= current.length; j++) {
      out[a] = current;
      a += current.charAt(j);
    }
  }
  return out;
}

export interface NoptConfig {
  /** Only Boolean and String are used by node-pre-gyp's configDefs. */
  types: Record<string, 'boolean' | 'string'>;
  shorthands: Record<string, string>;
}

export interface NoptResult {
  opts: ParsedArgs;
  remain: string[];
}

/** nopt 4–8 as node-pre-gyp calls it (parse + clean with the default type list). */
export function parseNopt(input: readonly string[], { types, shorthands }: NoptConfig): NoptResult {
  const args = [...input];
  const data: ParsedArgs = {};
  const remain: string[] = [];
  const abbrevs = abbreviations(Object.keys(types));
  const shortAbbr = abbreviations(Object.keys(shorthands));
  const singles = new Set(Object.keys(shorthands).filter((s) => s.length === 1));
  const hasType = (k: string) => Object.hasOwn(types, k);

  const resolveShort = (raw: string): string[] | null => {
    let arg = raw.replace(/^-+/, '');
    if (abbrevs[arg] === arg) return null;
    if (Object.hasOwn(shorthands, arg)) return shorthands[arg]!.split(/\s+/);
    const chars = arg.split('');
    if (chars.length > 0 && chars.every((c) => singles.has(c))) {
      return chars.flatMap((c) => shorthands[c]!.split(/\s+/));
    }
    if (abbrevs[arg]) return null;
    if (shortAbbr[arg]) arg = shortAbbr[arg]!;
    return Object.hasOwn(shorthands, arg) ? shorthands[arg]!.split(/\s+/) : null;
  };

  const store = (key: string, value: ArgValue, isArray: boolean) => {
    if (isArray) {
      const list = (data[key] ??= []) as ArgValue[];
      list.push(value);
    } else data[key] = value;
  };

  for (let i = 0; i < args.length; i++) {
    let arg = args[i]!;
    if (/^-{2,}$/.test(arg)) {
      remain.push(...args.slice(i + 1));
      break;
    }
    if (!(arg.charAt(0) === '-' && arg.length > 1)) {
      remain.push(arg);
      continue;
    }
    let hadEq = false;
    const at = arg.indexOf('=');
    if (at > -1) {
      hadEq = true;
      const v = arg.slice(at + 1);
      arg = arg.slice(0, at);
      args.splice(i, 1, arg, v);
    }
    const expanded = resolveShort(arg);
    if (expanded) {
      args.splice(i, 1, ...expanded);
      if (arg !== expanded[0]) {
        i--;
        continue;
      }
    }
    arg = arg.replace(/^-+/, '');
    let no: boolean | null = null;
    while (arg.toLowerCase().startsWith('no-')) {
      no = !no;
      arg = arg.slice(3);
    }
    if (abbrevs[arg] && abbrevs[arg] !== arg) arg = abbrevs[arg]!;
    const type = hasType(arg) ? types[arg] : undefined;
    let isArray = false;
    // nopt collects an unknown option given more than once into an array
    if (!hasType(arg) && Object.hasOwn(data, arg)) {
      if (!Array.isArray(data[arg])) data[arg] = [data[arg]!];
      isArray = true;
    }
    let la: string | undefined = args[i + 1];
    const isBool = typeof no === 'boolean' || type === 'boolean' || (type === undefined && !hadEq);
    if (isBool) {
      let val: boolean = !no;
      if (la === 'true' || la === 'false') {
        val = la === 'true';
        if (no) val = !val;
        i++;
      }
      store(arg, val, isArray);
      continue;
    }
    if (type === 'string') {
      if (la === undefined) la = '';
      else if (/^-{1,2}[^-]+/.test(la)) {
        la = '';
        i--;
      }
    }
    if (la && /^-{2,}$/.test(la)) {
      la = undefined;
      i--;
    }
    store(arg, la === undefined ? true : la, isArray);
    i++;
  }

  for (const key of Object.keys(data)) data[key] = cleanNoptValue(data[key]!, types[key]);
  return { opts: data, remain };
}

function cleanNoptValue(value: ArgValue, type: 'boolean' | 'string' | undefined): ArgValue {
  if (Array.isArray(value)) return value.map((v) => cleanNoptValue(v, type));
  let v = value;
  if (typeof v === 'string') {
    v = v.trim();
    // unknown options accept null/true/false literally; Boolean options accept true/false
    if (type === undefined && v === 'null') v = null;
    else if ((type === undefined || type === 'boolean') && (v === 'true' || v === 'false')) v = v === 'true';
  }
  if (type === 'boolean') {
    if (typeof v === 'string') return !isNaN(Number(v)) ? !!+v : !(v === 'null' || v === 'false');
    return !!v;
  }
  if (type === 'string') return String(v);
  return v;
}
