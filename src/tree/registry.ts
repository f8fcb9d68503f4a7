import { statSync } from 'node:fs';
import { join } from 'node:path';
import pacote from 'pacote';
import registryFetch from 'npm-registry-fetch';
import npa from 'npm-package-arg';
import type { NpmConfigView } from './npm-config.js';
import type { FetchProblem, TarballProblem } from '../model/package.js';

/** A package version as the lockfile names it. */
export interface TarballRequest {
  name: string;
  version: string;
  integrity?: string;
  /** The lockfile's resolved URL; absent with npm's omit-lockfile-registry-resolved. */
  resolved?: string;
}

/**
 * Reads packages from the registry the way npm does. The one seam between lockfile mode and the
 * network (tests wrap it to count calls).
 */
export interface PackageFetcher {
  /** Streams the package's tarball (integrity-checked) into `handler`; may call it again on a retry. */
  tarball<T>(request: TarballRequest, handler: (stream: NodeJS.ReadableStream) => Promise<T>): Promise<T>;
  /** The manifest `name@spec` resolves to. */
  manifest(name: string, spec: string): Promise<Record<string, unknown>>;
  /**
   * Like `tarball`, from npm's cache only (by integrity): never a request. Rejects (ENOTCACHED)
   * when the cache does not hold it. Absent: nothing is read this way.
   */
  cachedTarball?<T>(
    request: TarballRequest,
    handler: (stream: NodeJS.ReadableStream) => Promise<T>,
  ): Promise<T>;
}

export interface FetcherOptions {
  /** `--offline`: npm's cache only, whatever the config says. */
  offline?: boolean;
  /**
   * The most one manifest or tarball may take, retries included, in ms (default: npm's
   * `fetch-timeout`, 5 minutes unless configured).
   */
  deadlineMs?: number;
}

const DEFAULT_DEADLINE_MS = 5 * 60_000;

/**
 * Only registry packages are fetched. A lockfile (hand-written, tampered, or naming a git, file or
 * directory dependency) can put any spec in `version`; handed to pacote, a git spec spawns `git`
 * from PATH (where node_modules/.bin comes first in a hook) and a directory spec can run the
 * package's `prepare`. Refused here, they become MANIFEST_UNAVAILABLE (ENOTREGISTRY).
 */
function assertRegistrySpec(name: string, spec: string, allowed: ReadonlySet<string>): void {
  let type: string | undefined;
  try {
    const parsed = npa.resolve(name, spec);
    type = parsed.name === name ? parsed.type : undefined;
  } catch {
    type = undefined;
  }
  if (type === undefined || !allowed.has(type)) {
    throw new NotRegistry(`${name}@${spec}`);
  }
}
const EXACT = new Set(['version']);
const REGISTRY = new Set(['version', 'range', 'tag']);
const isHttpUrl = (url: string) => /^https?:\/\//i.test(url);

/**
 * Runs `work` with an AbortSignal that fires after `ms`, rejecting with ETIMEDOUT then. npm's own
 * timeout covers waiting for a response, not a body that trickles or never ends; this covers the
 * whole request. The signal reaches npm-registry-fetch (it destroys the socket) and the stream a
 * handler reads, so nothing is left running.
 */
