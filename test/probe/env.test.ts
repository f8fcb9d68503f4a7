import { describe, expect, it } from 'vitest';
import { isCredentialName, loaderEnvironment } from '../../src/probe/env.js';

describe('loaderEnvironment: what loaders get of the environment', () => {
  it('withholds tokens, secrets, npm auth settings and cloud credentials', () => {
    for (const name of [
      'GITHUB_TOKEN',
      'GH_TOKEN',
      'NPM_TOKEN',
      'NODE_AUTH_TOKEN',
      'CI_JOB_TOKEN',
      'ACTIONS_RUNTIME_TOKEN',
      'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
      'MY_SERVICE_SECRET',
      'CLIENT_SECRET_VALUE',
      'npm_config__auth',
      'npm_config__authToken',
      'NPM_CONFIG__AUTH',
      'npm_config_//registry.npmjs.org/:_authToken',
      'npm_config_//npm.example.com/:_password',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_PROFILE',
      'GOOGLE_APPLICATION_CREDENTIALS',
      'AZURE_CLIENT_SECRET',
      'AZURE_CLIENT_ID',
      'DATABASE_PASSWORD',
      'SENDGRID_API_KEY',
      'SSH_AUTH_SOCK',
    ])
      expect(isCredentialName(name), name).toBe(true);
  });

  it('keeps what addons read: paths, locale, temp, npm settings that are no credentials, look-alikes', () => {
    for (const name of [
      'PATH',
      'HOME',
      'LD_LIBRARY_PATH',
      'DYLD_LIBRARY_PATH',
      'LANG',
      'LC_ALL',
      'TMPDIR',
      'NODE_ENV',
      'NODE_OPTIONS',
      'npm_config_registry',
      'npm_config_cache',
      'npm_lifecycle_event',
      'TOKENIZERS_PARALLELISM',
      'UV_THREADPOOL_SIZE',
      'SHARP_IGNORE_GLOBAL_LIBVIPS',
    ])
      expect(isCredentialName(name), name).toBe(false);
  });

  it('returns the rest unchanged and names what it withheld', () => {
    expect(
      loaderEnvironment({ PATH: '/bin', GITHUB_TOKEN: 'x', HOME: '/h', AWS_REGION: 'eu', UNSET: undefined }),
    ).toEqual({ env: { PATH: '/bin', HOME: '/h' }, withheld: ['AWS_REGION', 'GITHUB_TOKEN'] });
  });
});
