import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import fetch from 'make-fetch-happen';
import type { UrlCheck, UrlStatus } from '../model/prediction.js';

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
  /** The last HTTP status seen (a redirect's, when the chain failed after it), or null. */
  httpStatus: number | null;
  finalUrl: string | null;
  error: { code: string; message: string } | null;
  timedOut: boolean;
}

/** Redirects a probe follows before it gives up (make-fetch-happen's and browsers' limit). */
const MAX_REDIRECTS = 20;
const REDIRECT = new Set([301, 302, 303, 307, 308]);

interface Hop {
  httpStatus: number;
  location: string | null;
}

/**
 * One request, redirects not followed: its status and Location, then the connection is closed.
 * The body is never read: a host can make it endless, huge or a byte a minute, and the status
 * alone answers the question. `deadline` aborts it at any stage (connect, headers).
 */
async function hop(
  url: string,
  method: 'HEAD' | 'GET',
  opts: UrlCheckOptions,
  deadline: AbortSignal,
): Promise<Hop> {
  const proxy = url.startsWith('https:') ? opts.proxy?.https : opts.proxy?.http;
  // a fresh connection per request, closed after it: no socket with an unread body goes back to a pool
  const headers: Record<string, string> = {
    'user-agent': opts.userAgent ?? 'native-guard',
    connection: 'close',
  };
  if (method === 'GET') headers.range = 'bytes=0-0';
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const own = new AbortController();
  const abort = () => own.abort();
  if (deadline.aborted) abort();
  else deadline.addEventListener('abort', abort, { once: true });
  try {
    const res = await fetch(url, {
      method,
      headers,
      redirect: 'manual',
      retry: { retries: 0 },
      // no decoding: a "deflate" answer would otherwise be held back until its first body byte
      compress: false,
      timeout: timeoutMs,
      timeouts: { connection: timeoutMs },
      signal: own.signal,
      // npm's agent handles proxies (and noProxy); without one, Node's own: @npmcli/agent leaves a
      // socket open when a request ends during a stalled TLS handshake, and that keeps the process alive
      ...(proxy ? { proxy } : { agent: url.startsWith('https:') ? new HttpsAgent() : new HttpAgent() }),
      ...(opts.noProxy ? { noProxy: opts.noProxy } : {}),
      ...(opts.strictSSL === false ? { strictSSL: false } : {}),
      ...(opts.ca ? { ca: opts.ca } : {}),
    });
    // the abort below ends the unread body with an AbortError: expected, not a failure
    res.body.on('error', () => {});
    return { httpStatus: res.status, location: res.headers.get('location') };
  } finally {
    deadline.removeEventListener('abort', abort);
    // destroys the request and its socket, whatever the host still sends
    own.abort();
  }
}

/** A request and the redirects it leads to, each hop closed once its status is known. */
async function request(
  url: string,
  method: 'HEAD' | 'GET',
  opts: UrlCheckOptions,
  deadline: AbortSignal,
): Promise<Attempt> {
  let current = url;
  let httpStatus: number | null = null;
  const failed = (code: string, message: string): Attempt => ({
    httpStatus,
    finalUrl: current,
    error: { code, message },
    timedOut: false,
  });
  try {
    for (let redirects = 0; ; redirects++) {
      const answer = await hop(current, method, opts, deadline);
      httpStatus = answer.httpStatus;
      // a 3xx without Location is an answer like any other non-2xx: the download tools fail on it
      if (!REDIRECT.has(answer.httpStatus) || answer.location === null)
        return { httpStatus, finalUrl: current, error: null, timedOut: false };
      if (redirects === MAX_REDIRECTS)
        return failed('EMAXREDIRECT', `more than ${MAX_REDIRECTS} redirects, the last at ${current}`);
      let next: URL;
      try {
        next = new URL(answer.location, current);
      } catch {
        return failed('EINVALIDREDIRECT', `redirect to an invalid URL: ${answer.location}`);
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:')
        return failed('EINVALIDREDIRECT', `redirect to a ${next.protocol} URL`);
      current = next.href;
    }
  } catch (err) {
    const e = err as { code?: string; type?: string; name?: string; message?: string };
    const timedOut =
      deadline.aborted || e.name === 'AbortError' || e.type === 'request-timeout' || e.code === 'ETIMEDOUT';
    return {
      httpStatus,
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
 * `unreachable`, 5xx `error` (it may work on the next try), and so is a redirect loop. One deadline
 * (`timeoutMs`) covers the whole probe: connecting, every hop, the HEAD and the GET.
 */
export async function checkUrl(url: string, opts: UrlCheckOptions = {}): Promise<UrlCheck> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs ?? 10_000);
  try {
    let method: 'HEAD' | 'GET' = 'HEAD';
    let attempt = await request(url, method, opts, controller.signal);
    if (!attempt.error && attempt.httpStatus !== null && HEAD_REFUSED.has(attempt.httpStatus)) {
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
