import type { Target } from '../model/target.js';
import type { Evidence, LinkResult, PkgPrebuildsProblem, PredictContext } from '../model/prediction.js';
import type { PackageFiles } from '../model/package.js';
import { requireAddonHost } from './require-addon.js';

/**
 * pkg-prebuilds (Julusian's node-hid 3, @julusian/midi, @julusian/jpeg-turbo, …): the package ships
 * `prebuilds/<name>-<platform>-<arch>[-musl]/<runtime>-napi-v<N>.node` and a `binding-options.js`
 * (`module.exports = { name, napi_versions }`). Its install script is
 * `pkg-prebuilds-verify ./binding-options.js || <build>`: the bin (pkg-prebuilds 0.1–1.1,
 * bin/verify.mjs) requires the options file and exits 0 when one of the candidate files exists. It
 * only looks for the file (`fs.existsSync` and `isFile`), it never loads it: a prebuild that exists
 * but cannot load on the target is kept, and the build after `||` does not run. It exits 1 (so the
 * build runs) when `npm_config_build_from_source` is set, when the options have no
 * `napi_versions` array (`Not implemented for NAN!`), and when no candidate exists.
 *
 * The candidates (lib/prebuild.js `getPrebuildName`), for each entry of `napi_versions` in order:
 * `prebuilds/<name>-<platform>-<arch>[-musl]/node-napi-v<N>.node` (a Node-API build is named for
 * the `node` runtime under Electron too), `-musl` where `/etc/alpine-release` exists on Linux. At
 * run time `require('pkg-prebuilds/bindings')(dir, options)` tries `build/Debug/<name>.node` and
 * `build/Release/<name>.node` first, then the same candidates, and requires the first that exists.
 */

/** The options pkg-prebuilds reads, as far as choosing a file goes. */
export interface PkgPrebuildsOptions {
  name: string;
  /** null: no `napi_versions` array, which pkg-prebuilds refuses. */
  napiVersions: string[] | null;
}

export type OptionsReading =
  | { ok: true; file: string; options: PkgPrebuildsOptions }
  | { ok: false; file: string; problem: PkgPrebuildsProblem };

const MAX_OPTIONS = 64 * 1024;

/** A prebuild name that stays one path segment: anything else is not read, never joined into a path. */
const SAFE_NAME = /^[A-Za-z0-9_@+][A-Za-z0-9_.@+-]{0,127}$/;

/** One value of the options object: a string, a number, a boolean, or a flat array of them. */
type Literal = string | number | boolean | Literal[];

/**
 * A JavaScript object literal of the options' shape, read as text: keys (bare or quoted) and
 * literal values, nothing computed. Null for anything else.
 */
function parseObjectLiteral(body: string): Record<string, Literal> | null {
  const out: Record<string, Literal> = {};
  let rest = body.trim();
  const str = /^(?:'([^'\\\n]*)'|"([^"\\\n]*)")/;
  const value = (): Literal | null => {
    let m = str.exec(rest);
    if (m) {
      rest = rest.slice(m[0].length).trimStart();
      return m[1] ?? m[2]!;
    }
    m = /^(?:\d+|true|false)(?![\w$])/.exec(rest);
    if (m) {
      rest = rest.slice(m[0].length).trimStart();
      return m[0] === 'true' ? true : m[0] === 'false' ? false : Number(m[0]);
    }
    if (rest.startsWith('[')) {
      rest = rest.slice(1).trimStart();
      const items: Literal[] = [];
      while (!rest.startsWith(']')) {
        if (rest.startsWith('[')) return null;
        const item = value();
        if (item === null) return null;
        items.push(item);
        if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
        else if (!rest.startsWith(']')) return null;
      }
      rest = rest.slice(1).trimStart();
      return items;
    }
    return null;
  };
  while (rest.length) {
    const key = /^(?:([A-Za-z_$][\w$]*)|'([^'\\\n]*)'|"([^"\\\n]*)")\s*:\s*/.exec(rest);
    if (!key) return null;
    rest = rest.slice(key[0].length);
    const v = value();
    if (v === null) return null;
    const name = key[1] ?? key[2] ?? key[3]!;
    // a repeated key: the last wins in JavaScript, but a file that does this is not a plain literal
    if (Object.hasOwn(out, name) || name === '__proto__') return null;
    out[name] = v;
    if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
    else if (rest.length) return null;
  }
  return out;
}

/** The text with its comments blanked, scanning strings as strings; null when a string or comment is left open. */
function stripComments(text: string): string | null {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"' || c === '`') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) return null;
      out += text.slice(i, end + 1);
      i = end;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return null;
      out += ' ';
      i = end + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      out += '\n';
      if (end < 0) break;
      i = end;
    } else out += c;
  }
  return out;
}

/**
 * `binding-options.js` as text: exactly `module.exports = { … }` (optionally after `'use strict'`)
 * with a literal object, or a JSON file. Never run: a file that computes anything is not read.
 */
