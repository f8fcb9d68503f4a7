// What a binding.gyp's Linux build asks for beyond `-l` libraries (gyp-libraries.ts): the pkg-config
// modules its commands query, and the C++ standard its `cflags_cc` pins. Read from the text only:
// nothing in the file is run.
import { makeFinding } from '../model/findings.js';
import type { Finding } from '../model/findings.js';
import type { ChainLink, PredictContext } from '../model/prediction.js';
import { linuxCondition, parseGyp } from './gyp-libraries.js';

type Dict = Record<string, unknown>;

const MAX_DEPTH = 64;

/**
 * Calls `each` on every dict of a gyp file with whether it certainly applies on Linux. The branches
 * of `conditions` and `target_conditions` (gyp's `[cond, then, cond2, then2, …, else]`) follow
 * conditions on OS; a branch of a condition on anything else, and every branch after it, is
 * uncertain, and so are `configurations` (Debug or Release settings).
 */
function walkLinux(
  node: unknown,
  each: (dict: Dict, certain: boolean) => void,
  certain = true,
  depth = 0,
): void {
  if (depth > MAX_DEPTH || !node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) walkLinux(item, each, certain, depth + 1);
    return;
  }
  const dict = node as Dict;
  each(dict, certain);
  for (const [key, value] of Object.entries(dict)) {
    const base = key.replace(/[!/=+?%]$/, '');
    if (base === 'conditions' || base === 'target_conditions') {
      if (!Array.isArray(value)) continue;
      for (const c of value) {
        if (!Array.isArray(c)) continue;
        let sure = certain;
        for (let i = 0; i < c.length; i += 2) {
          if (i === c.length - 1) {
            walkLinux(c[i], each, sure, depth + 1); // the else branch
            break;
          }
          const holds = linuxCondition(c[i]);
          if (holds === null) {
            sure = false;
            walkLinux(c[i + 1], each, false, depth + 1);
          } else if (holds) {
            walkLinux(c[i + 1], each, sure, depth + 1);
            break;
          }
        }
      }
    } else if (base === 'configurations') walkLinux(value, each, false, depth + 1);
    else if (value && typeof value === 'object') walkLinux(value, each, certain, depth + 1);
  }
}

/** The strings a dict holds directly (values and list items), not those of nested dicts. */
function ownStrings(dict: Dict): string[] {
  const out: string[] = [];
  for (const value of Object.values(dict)) {
    if (typeof value === 'string') out.push(value);
    else if (Array.isArray(value)) for (const v of value) if (typeof v === 'string') out.push(v);
  }
  return out;
}

/** The text of each command expansion (`<!(…)`, `<!@(…)`, `>!@(…)`) in a gyp string, parentheses balanced. */
function commands(s: string): string[] {
  const out: string[] = [];
  const re = /[<>]!@?\(/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    let depth = 1;
    let i = m.index + m[0].length;
    const start = i;
    for (; i < s.length && depth > 0; i++) {
      if (s[i] === '(') depth++;
      else if (s[i] === ')') depth--;
    }
    if (depth === 0) out.push(s.slice(start, i - 1));
    re.lastIndex = i;
  }
  return out;
}

/** pkg-config options that take no argument and do not make a missing module harmless (`--exists` does). */
const PLAIN_OPTIONS = new Set([
  '--cflags',
  '--libs',
  '--cflags-only-I',
  '--cflags-only-other',
  '--libs-only-l',
  '--libs-only-L',
  '--libs-only-other',
  '--static',
  '--print-errors',
  '--short-errors',
]);

const PKG_CONFIG_TOOL = /^(?:pkg-config|pkgconf|\$\{PKG_CONFIG:-pkg-config\}|\$PKG_CONFIG|\$\{PKG_CONFIG\})$/;
const MODULE = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;

