// --online and node-pre-gyp forks' template variables (issue 16): @discordjs/opus, from the registry,
// runs @discordjs/node-pre-gyp, whose URL carries the install machine's libc version. A target that
// says it is probed at the URL with that version; a target that does not is never probed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/check/run.js';
import { checkCommand } from '../../src/commands/check.js';
import type { CheckReport } from '../../src/model/reports.js';
import { currentHostEnvironment } from '../../src/targets/index.js';
import { startServer } from '../helpers/http-server.js';
import type { TestServer } from '../helpers/http-server.js';
import { lockfileOnlyProject } from '../helpers/lockfile-project.js';

const TODAY = '2026-11-25';
let project: string;
let releases: TestServer;

beforeAll(async () => {
  project = lockfileOnlyProject(['@discordjs/opus@0.10.0'], 'online-opus');
  // the release host has the glibc 2.36 build only
  releases = await startServer((req, res) => {
    if ((req.url ?? '').endsWith('-linux-x64-glibc-2.36.tar.gz')) res.writeHead(200).end();
    else res.writeHead(404).end();
  });
}, 10 * 60_000);
afterAll(() => releases.close());

const pred = (r: CheckReport, target: string) =>
  r.packages.find((p) => p.name === '@discordjs/opus')!.predictions.find((p) => p.target === target)!;

describe('check --online with @discordjs/node-pre-gyp', () => {
  it('probes the URL with the target’s libc version, and none for a target whose version is unknown', async () => {
    const base = currentHostEnvironment();
    // @discordjs/node-pre-gyp reads npm_config_<module_name>_binary_host_mirror
    const host = {
      ...base,
      env: { ...base.env, npm_config_opus_binary_host_mirror: `${releases.url}/opus` },
    };
    const report = await check({
      cwd: project,
      targets: ['node:22-bookworm', 'node22-linux-x64-glibc'],
      today: TODAY,
      host,
      lockfileOnly: true,
      online: true,
      onlineTimeoutMs: 5000,
    });

    expect(releases.requests.map((r) => r.url)).toEqual([
      expect.stringMatching(
        /^\/opus\/v0\.10\.0\/opus-v0\.10\.0-node-v\d+-napi-v3-linux-x64-glibc-2\.36\.tar\.gz$/,
      ),
    ]);
    expect(report.online?.checks.map((c) => c.status)).toEqual(['present']);

    const bookworm = pred(report, 'node:22-bookworm');
    expect(bookworm.evidence).toContainEqual(
      expect.objectContaining({ kind: 'url-check', status: 'present' }),
    );

    const unknown = pred(report, 'node22-linux-x64-glibc');
    expect(unknown.evidence).toContainEqual(
      expect.objectContaining({
        kind: 'download',
        url: null,
        problem: {
          code: 'TEMPLATE_VALUE_UNKNOWN',
          reason: { why: 'template-value-unknown', words: ['{libc_version}'] },
        },
      }),
    );
    expect(unknown.evidence).not.toContainEqual(expect.objectContaining({ kind: 'url-check' }));
    // the install machine's glibc may have a build: not known, whatever --online says
    expect(unknown.outcome).toBe('unknown');
    expect(
      report.findings.find(
        (f) => f.code === 'PREBUILD_DOWNLOAD_UNVERIFIED' && f.target === 'node22-linux-x64-glibc',
      )?.evidence,
    ).toMatchObject({ tool: 'node-pre-gyp', url: null, unknown: ['{libc_version}'] });
  }, 300_000);

  it('offline, the text does not promise that --online settles a URL it cannot know', async () => {
    const io = { isTTY: false, env: { ...process.env, NATIVE_GUARD_TODAY: TODAY }, cwd: project };
    const out = await checkCommand.run(
      ['--lockfile-only', '-t', 'node:22-bookworm', '-t', 'node22-linux-x64-glibc'],
      io,
    );
    expect(out.stdout).toMatch(
      /--online would settle 1 answer that depends on a download: @discordjs\/opus@0\.10\.0 on node:22-bookworm\n/,
    );
    expect(out.stdout).toMatch(
      /URL names \{libc_version\}, the libc version of the machine the install runs on/,
    );
    expect(out.stdout).toMatch(/node22-linux-x64-glibc2\.36/);
  }, 300_000);
});