export function parseOptionsText(text: string, json: boolean): PkgPrebuildsOptions | null {
  let obj: Record<string, unknown> | null = null;
  if (json) {
    try {
      const v: unknown = JSON.parse(text);
      if (v && typeof v === 'object' && !Array.isArray(v)) obj = v as Record<string, unknown>;
    } catch {
      return null;
    }
  } else {
    const code = stripComments(text);
    const m =
      code === null
        ? null
        : /^(?:(['"])use strict\1\s*(?:;\s*)?)?module\.exports\s*=\s*\{([^{}]*)\}(?:\s*;)?$/.exec(
            code.trim(),
          );
    if (!m) return null;
    obj = parseObjectLiteral(m[2]!);
  }
  if (!obj) return null;
  const name = obj.name;
  if (typeof name !== 'string' || !SAFE_NAME.test(name)) return null;
  const napi = obj.napi_versions;
  if (napi === undefined) return { name, napiVersions: null };
  // pkg-prebuilds only asks Array.isArray; an entry that is not a plain version is beyond reading
  if (!Array.isArray(napi)) return { name, napiVersions: null };
  const versions: string[] = [];
  for (const v of napi) {
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) versions.push(String(v));
    else if (typeof v === 'string' && /^[1-9]\d{0,3}$/.test(v)) versions.push(v);
    else return null;
  }
  return { name, napiVersions: versions };
}

/**
 * The options file the verify bin requires: its argument, relative to the package folder, resolved
 * as `require` would (the file, then `.js`, then `.json`). Bounded reads; a path that leaves the
 * package is not followed.
 */
export function readPkgPrebuildsOptions(files: PackageFiles, arg: string): OptionsReading {
  const rel = arg.replace(/\\/g, '/').replace(/^(?:\.\/)+/, '');
  if (!rel || rel.startsWith('/') || rel.split('/').includes('..')) {
    return { ok: false, file: arg, problem: 'options-unread' };
  }
  for (const file of [rel, `${rel}.js`, `${rel}.json`]) {
    const text = files.readText(file, MAX_OPTIONS);
    // there, but too big or not kept (a tarball read keeps only the texts it needs): not read
    if (text === null && files.exists(file)) return { ok: false, file, problem: 'options-unread' };
    if (text === null) continue;
    const options = parseOptionsText(text, file.endsWith('.json'));
    return options ? { ok: true, file, options } : { ok: false, file, problem: 'options-unread' };
  }
  // `require` throws: the bin prints the error and exits 1
  return { ok: false, file: rel, problem: 'options-missing' };
}

/** The `<name>-<platform>-<arch>[-musl]` folder pkg-prebuilds computes on the target. */
export function pkgPrebuildsFolder(name: string, target: Target, alpineRelease: () => boolean): string {
  // the same test require-addon makes: `-musl` only on Linux where /etc/alpine-release exists
  return `${name}-${requireAddonHost(target, alpineRelease)}`;
}

/** Package-relative prebuild paths pkg-prebuilds tries on the target, in its order. */
export function pkgPrebuildsCandidates(
  options: PkgPrebuildsOptions,
  target: Target,
  alpineRelease: () => boolean,
): string[] {
  const dir = `prebuilds/${pkgPrebuildsFolder(options.name, target, alpineRelease)}`;
  return (options.napiVersions ?? []).map((v) => `${dir}/node-napi-v${v}.node`);
}

/** The `prebuilds/` folders a package ships, for the evidence. */
function available(files: PackageFiles): string[] {
  return (files.list('prebuilds') ?? []).filter((e) => e.dir).map((e) => e.name);
}

/**
 * What `pkg-prebuilds-verify <options>` finds on the target: the first candidate file that exists
 * (a `binary`, judged by its facts: the install keeps it whether or not it loads), else a miss
 * (the script's `||` branch runs). `unknown` when the options file is code that cannot be read as
 * a literal.
 */
export function predictPkgPrebuilds(
  ctx: PredictContext,
  optionsArg: string | null,
  alpineRelease: () => boolean,
): LinkResult {
  const { files, target } = ctx;
  const lookup = (
    options: string,
    name: string | null,
    tried: string[],
    problem: PkgPrebuildsProblem | null,
  ): Evidence => ({ kind: 'pkg-prebuilds-lookup', options, name, tried, problem });
  if (optionsArg === null) {
    // the bin prints "Missing path to binding options" and exits 1
    return { kind: 'miss', strategy: 'pkg-prebuilds', evidence: [lookup('', null, [], 'options-missing')] };
  }
  // the bin exits 1 before reading anything when a build from source is asked for
  if (ctx.env.npm_config_build_from_source) {
    return {
      kind: 'miss',
      strategy: 'pkg-prebuilds',
      evidence: [lookup(optionsArg, null, [], 'build-from-source')],
    };
  }
  const read = readPkgPrebuildsOptions(files, optionsArg);
  if (!read.ok) {
    const evidence = [lookup(read.file, null, [], read.problem)];
    return read.problem === 'options-unread'
      ? { kind: 'unknown', strategy: 'pkg-prebuilds', reason: 'options-unread', evidence }
      : { kind: 'miss', strategy: 'pkg-prebuilds', evidence };
  }
  const { options } = read;
  if (options.napiVersions === null) {
    return {
      kind: 'miss',
      strategy: 'pkg-prebuilds',
      evidence: [lookup(read.file, options.name, [], 'not-node-api')],
    };
  }
  const tried = pkgPrebuildsCandidates(options, target, alpineRelease);
  const evidence: Evidence[] = [lookup(read.file, options.name, tried, null)];
  const file = tried.find((f) => files.exists(f)) ?? null;
  if (file) {
    evidence.push({ kind: 'prebuild-match', file, dir: file.slice(0, file.lastIndexOf('/')) });
    return { kind: 'binary', strategy: 'pkg-prebuilds', binary: file, facts: files.facts(file), evidence };
  }
  evidence.push({ kind: 'prebuilds-none-for-target', available: available(files) });
  return { kind: 'miss', strategy: 'pkg-prebuilds', evidence };
}
