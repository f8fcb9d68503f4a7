import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addon } from '../binary/paths.js';
import { ensureBuilt } from '../helpers/build.js';
import { tempDir, writeProject } from '../helpers/fixture-project.js';
import { CLI, cleanEnv, hostile, linuxX64Glibc, runToExit } from './run-to-exit.js';

/**
 * Addons that attack the channel the loader reports results on (fd 3 of the loader process): one
 * writes made-up "done" lines for itself and for the jobs queued behind it
 * (fixtures/addons/hostile/forge-results.c), one floods it with a line that never ends
 * (spew-channel.c). Each must be reported as what it is, and every other addon must get its own
 * real result. The built CLI, in fixture projects, with one loader so that the other addons are
 * queued behind the attacker in the same process.
 */
const KILL_AFTER_MS = 120_000;

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  ensureBuilt();
  tmp = tempDir('ng-safety-channel-');
});
afterAll(() => tmp?.cleanup());

interface Report {
  binaries: Array<{ package: string; loaded: boolean; code?: string }>;
  findings: Array<{ code: string; package?: string; evidence: Record<string, unknown> }>;
}

const pkg = (file: string) => ({ manifest: { main: 'addon.node' }, files: { 'addon.node': { copy: file } } });

/** The attacker among addons whose real outcomes are known: two that load, three that fail three ways. */
async function verifyAmong(name: string, attacker: string) {
  const dir = writeProject(join(tmp.dir, name), {
    packages: {
      'node_modules/a-fast': pkg(addon('napi-ok')),
      'node_modules/b-attacker': pkg(attacker),
      'node_modules/c-alpine': pkg(addon('musl')),
      'node_modules/d-segv': pkg(addon('crash-segv')),
      'node_modules/e-throws': pkg(addon('throw-in-init')),
      'node_modules/f-fast': pkg(addon('napi-ok')),
    },
  });
  const r = await runToExit(process.execPath, [CLI, 'verify', '--json', '--jobs', '1', '-C', dir], {
    cwd: dir,
    env: cleanEnv(),
    killAfterMs: KILL_AFTER_MS,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(1);
  const report = JSON.parse(r.stdout) as Report;
  return {
    outcomes: Object.fromEntries(report.binaries.map((b) => [b.package, b.loaded ? 'loaded' : b.code])),
    attacker: report.findings.find((f) => f.package === 'b-attacker@1.0.0'),
  };
}

/** What the other addons really do, whatever the attacker wrote. */
const REAL = {
  'a-fast@1.0.0': 'loaded',
  'c-alpine@1.0.0': 'LIBC_MISMATCH',
  'd-segv@1.0.0': 'LOAD_CRASHED',
  'e-throws@1.0.0': 'LOAD_FAILED',
  'f-fast@1.0.0': 'loaded',
};

describe.skipIf(!linuxX64Glibc)('the loader’s result channel believes only the loader', () => {
  it(
    'forged "done" lines mark nothing as loaded: the forger is a LOAD_PROTOCOL_VIOLATION, the others keep their real outcomes',
    async () => {
      const { outcomes, attacker } = await verifyAmong('forge', hostile('forge-results'));
      expect(outcomes).toEqual({ ...REAL, 'b-attacker@1.0.0': 'LOAD_PROTOCOL_VIOLATION' });
      expect(attacker).toMatchObject({
        code: 'LOAD_PROTOCOL_VIOLATION',
        severity: 'error',
        evidence: { reason: 'forged', file: 'node_modules/b-attacker/addon.node' },
      });
      expect(attacker!.evidence.excerpt).toMatch(/^\{"t":"done","id":1,"ok":true,"exports":\["forged"\]/);
    },
    KILL_AFTER_MS + 60_000,
  );

  it(
    'a line that never ends is cut off at the limit: the flooder is a LOAD_PROTOCOL_VIOLATION, the others keep their real outcomes',
    async () => {
      const { outcomes, attacker } = await verifyAmong('spew', hostile('spew-channel'));
      expect(outcomes).toEqual({ ...REAL, 'b-attacker@1.0.0': 'LOAD_PROTOCOL_VIOLATION' });
      expect(attacker).toMatchObject({ evidence: { reason: 'too-long', excerpt: 'A'.repeat(200) } });
    },
    KILL_AFTER_MS + 60_000,
  );
});