/**
 * The modules of a command that is one pkg-config call (its output maybe piped on: `| sed s/-I//g`),
 * whose failure gyp sees or the build inherits. Null for anything else: chains (`||`, `&&`, `;`), which
 * may swallow the failure, subshells, gyp variables, version tests, options with arguments, `--exists`.
 */
export function pkgConfigCall(cmd: string): string[] | null {
  if (/\|\||&&|;|`|\$\(|[\n\r]/.test(cmd)) return null;
  const first = cmd.split('|')[0]!.trim();
  const words = first.split(/\s+/);
  if (!PKG_CONFIG_TOOL.test(words.shift() ?? '')) return null;
  const modules: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (/^\d?>&?\d*$/.test(w)) {
      i++; // `2> /dev/null`: the redirect's target is no module
      continue;
    }
    if (/^\d?>/.test(w)) continue; // `2>/dev/null`, `2>&1`
    if (w.startsWith('-')) {
      if (!PLAIN_OPTIONS.has(w)) return null;
      continue;
    }
    if (!MODULE.test(w)) return null;
    modules.push(w);
  }
  return modules.length ? modules : null;
}

/**
 * The pkg-config modules the Linux build of a binding.gyp queries in its command expansions
 * (`<!@(pkg-config x11 xkbfile --libs)`): gyp runs each command while it loads the file and stops
 * when one fails (a module without its `.pc` file). Only commands in dicts that certainly apply on
 * Linux count; null when the file does not parse.
 */
export function linuxGypPkgConfigModules(text: string): string[] | null {
  const gyp = parseGyp(text);
  if (!gyp || typeof gyp !== 'object') return null;
  const modules = new Set<string>();
  walkLinux(gyp, (dict, certain) => {
    if (!certain) return;
    for (const s of ownStrings(dict)) {
      if (!s.includes('pkg-config') && !s.includes('pkgconf') && !s.includes('PKG_CONFIG')) continue;
      for (const cmd of commands(s)) for (const m of pkgConfigCall(cmd) ?? []) modules.add(m);
    }
  });
  return [...modules].sort();
}

/** `-std=c++11` / `gnu++1y` → the C++ year (2011, 2014); null for anything else. */
const STD_YEARS: Readonly<Record<string, number>> = {
  '98': 1998,
  '03': 2003,
  '0x': 2011,
  '11': 2011,
  '1y': 2014,
  '14': 2014,
  '1z': 2017,
  '17': 2017,
  '2a': 2020,
  '20': 2020,
  '2b': 2023,
  '23': 2023,
  '2c': 2026,
  '26': 2026,
};
const STD_FLAG = /^-std=((?:c|gnu)\+\+(\w\w))$/;

/** A gyp string that loads nan's include folder (`<!(node -e "require('nan')")`): the target includes nan.h, and with it node.h and v8.h. */
const NAN_INCLUDE = /require\(\\?["']nan\\?["']\)/;

export interface TargetStandard {
  target: string;
  /** `c++11`, as written after `-std=`. */
  standard: string;
  year: number;
  /** The target itself puts nan's headers on its include path. */
  nan: boolean;
}

/**
 * The C++ standard each target of a binding.gyp pins for Linux in its own `cflags_cc` (or that of its
 * OS branches): node-gyp's `-std=gnu++17` (Node's common.gypi) comes first and the target's flags
 * after, and g++ uses the last `-std=` (measured with node-gyp 10 against Node 20's headers). A pin
 * in `target_defaults` comes before node-gyp's and loses (grpc 1.24's `-std=c++14` compiles on Node
 * 20), so does one in `cflags` or `cflags_cc+`. With several pins, the newest. A target whose pin
 * sits in a branch that may or may not apply (a condition on anything but OS, a configuration), or
 * that removes flags with `cflags_cc!`, is left out; so is a target in such a branch.
 * Null when the file does not parse.
 */
export function linuxGypTargetStandards(text: string): TargetStandard[] | null {
  const gyp = parseGyp(text);
  if (!gyp || typeof gyp !== 'object') return null;
  const out: TargetStandard[] = [];
  walkLinux(gyp, (target, targetCertain) => {
    const name = target['target_name'];
    if (typeof name !== 'string' || !targetCertain) return;
    let best: { standard: string; year: number } | null = null;
    let unsure = false;
    let nan = false;
    walkLinux(target, (dict, certain) => {
      if (ownStrings(dict).some((s) => NAN_INCLUDE.test(s))) nan = true;
      for (const [key, value] of Object.entries(dict)) {
        if (!/^cflags_cc[!+=]?$/.test(key) || !Array.isArray(value)) continue;
        for (const flag of value) {
          const m = typeof flag === 'string' ? STD_FLAG.exec(flag) : null;
          if (!m) continue;
          const year = STD_YEARS[m[2]!];
          if (!certain || year === undefined || key === 'cflags_cc!') unsure = true;
          else if (key !== 'cflags_cc+' && (!best || year > best.year)) best = { standard: m[1]!, year };
        }
      }
    });
    const pin = best as { standard: string; year: number } | null; // assigned in the callback
    if (pin && !unsure) out.push({ target: name, standard: pin.standard, year: pin.year, nan });
  });
  return out;
}

/**
 * The C++ standard a Node's headers need at least, for addons that include them (`node.h`, `v8.h`,
 * `nan.h`): Node 16's V8 uses `std::remove_cv_t` (C++14); Node 20's `std::is_lvalue_reference_v`
 * in v8-maybe.h (C++17, measured: `-std=c++11` against Node 20.20's headers fails); Node 23's
 * v8config.h stops at `#error "C++20 or later required."`. Node 18 and 19 are held to C++14, what is
 * known for certain of them. Null before Node 16.
 */
export function cxxYearNodeNeeds(nodeVersion: string): number | null {
  const major = Number(/^v?(\d+)/.exec(nodeVersion)?.[1]);
  if (!Number.isInteger(major)) return null;
  if (major >= 23) return 2020;
  if (major >= 20) return 2017;
  if (major >= 16) return 2014;
  return null;
}

/**
 * A node-gyp build whose binding.gyp pins, for a target that compiles against V8's headers, a C++
 * standard older than the target Node's headers need fails on every target that builds: mmap-io
 * 1.1.7's `-std=c++11` against Node 20. V8's headers for certain: the target puts nan's include
 * folder on its path, or it is the file's only target and the package depends on nan.
 */
export function gypStandardFindings(
  ctx: PredictContext,
  link: Extract<ChainLink, { strategy: 'source-build' }>,
): Finding[] {
  const { target, native } = ctx;
  if (target.runtime !== 'node' || target.platform !== 'linux') return [];
  if (link.builder !== 'node-gyp' && link.builder !== 'implicit-node-gyp') return [];
  const needs = cxxYearNodeNeeds(target.version);
  if (!needs) return [];
  const text = ctx.files.readText('binding.gyp', 256 * 1024);
  const pins = text ? linuxGypTargetStandards(text) : null;
  if (!text || !pins?.length) return [];
  const pkg = native.pkg;
  const dependsOnNan =
    pkg.dependencies.some((d) => d.name === 'nan') ||
    Object.prototype.hasOwnProperty.call(pkg.manifest.dependencies ?? {}, 'nan');
  const onlyTarget = (parseGyp(text) as { targets?: unknown }).targets;
  const single = Array.isArray(onlyTarget) && onlyTarget.length === 1;
  const pin = pins.find((p) => p.year < needs && (p.nan || (single && pins.length === 1 && dependsOnNan)));
  if (!pin) return [];
  const where = { package: pkg.id, location: pkg.location, target: target.id };
  return [
    makeFinding('BUILD_CXX_STANDARD_TOO_OLD', where, {
      standard: pin.standard,
      needs: needs % 100,
      nodeVersion: target.version,
      file: 'binding.gyp',
    }),
  ];
}