async function withDeadline<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = Object.assign(
        new Error(`no complete answer within ${Math.round(ms / 100) / 10} s (npm's fetch-timeout)`),
        { code: 'ETIMEDOUT' },
      );
      controller.abort(error);
      reject(error);
    }, ms);
  });
  const running = work(controller.signal);
  // whichever loses the race settles unobserved
  running.catch(() => {});
  try {
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Destroys the stream a handler reads when the deadline fires. */
function abortable<T>(
  handler: (stream: NodeJS.ReadableStream) => Promise<T>,
  signal: AbortSignal,
): (stream: NodeJS.ReadableStream) => Promise<T> {
  return (stream) => {
    const destroy = () =>
      (stream as NodeJS.ReadableStream & { destroy?(e?: unknown): void }).destroy?.(signal.reason);
    if (signal.aborted) destroy();
    else signal.addEventListener('abort', destroy, { once: true });
    return handler(stream);
  };
}

/**
 * pacote with npm's own flat options (registry, scoped registries, auth, proxy, cache, offline).
 * Cache first: `prefer-offline` unless npm is configured `prefer-online`, so a warm cache answers
 * without a request and a cold one falls back to the registry.
 */
export function pacoteFetcher(npm: NpmConfigView, options: FetcherOptions = {}): PackageFetcher {
  const offline = options.offline === true || npm.offline;
  const configured = npm.flat.timeout;
  const deadline =
    options.deadlineMs ??
    (typeof configured === 'number' && configured > 0 ? configured : DEFAULT_DEADLINE_MS);
  const base: Record<string, unknown> = {
    ...npm.flat,
    offline,
    preferOffline: npm.flat.preferOnline !== true,
  };
  const tarball = async <T>(
    request: TarballRequest,
    handler: (stream: NodeJS.ReadableStream) => Promise<T>,
    signal: AbortSignal,
  ): Promise<T> => {
    const { name, version, integrity, resolved } = request;
    const opts = { ...base, signal };
    if (resolved && isHttpUrl(resolved)) {
      // a remote tarball (registry or not) is only downloaded and unpacked: nothing runs
      assertRegistrySpec(name, '*', REGISTRY);
      // pacote swaps a registry.npmjs.org host for the configured registry (replace-registry-host)
      return pacote.tarball.stream(`${name}@${resolved}`, handler, { ...opts, integrity, resolved });
    }
    assertRegistrySpec(name, version, EXACT);
    if (integrity) {
      // a lockfile without resolved URLs: npm's cache holds tarballs by integrity, so ask it
      // directly before asking the registry for the packument (what `npm ci` would do next)
      try {
        return await pacote.tarball.stream(`${name}@${version}`, handler, {
          ...opts,
          integrity,
          resolved: registryTarballUrl(name, version, base),
          offline: true,
        });
      } catch (err) {
        if (offline || signal.aborted) throw err;
      }
    }
    return pacote.tarball.stream(`${name}@${version}`, handler, integrity ? { ...opts, integrity } : opts);
  };
  return {
    tarball(request, handler) {
      return withDeadline(deadline, (signal) => tarball(request, abortable(handler, signal), signal));
    },
    cachedTarball(request, handler) {
      return withDeadline(deadline, async (signal) => {
        const { name, version, integrity } = request;
        assertRegistrySpec(name, version, EXACT);
        // npm's flat options name cacache's folder (`<cache>/_cacache`); without them, npm's default
        const store = typeof base.cache === 'string' ? base.cache : join(npm.cache, '_cacache');
        if (!integrity || !inContentStore(store, integrity)) {
          throw Object.assign(new Error('not in npm cache'), { code: 'ENOTCACHED' });
        }
        return pacote.tarball.stream(`${name}@${version}`, abortable(handler, signal), {
          ...base,
          signal,
          integrity,
          resolved: registryTarballUrl(name, version, base),
          offline: true,
        });
      });
    },
    manifest(name, spec) {
      return withDeadline(deadline, async (signal) => {
        assertRegistrySpec(name, spec, REGISTRY);
        return pacote.manifest(`${name}@${spec}`, { ...base, signal });
      });
    },
  };
}

/**
 * Whether npm's content store (cacache, `<cache>/content-v2/<algo>/<2>/<2>/<rest>` of the hex
 * digest) holds bytes for `integrity`: one stat, where asking pacote costs an index read and its
 * set-up per package. Only sha512/sha384/sha256/sha1 strings are looked up.
 */
export function inContentStore(cache: unknown, integrity: string): boolean {
  if (typeof cache !== 'string' || !cache) return false;
  for (const part of integrity.trim().split(/\s+/)) {
    const m = /^(sha512|sha384|sha256|sha1)-([A-Za-z0-9+/]+={0,2})$/.exec(part);
    if (!m) continue;
    const hex = Buffer.from(m[2]!, 'base64').toString('hex');
    if (hex.length < 8) continue;
    const path = join(cache, 'content-v2', m[1]!, hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
    try {
      if (statSync(path).isFile()) return true;
    } catch {
      // not this one
    }
  }
  return false;
}

/** Where the configured registry (scoped registries included) serves `name@version`'s tarball. */
export function registryTarballUrl(name: string, version: string, opts: Record<string, unknown>): string {
  const registry = registryFetch.pickRegistry(npa(`${name}@${version}`), opts).replace(/\/+$/, '');
  const base = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
  return `${registry}/${name}/-/${base}-${version}.tgz`;
}

/** An error from pacote/npm-registry-fetch as plain data. */
/** A package the lockfile names by a git, file, folder or URL spec: never fetched (see assertRegistrySpec). */
export class NotRegistry extends Error {
  readonly code = 'ENOTREGISTRY';
  constructor(readonly spec: string) {
    super('ENOTREGISTRY');
  }
}

/** A tarball that was had but not read whole: the package is then as unknown as one never fetched. */
export class TarballUnread extends Error {
  readonly code: TarballProblem['code'];
  constructor(readonly problem: TarballProblem) {
    super(problem.code);
    this.code = problem.code;
  }
}

export function fetchProblem(err: unknown): FetchProblem {
  if (err instanceof TarballUnread) return { code: err.code, detail: '', tarball: err.problem };
  if (err instanceof NotRegistry) return { code: err.code, detail: '', notRegistry: err.spec };
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown };
  const code =
    typeof e?.code === 'string' ? e.code : typeof e?.statusCode === 'number' ? `E${e.statusCode}` : 'EFETCH';
  const message = typeof e?.message === 'string' ? e.message.split('\n')[0]! : String(err);
  return { code, detail: message.length > 300 ? `${message.slice(0, 297)}...` : message };
}
