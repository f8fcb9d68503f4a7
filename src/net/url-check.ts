import fetch from 'make-fetch-happen';
import type { UrlStatus } from '../strategies/download-link.js';

/** How `--online` reaches download hosts. */
export interface UrlCheckOptions {
  /** Per URL, covering redirects and the ranged-GET fallback (default 10 s). */
  timeoutMs?: number;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** Proxy for http:// and https:// URLs (npm's proxy/https-proxy, else HTTP(S)_PROXY). */
  proxy?: { http: string | null; https: string | null };
  /** Hosts that bypass the proxy (npm's noproxy, else NO_PROXY), comma-separated. */
  noProxy?: string | null;
  strictSSL?: boolean;
  ca?: unknown;
  userAgent?: string;
}

export interface UrlCheck {
  url: string;
  status: UrlStatus;
  /** Last HTTP status seen, or null when no response came. */
  httpStatus: number | null;
  /** The URL that answered, after redirects (GitHub release assets redirect to their object store). */
  finalUrl: string | null;
  method: 'HEAD' | 'GET';
  /** The network error, when there was one. */
  error: string | null;
}

/** Statuses some hosts return for HEAD while a GET of the same URL works. */
const HEAD_REFUSED = new Set([403, 405, 501]);
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'EPROTO',
  'CERT_HAS_EXPIRED',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

interface Attempt {
  httpStatus: number | null;
  finalUrl: string | null;
  error: { code: string; message: string } | null;
  timedOut: boolean;
}

async function request(
  url: string,
  method: 'HEAD' | 'GET',
  opts: UrlCheckOptions,
  signal: AbortSignal,
): Promise<Attempt> {
  const proxy = url.startsWith('https:') ? opts.proxy?.https : opts.proxy?.http;
  const headers: Record<string, string> = { 'user-agent': opts.userAgent ?? 'native-guard' };
  if (method === 'GET') headers.range = 'bytes=0-0';
  try {
    const res = await fetch(url, {
      method,
      headers,
      redirect: 'follow',
      follow: 20,
      retry: { retries: 0 },
      timeout: opts.timeoutMs ?? 10_000,
      signal,
      ...(proxy ? { proxy } : {}),
      ...(opts.noProxy ? { noProxy: opts.noProxy } : {}),
      ...(opts.strictSSL === false ? { strictSSL: false } : {}),
      ...(opts.ca ? { ca: opts.ca } : {}),
    });
    // only the status matters: drop whatever body came (a ranged GET sends one byte)
    res.body.resume();
    return { httpStatus: res.status, finalUrl: res.url || url, error: null, timedOut: false };
  } catch (err) {
    const e = err as { code?: string; type?: string; name?: string; message?: string };
    const timedOut =
      signal.aborted || e.name === 'AbortError' || e.type === 'request-timeout' || e.code === 'ETIMEDOUT';
    return {
      httpStatus: null,
      finalUrl: null,
      error: { code: e.code ?? e.type ?? e.name ?? 'EFETCH', message: e.message ?? String(err) },
      timedOut,
    };
  }
}

/**
 * Does the file at `url` exist? HEAD, following redirects; a host that refuses HEAD (403, 405, 501)
 * gets a ranged GET of one byte instead. 2xx is `present`, any other answer `missing` (the download
 * tools treat every non-2xx as a failed download), no answer in time `timeout`, no connection
 * `unreachable`, 5xx `error` (it may work on the next try).
 */
export async function checkUrl(url: string, opts: UrlCheckOptions = {}): Promise<UrlCheck> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs ?? 10_000);
  try {
    let method: 'HEAD' | 'GET' = 'HEAD';
    let attempt = await request(url, method, opts, controller.signal);
    if (attempt.httpStatus !== null && HEAD_REFUSED.has(attempt.httpStatus)) {
      method = 'GET';
      attempt = await request(url, method, opts, controller.signal);
    }
    const base = { url, httpStatus: attempt.httpStatus, finalUrl: attempt.finalUrl, method };
    if (attempt.error) {
      const status: UrlStatus = attempt.timedOut
        ? 'timeout'
        : UNREACHABLE.has(attempt.error.code)
          ? 'unreachable'
          : 'error';
      return { ...base, status, error: `${attempt.error.code}: ${attempt.error.message.split('\n')[0]}` };
    }
    const code = attempt.httpStatus!;
    const status: UrlStatus = code >= 200 && code < 300 ? 'present' : code >= 500 ? 'error' : 'missing';
    return { ...base, status, error: null };
  } finally {
    clearTimeout(timer);
  }
}

/** Checks every URL once, at most `concurrency` at a time. */
export async function checkUrls(
  urls: Iterable<string>,
  opts: UrlCheckOptions = {},
): Promise<Map<string, UrlCheck>> {
  const list = [...new Set(urls)];
  const out = new Map<string, UrlCheck>();
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const url = list[next++]!;
      out.set(url, await checkUrl(url, opts));
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 8, list.length) }, worker));
  return out;
}

/** The proxy settings npm would use, from its flat config and then the environment. */
export function proxySettings(
  flat: Record<string, unknown>,
  env: Record<string, string | undefined>,
): Pick<UrlCheckOptions, 'proxy' | 'noProxy'> {
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  const https =
    str(flat.httpsProxy) ?? str(flat.proxy) ?? str(env.HTTPS_PROXY) ?? str(env.https_proxy) ?? null;
  const http = str(flat.proxy) ?? str(env.HTTP_PROXY) ?? str(env.http_proxy) ?? https;
  const noProxy = str(flat.noProxy) ?? str(env.NO_PROXY) ?? str(env.no_proxy);
  return { proxy: { http, https: https ?? http }, noProxy };
}
