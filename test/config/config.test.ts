import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerCommand } from '../../src/commands/docker.js';
import { applyIgnore, ConfigError, parseProjectConfig, readProjectConfig } from '../../src/config.js';
import { makeFinding } from '../../src/model/findings.js';
import { addon } from '../binary/paths.js';
import { tempDir, writeProject } from '../helpers/fixture-project.js';
import { errorWords } from '../../src/report/error-words.js';
import { thrownWords } from '../helpers/error-words.js';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('ng-config-');
});
afterAll(() => tmp.cleanup());

const FILE = '/app/package.json';
const error = (value: unknown): ConfigError => {
  try {
    parseProjectConfig(value, FILE);
  } catch (err) {
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

describe('"nativeGuard" validation', () => {
  it('accepts every documented key, and no block at all', () => {
    expect(parseProjectConfig(undefined, FILE)).toEqual({});
    const full = {
      targets: ['host', 'node:22-alpine'],
      strict: true,
      ignore: ['fsevents', 'SOURCE_BUILD_REQUIRED'],
      allowSourceBuild: ['better-sqlite3'],
    };
    expect(parseProjectConfig(full, FILE)).toEqual(full);
    expect(parseProjectConfig({}, FILE)).toEqual({});
  });

  it.each([
    ['target', { target: ['host'] }],
    ['strcit', { strcit: true }],
    ['allowSourceBuilds', { allowSourceBuild: [], allowSourceBuilds: ['x'] }],
    ['Targets', { Targets: ['host'] }],
  ])('an unknown key (%s) is named, with the known ones', (key, value) => {
    const e = error(value);
    expect(e).toBeInstanceOf(ConfigError);
    expect(e).toMatchObject({ code: 'ECONFIG', key: `nativeGuard.${key}`, file: FILE });
    expect(errorWords(e)).toBe(
      `${FILE}: unknown key "nativeGuard.${key}" (known: targets, strict, ignore, allowSourceBuild)`,
    );
  });

  it.each([
    ['targets', { targets: 'node:22-alpine' }, 'must be an array of strings'],
    ['targets', { targets: ['host', 22] }, 'must be an array of strings'],
    ['ignore', { ignore: { fsevents: true } }, 'must be an array of strings'],
    ['allowSourceBuild', { allowSourceBuild: [null] }, 'must be an array of strings'],
    ['strict', { strict: 'yes' }, 'must be true or false'],
    ['strict', { strict: 1 }, 'must be true or false'],
  ])('a bad type of %s names the key', (key, value, words) => {
    const e = error(value);
    expect(e.key).toBe(`nativeGuard.${key}`);
    expect(errorWords(e)).toBe(`${FILE}: "nativeGuard.${key}" ${words}`);
  });

  it.each([['string'], [['host']], [null], [3]])(
    'a block that is not an object (%j) names "nativeGuard"',
    (value) => {
      expect(error(value)).toMatchObject({ key: 'nativeGuard' });
      expect(errorWords(error(value))).toBe(`${FILE}: "nativeGuard" must be an object`);
    },
  );

  it('readProjectConfig: no package.json is no config; a broken one is one line', () => {
    expect(readProjectConfig(join(tmp.dir, 'nowhere'))).toEqual({});
    const dir = writeProject(join(tmp.dir, 'broken-json'), {});
    writeFileSync(join(dir, 'package.json'), '{ "name": "x", }');
    expect(() => readProjectConfig(dir)).toThrow(ConfigError);
    expect(thrownWords(() => readProjectConfig(dir))).toMatch(/package\.json: invalid JSON/);
  });
});

describe('applyIgnore', () => {
  const build = (pkg: string) =>
    makeFinding(
      'SOURCE_BUILD_REQUIRED',
      { package: pkg, location: `node_modules/${pkg.replace(/@[^@]*$/, '')}` },
      { builder: 'node-gyp', toolchainKnown: true, details: [] },
    );
  const script = (pkg: string) =>
    makeFinding('INSTALL_SCRIPT_UNKNOWN', { package: pkg }, { event: 'install', script: 'x' });

  it('drops by code and by package name (scoped names included), and counts what it dropped', () => {
    const findings = [build('a@1.0.0'), script('@scope/b@2.0.0'), script('c@1.0.0')];
    expect(applyIgnore(findings, { ignore: ['INSTALL_SCRIPT_UNKNOWN'] })).toEqual({
      kept: [findings[0]],
      ignored: 2,
    });
    expect(applyIgnore(findings, { ignore: ['@scope/b'] })).toEqual({
      kept: [findings[0], findings[2]],
      ignored: 1,
    });
    expect(applyIgnore(findings, {})).toEqual({ kept: findings, ignored: 0 });
  });

  it('allowSourceBuild drops only the SOURCE_BUILD_REQUIRED warning of the packages it names', () => {
    const findings = [build('a@1.0.0'), build('b@1.0.0'), script('a@1.0.0')];
    expect(applyIgnore(findings, { allowSourceBuild: ['a'] })).toEqual({
      kept: [findings[1], findings[2]],
      ignored: 1,
    });
  });
});

describe('every command reads the config', () => {
  it('docker honours "ignore" (by code), and counts it', async () => {
    const dir = writeProject(join(tmp.dir, 'docker'), {
      files: {
        Dockerfile: 'FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nCMD ["node", "."]\n',
        'node_modules/x/package.json': '{"name":"x","version":"1.0.0"}',
        'node_modules/x/build/Release/x.node': { copy: addon('glibc-new') },
      },
    });
    const io = { isTTY: false, env: { NO_COLOR: '1' }, cwd: dir };
    const plain = await dockerCommand.run([], io);
    expect(plain.stdout).toContain('DOCKERIGNORE_MISSES_NODE_MODULES');
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'app', nativeGuard: { ignore: ['DOCKERIGNORE_MISSES_NODE_MODULES'] } }),
    );
    const ignored = await dockerCommand.run([], io);
    expect(ignored.stdout).not.toContain('DOCKERIGNORE_MISSES_NODE_MODULES');
    expect(ignored.stdout).toMatch(/1 ignored by config\n$/);
    const json = JSON.parse((await dockerCommand.run(['--json'], io)).stdout) as { ignored: number };
    expect(json.ignored).toBe(1);
  });

  it('docker with a config that does not validate: the same one-line error as check', async () => {
    const dir = writeProject(join(tmp.dir, 'docker-bad'), {
      root: { nativeGuard: { ignroe: [] } },
      files: { Dockerfile: 'FROM node:22-alpine\n' },
    });
    await expect(dockerCommand.run([], { isTTY: false, env: {}, cwd: dir })).rejects.toMatchObject({
      code: 'ECONFIG',
      key: 'nativeGuard.ignroe',
    });
  });
});
