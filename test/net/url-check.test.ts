import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkUrl, checkUrls, proxySettings } from '../../src/net/url-check.js';
import { closedPort, startServer } from '../helpers/http-server.js';
import type { TestServer } from '../helpers/http-server.js';

let host: TestServer;
let inFlight = 0;
let maxInFlight = 0;

beforeAll(async () => {
  host = await startServer(async (req, res) => {
    const path = req.url ?? '';
    if (path.startsWith('/present'))
      res.writeHead(200, { 'content-length': '5' }).end(req.method === 'HEAD' ? undefined : 'hello');
    else if (path === '/head-refused') {
      if (req.method === 'HEAD') res.writeHead(405).end();
      else if (req.headers.range === 'bytes=0-0')
        res.writeHead(206, { 'content-range': 'bytes 0-0/5' }).end('h');
      else res.writeHead(200).end('hello');
    } else if (path === '/redirect') res.writeHead(302, { location: '/present/final' }).end();
    else if (path === '/slow') setTimeout(() => res.writeHead(200).end(), 3000).unref();
    else if (path === '/unavailable') res.writeHead(503).end();
    else if (path.startsWith('/counted')) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 100));
      inFlight--;
      res.writeHead(200).end();
    } else res.writeHead(404).end();
  });
});
afterAll(() => host.close());

