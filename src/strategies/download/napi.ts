/**
 * Node-API version choice as each tool makes it, with the TARGET's Node-API level standing in for
 * `process.versions.napi`. The tools disagree on edge cases (string vs number comparison), so each
 * is mirrored separately rather than shared.
 */

/** Thrown where the tool itself would throw a TypeError on a malformed `binary.napi_versions`. */
export class NapiVersionsError extends Error {}

/** The tools guard with a truthiness test, then call `.forEach`: anything else truthy throws. */
const listOf = (napiVersions: unknown): unknown[] => {
  if (!napiVersions) return [];
  if (!Array.isArray(napiVersions)) throw new NapiVersionsError('binary.napi_versions is not an array');
  return napiVersions;
};

/** ToPrimitive as JavaScript's relational operators apply it to JSON values. */
const primitive = (x: unknown): unknown => (x !== null && typeof x === 'object' ? String(x) : x);

/** `a <= b` and `a > b` with JavaScript's semantics: string order between two strings, else numeric. */
const jsLe = (a: unknown, b: unknown): boolean => {
  const [pa, pb] = [primitive(a), primitive(b)];
  return typeof pa === 'string' && typeof pb === 'string' ? pa <= pb : Number(pa) <= Number(pb);
};
const jsGt = (a: unknown, b: unknown): boolean => {
  const [pa, pb] = [primitive(a), primitive(b)];
  return typeof pa === 'string' && typeof pb === 'string' ? pa > pb : Number(pa) > Number(pb);
};

/**
 * napi-build-utils getBestNapiBuildVersion. Version 2 (prebuild-install >= 7.1.3) compares numbers;
 * version 1 compares the de-duplicated *strings* with `process.versions.napi`, so on Node-API 10
 * and later `'6' <= '10'` is false: sqlite3's [3, 6] finds no version and the URL falls back to
 * `napi-v<NODE_MODULE_VERSION>`.
 */
export function napiBuildUtilsBest(
  napiVersions: unknown,
  targetNapi: number | null,
  numeric: boolean,
): number | string | undefined {
  const strings: string[] = [];
  for (const v of listOf(napiVersions)) if (!strings.includes(String(v))) strings.push(String(v));
  if (strings.length === 0) return undefined;
  const ours = targetNapi === null ? undefined : String(targetNapi);
  if (numeric) {
    let best = 0;
    for (const s of strings) {
      const n = parseInt(s, 10);
      if (n > best && jsLe(n, ours)) best = n;
    }
    return best === 0 ? undefined : best;
  }
  // Version 1: `best` starts as the number 0, so the first comparison is numeric and later ones
  // are string comparisons, exactly as JavaScript's relational operators do it.
  let best: number | string = 0;
  for (const s of strings) if (jsGt(s, best) && jsLe(s, ours)) best = s;
  return best === 0 ? undefined : best;
}

/** node-pre-gyp lib/util/napi.js get_napi_build_versions: the listed versions the target can load. */
export function nodePreGypBuildVersions(
  napiVersions: unknown,
  targetNapi: number | null,
  latestOnly = false,
): unknown[] | undefined {
  // process.versions.napi is a string, so a listed string compares in string order against it
  const ours = targetNapi === null ? undefined : String(targetNapi);
  let out: unknown[] = [];
  for (const v of listOf(napiVersions)) if (!out.includes(v) && ours && jsLe(v, ours)) out.push(v);
  if (latestOnly) {
    let latest: unknown = 0;
    for (const v of out) if (jsGt(v, latest)) latest = v;
    out = latest ? [latest] : [];
  }
  return out.length ? out : undefined;
}

/** node-pre-gyp get_napi_build_versions_raw: listed versions, de-duplicated, unfiltered. */
export function nodePreGypRawVersions(napiVersions: unknown): unknown[] | undefined {
  const out: unknown[] = [];
  for (const v of listOf(napiVersions)) if (!out.includes(v)) out.push(v);
  return out.length ? out : undefined;
}

/** node-pre-gyp get_best_napi_build_version. */
export function nodePreGypBest(
  napiVersions: unknown,
  targetNapi: number | null,
  latestOnly = false,
): unknown {
  const ours = targetNapi === null ? undefined : String(targetNapi);
  let best: unknown = 0;
  for (const v of nodePreGypBuildVersions(napiVersions, targetNapi, latestOnly) ?? []) {
    if (jsGt(v, best) && jsLe(v, ours)) best = v;
  }
  return best === 0 ? undefined : best;
}
