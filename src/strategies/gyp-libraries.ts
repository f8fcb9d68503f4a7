// The system libraries a binding.gyp links on Linux (`-lpam`, `-lxkbfile`), read from its text.

/** A gyp file is a Python literal: JSON after comments, single quotes and trailing commas are dealt with. */
export function parseGyp(text: string): unknown {
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') {
        out += c + (text[i + 1] ?? '');
        i++;
      } else if (c === quote) {
        out += '"';
        quote = null;
      } else out += c === '"' ? '\\"' : c;
    } else if (c === "'" || c === '"') {
      quote = c;
      out += '"';
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else out += c;
  }
  try {
    return JSON.parse(out.replace(/,(\s*[\]}])/g, '$1'));
  } catch {
    return null;
  }
}

/**
 * Libraries the compiler and the C library bring with the toolchain itself (libstdc++.so lives in
 * GCC's own folder, libpthread.so is a stub since glibc 2.34): never judged as system libraries.
 */
export const TOOLCHAIN_LIBRARIES: ReadonlySet<string> = new Set([
  'stdc++',
  'supc++',
  'c++',
  'c++abi',
  'gcc',
  'gcc_s',
  'gcc_eh',
  'atomic',
  'gomp',
  'quadmath',
  'ssp',
  'asan',
  'ubsan',
  'tsan',
  'lsan',
  'itm',
  'c',
  'm',
  'dl',
  'pthread',
  'rt',
  'util',
  'resolv',
  'anl',
  'nsl',
  'mvec',
]);

/** Whether a gyp condition holds on Linux; null for anything but plain OS tests. */
export function linuxCondition(cond: unknown): boolean | null {
  if (typeof cond !== 'string') return null;
  const parts = cond.split(/\s*(?:or|\|\|)\s*/);
  let any = false;
  for (const p of parts) {
    const m = /^\s*OS\s*(==|!=)\s*"(\w+)"\s*$/.exec(p.replace(/'/g, '"'));
    if (!m) return null;
    if ((m[1] === '==') === (m[2] === 'linux')) any = true;
  }
  return any;
}

/**
 * The `-l<name>` libraries the Linux build links, from `libraries` and `link_settings.libraries`
 * of every target, following only conditions on OS. Null when it cannot be told for certain: the
 * file does not parse, a condition tests something else, a library comes from a command
 * (`<!@(pkg-config …)`) or a variable, or the build adds its own library folders (`-L`,
 * `library_dirs`), where a library of the package's own could be found.
 */
export function linuxGypLibraries(text: string): string[] | null {
  const gyp = parseGyp(text);
  if (!gyp || typeof gyp !== 'object') return null;
  const libs = new Set<string>();
  let certain = true;
  const visit = (node: unknown): void => {
    if (!certain || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    const dict = node as Record<string, unknown>;
    for (const [key, value] of Object.entries(dict)) {
      const base = key.replace(/[!/=+?]$/, '');
      if (base === 'library_dirs') certain = false;
      else if (base === 'libraries' && Array.isArray(value)) {
        for (const lib of value) {
          if (typeof lib !== 'string') continue;
          if (lib.startsWith('-L') || lib.includes('<')) certain = false;
          else if (/^-l[\w+.-]+$/.test(lib) && !TOOLCHAIN_LIBRARIES.has(lib.slice(2))) libs.add(lib.slice(2));
        }
      } else if (base === 'conditions' && Array.isArray(value)) {
        for (const c of value) {
          if (!Array.isArray(c)) continue;
          const holds = linuxCondition(c[0]);
          if (holds === null) {
            certain = false;
            return;
          }
          visit(holds ? c[1] : c[2]);
        }
      } else if (base === 'link_settings' || base === 'targets' || base === 'target_defaults') visit(value);
    }
  };
  visit(gyp);
  return certain ? [...libs].sort() : null;
}