describe('checkUrl against a local release host', () => {
  it('present: HEAD 200', async () => {
    expect(await checkUrl(`${host.url}/present`)).toEqual({
      url: `${host.url}/present`,
      status: 'present',
      httpStatus: 200,
      finalUrl: `${host.url}/present`,
      method: 'HEAD',
      error: null,
    });
  });

  it('a host that refuses HEAD gets a one-byte ranged GET', async () => {
    const r = await checkUrl(`${host.url}/head-refused`);
    expect(r).toMatchObject({ status: 'present', httpStatus: 206, method: 'GET' });
    expect(
      host.requests.filter((q) => q.url === '/head-refused').map((q) => `${q.method} ${q.range ?? ''}`),
    ).toEqual(['HEAD ', 'GET bytes=0-0']);
  });

  it('missing: 404', async () => {
    expect(await checkUrl(`${host.url}/nope.tar.gz`)).toMatchObject({ status: 'missing', httpStatus: 404 });
  });

  it('follows redirects (GitHub release assets redirect to their object store) and says where it ended', async () => {
    expect(await checkUrl(`${host.url}/redirect`)).toMatchObject({
      status: 'present',
      finalUrl: `${host.url}/present/final`,
    });
  });

  it('slow: timeout', async () => {
    const r = await checkUrl(`${host.url}/slow`, { timeoutMs: 300 });
    expect(r).toMatchObject({ status: 'timeout', httpStatus: null });
    expect(r.error).toBeTruthy();
  });

  it('unreachable: nothing listens on the port, or the name does not resolve', async () => {
    const port = await closedPort();
    expect(await checkUrl(`http://127.0.0.1:${port}/x`)).toMatchObject({
      status: 'unreachable',
      error: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(await checkUrl('http://release-host.invalid/x', { timeoutMs: 5000 })).toMatchObject({
      status: 'unreachable',
    });
  });

  it('a 5xx is an error (it may work next time), not a missing file', async () => {
    expect(await checkUrl(`${host.url}/unavailable`)).toMatchObject({ status: 'error', httpStatus: 503 });
  });

  it('checks many URLs with bounded concurrency, each once', async () => {
    const urls = Array.from({ length: 8 }, (_, i) => `${host.url}/counted/${i}`);
    const results = await checkUrls([...urls, ...urls], { concurrency: 2 });
    expect(results.size).toBe(8);
    expect([...results.values()].every((r) => r.status === 'present')).toBe(true);
    expect(maxInFlight).toBeLessThanOrEqual(2);
    expect(host.requests.filter((q) => q.url.startsWith('/counted')).length).toBe(8);
  });
});

describe('proxies', () => {
  it('npm config first, then the environment; NO_PROXY passes through', () => {
    expect(
      proxySettings({ proxy: 'http://p:1', httpsProxy: 'http://s:2' }, { HTTPS_PROXY: 'http://e:3' }),
    ).toEqual({
      proxy: { http: 'http://p:1', https: 'http://s:2' },
      noProxy: null,
    });
    expect(proxySettings({}, { HTTPS_PROXY: 'http://e:3', NO_PROXY: 'localhost' })).toEqual({
      proxy: { http: 'http://e:3', https: 'http://e:3' },
      noProxy: 'localhost',
    });
  });

  it('goes through the proxy for a host this machine cannot resolve', async () => {
    const proxy = await startServer((req, res) => {
      // a forward proxy sees the absolute URL
      res.writeHead(req.url === 'http://release-host.invalid/pkg/v1.0.0/pkg.tar.gz' ? 200 : 404).end();
    });
    try {
      const r = await checkUrl('http://release-host.invalid/pkg/v1.0.0/pkg.tar.gz', {
        proxy: { http: proxy.url, https: proxy.url },
      });
      expect(r).toMatchObject({ status: 'present', httpStatus: 200 });
      expect(proxy.requests.map((q) => `${q.method} ${q.url}`)).toEqual([
        'HEAD http://release-host.invalid/pkg/v1.0.0/pkg.tar.gz',
      ]);
    } finally {
      await proxy.close();
    }
  });
});

// A self-signed certificate for 127.0.0.1, valid until 2126, made for this test only:
// `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
// -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1`
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgb1r93+6GlWSzYVMZ
I588/SxdGq6NduN19Ejc355wcOmhRANCAATbCfr0JcCvdgNZDXFNdJ/4YQrOJvBX
B9bpwUCkLkYcNQRAZ7dNCFbwgJPkHB2vTZ/lOaf4mbC/ePBTiME0KMLl
-----END PRIVATE KEY-----
`;
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBjzCCATagAwIBAgIUFNUwjCq1mahs3ibdVIefiNfYu9gwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwNjAyMTYyM1oYDzIxMjYxMTEy
MDIxNjIzWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATbCfr0JcCvdgNZDXFNdJ/4YQrOJvBXB9bpwUCkLkYcNQRAZ7dNCFbw
gJPkHB2vTZ/lOaf4mbC/ePBTiME0KMLlo2QwYjAdBgNVHQ4EFgQUctfmh9vo5buY
45FuYg6q6El4pykwHwYDVR0jBBgwFoAUctfmh9vo5buY45FuYg6q6El4pykwDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0cAMEQC
IB2ryW5XmbR6WIBQhKU3NtiO2oFdwE0Wx41N9q1setUBAiAoWIFSpXBebv23/EtX
OoHXzn0g3sNRRglJT2yQ0HGk8Q==
-----END CERTIFICATE-----
`;

describe('TLS', () => {
  let tls: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    const server = createHttpsServer({ key: TEST_KEY, cert: TEST_CERT }, (_req, res) =>
      res.writeHead(200).end(),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    tls = {
      url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/file.tar.gz`,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  });
  afterAll(() => tls.close());

  it("a certificate nothing vouches for: unreachable, as npm's strict-ssl would have it", async () => {
    expect(await checkUrl(tls.url)).toMatchObject({
      status: 'unreachable',
      error: expect.stringMatching(/^DEPTH_ZERO_SELF_SIGNED_CERT/),
    });
  });

  it("npm's strict-ssl=false and ca settings apply", async () => {
    expect(await checkUrl(tls.url, { strictSSL: false })).toMatchObject({
      status: 'present',
      httpStatus: 200,
    });
    expect(await checkUrl(tls.url, { ca: TEST_CERT })).toMatchObject({ status: 'present', httpStatus: 200 });
  });
});
