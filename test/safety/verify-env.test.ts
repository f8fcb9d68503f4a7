import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/build.js';
import { tempDir, writeProject } from '../helpers/fixture-project.js';
import { CLI, cleanEnv, hostile, linuxX64Glibc, runToExit } from './run-to-exit.js';

/**
 * Loading an addon runs its native code with the loader's environment, and verify loads every
 * addon in the tree: the credentials a CI job or a developer's shell holds must not be there. The
 * real addon fixtures/addons/hostile/env-dump.c writes every variable it sees to a file.
 */
const KILL_AFTER_MS = 120_000;

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  ensureBuilt();
  tmp = tempDir('ng-safety-env-');
});
afterAll(() => tmp?.cleanup());

/** Credentials as CI systems, npm and cloud SDKs put them in the environment. */
const SECRETS: Record<string, string> = {
  GITHUB_TOKEN: 'ghs_fixturegithubtoken',
  GH_TOKEN: 'gho_fixtureghtoken',
  NPM_TOKEN: 'npm_fixturenpmtoken',
  NODE_AUTH_TOKEN: 'fixture-node-auth-token',
  CI_JOB_TOKEN: 'fixture-ci-job-token',
  npm_config__authToken: 'fixture-npm-authtoken',
  'npm_config_//registry.npmjs.org/:_authToken': 'fixture-scoped-authtoken',
  NPM_CONFIG__AUTH: 'Zml4dHVyZTphdXRo',
  'npm_config_//npm.example.com/:_password': 'Zml4dHVyZS1wYXNzd29yZA==',
  AWS_ACCESS_KEY_ID: 'AKIAFIXTUREFIXTURE00',
  AWS_SECRET_ACCESS_KEY: 'fixture/aws/secret/access/key',
  AWS_SESSION_TOKEN: 'fixture-aws-session-token',
  GOOGLE_APPLICATION_CREDENTIALS: '/fixture/gcp-service-account.json',
  AZURE_CLIENT_SECRET: 'fixture-azure-client-secret',
  AZURE_CLIENT_ID: 'fixture-azure-client-id',
  STRIPE_SECRET_KEY: 'sk_test_fixturestripe',
  DATABASE_PASSWORD: 'fixture-database-password',
};

/** What addons legitimately read, and names that only look like credentials. */
const KEPT: Record<string, string> = {
  LD_LIBRARY_PATH: '/fixture/lib',
  LANG: 'C.UTF-8',
  TOKENIZERS_PARALLELISM: 'false',
  npm_config_registry: 'https://registry.npmjs.org/',
  NODE_ENV: 'production',
};

describe.skipIf(!linuxX64Glibc)('loaders run without the credentials in the environment', () => {
  it(
    'an addon that dumps its environment sees PATH, HOME and the rest, and no token, secret or cloud key',
    async () => {
      const dir = writeProject(join(tmp.dir, 'app'), {
        packages: {
          'node_modules/env-dump': {
            manifest: { main: 'addon.node' },
            files: { 'addon.node': { copy: hostile('env-dump') } },
          },
        },
      });
      const dump = join(tmp.dir, 'seen.env');
      const r = await runToExit(process.execPath, [CLI, 'verify', '--json', '-C', dir], {
        cwd: dir,
        env: cleanEnv({ ...SECRETS, ...KEPT, NG_FIXTURE_ENV_FILE: dump }),
        killAfterMs: KILL_AFTER_MS,
      });
      expect(r.status).toBe(0);
      const seen = readFileSync(dump, 'utf8');
      const lines = seen.split('\n').filter(Boolean);
      const names = lines.map((l) => l.slice(0, l.indexOf('=')));
      for (const name of Object.keys(SECRETS)) expect(names, name).not.toContain(name);
      for (const value of Object.values(SECRETS)) expect(seen).not.toContain(value);
      for (const [name, value] of Object.entries(KEPT)) expect(lines, name).toContain(`${name}=${value}`);
      expect(names).toEqual(expect.arrayContaining(['PATH', 'HOME', 'NG_FIXTURE_ENV_FILE']));
    },
    KILL_AFTER_MS + 60_000,
  );
});
