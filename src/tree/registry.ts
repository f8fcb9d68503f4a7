import pacote from 'pacote';
import registryFetch from 'npm-registry-fetch';
import npa from 'npm-package-arg';
import type { NpmConfigView } from './npm-config.js';
import type { FetchProblem } from './types.js';

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
}

export interface FetcherOptions {
  /** `--offline`: npm's cache only, whatever the config says. */
  offline?: boolean;
}

/**
 * pacote with npm's own flat options (registry, scoped registries, auth, proxy, cache, offline).
 * Cache first: `prefer-offline` unless npm is configured `prefer-online`, so a warm cache answers
 * without a request and a cold one falls back to the registry.
 */
export function pacoteFetcher(npm: NpmConfigView, options: FetcherOptions = {}): PackageFetcher {
  const offline = options.offline === true || npm.offline;
  const base: Record<string, unknown> = {
    ...npm.flat,
    offline,
    preferOffline: npm.flat.preferOnline !== true,
  };
  return {
    async tarball(request, handler) {
      const { name, version, integrity, resolved } = request;
      if (resolved && /^https?:/.test(resolved)) {
        // pacote swaps a registry.npmjs.org host for the configured registry (replace-registry-host)
        return pacote.tarball.stream(`${name}@${resolved}`, handler, { ...base, integrity, resolved });
      }
      if (integrity) {
        // a lockfile without resolved URLs: npm's cache holds tarballs by integrity, so ask it
        // directly before asking the registry for the packument (what `npm ci` would do next)
        try {
          return await pacote.tarball.stream(`${name}@${version}`, handler, {
            ...base,
            integrity,
            resolved: registryTarballUrl(name, version, base),
            offline: true,
          });
        } catch (err) {
          if (offline) throw err;
        }
      }
      return pacote.tarball.stream(`${name}@${version}`, handler, integrity ? { ...base, integrity } : base);
    },
    manifest(name, spec) {
      return pacote.manifest(`${name}@${spec}`, base);
    },
  };
}

/** Where the configured registry (scoped registries included) serves `name@version`'s tarball. */
export function registryTarballUrl(name: string, version: string, opts: Record<string, unknown>): string {
  const registry = registryFetch.pickRegistry(npa(`${name}@${version}`), opts).replace(/\/+$/, '');
  const base = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
  return `${registry}/${name}/-/${base}-${version}.tgz`;
}

/** An error from pacote/npm-registry-fetch as plain data. */
export function fetchProblem(err: unknown): FetchProblem {
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown };
  const code =
    typeof e?.code === 'string' ? e.code : typeof e?.statusCode === 'number' ? `E${e.statusCode}` : 'EFETCH';
  const message = typeof e?.message === 'string' ? e.message.split('\n')[0]! : String(err);
  return { code, detail: message.length > 300 ? `${message.slice(0, 297)}...` : message };
}
