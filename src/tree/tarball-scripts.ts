// Which script texts lockfile mode keeps from a tarball: the files the install scripts name, those
// of the scripts they run through `npm run <x>`, and the files those require one level down.

const INSTALL_EVENTS = ['preinstall', 'install', 'postinstall'];

/** Required files of a kept script, one level down, that lockfile mode keeps too. */
const MAX_REQUIRED_KEPT = 16;

/** Relative modules a script file requires or imports, package-relative. */
function requiredFiles(file: string, text: string): string[] {
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')).split('/') : [];
  const out: string[] = [];
  const re = /\b(?:require\(\s*|from\s+|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const parts = [...dir];
    let inside = true;
    for (const part of m[1]!.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') inside = parts.pop() !== undefined && inside;
      else parts.push(part);
    }
    if (inside && !out.includes(parts.join('/'))) out.push(parts.join('/'));
  }
  return out;
}

/** Scripts kept beside the install scripts, at most: a chain of `npm run` is short. */
const MAX_RUN_KEPT = 32;

/**
 * The install scripts, and the scripts they run through `npm run <x>`, `yarn <x>`, `pnpm run <x>`
 * (options before the name skipped; each level, with pre<x> and post<x>, which npm runs around x):
 * the files any of them name are kept. Keeping a text too many costs nothing but a few file names.
 */
export function scriptTexts(manifest: Record<string, unknown> | null): string[] {
  const scripts = manifest?.scripts;
  if (!scripts || typeof scripts !== 'object') return [];
  const all = scripts as Record<string, unknown>;
  const out: string[] = [];
  for (const event of INSTALL_EVENTS) {
    const text = all[event];
    if (typeof text === 'string') out.push(text);
  }
  const keep = (name: string) => {
    const named = Object.hasOwn(all, name) ? all[name] : undefined;
    if (typeof named === 'string' && !out.includes(named) && out.length < MAX_RUN_KEPT) out.push(named);
  };
  for (let i = 0; i < out.length; i++) {
    const re =
      /\b(?:npm|yarn|pnpm)(?:\s+-[\w=-]+)*\s+(?:(?:run(?:-script)?|rum|urn)(?:\s+-[\w=-]+)*\s+)?([\w:.-]+)/g;
    for (const m of out[i]!.matchAll(re)) {
      for (const name of [m[1]!, `pre${m[1]!}`, `post${m[1]!}`]) keep(name);
    }
  }
  return out;
}

/** Adds to `kept` the files its scripts require, one level down, from the texts read (bounded). */
export function keepRequired(kept: Record<string, string>, texts: Map<string, string>): void {
  let extra = 0;
  for (const [path, text] of Object.entries(kept)) {
    if (path === 'package.json' || !/\.(?:c|m)?js$/.test(path)) continue;
    for (const dep of requiredFiles(path, text)) {
      for (const candidate of [dep, `${dep}.js`, `${dep}.cjs`, `${dep}.mjs`, `${dep}/index.js`]) {
        const sub = texts.get(candidate);
        if (sub === undefined || candidate in kept || extra >= MAX_REQUIRED_KEPT) continue;
        kept[candidate] = sub;
        extra++;
      }
    }
  }
}
