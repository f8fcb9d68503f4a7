import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  abbreviations,
  parseMinimist,
  parseNopt,
  type NoptConfig,
} from '../../../src/strategies/download/argv.js';
import { toolDir, type ToolName } from './run-tool.js';

type Minimist = (args: string[], opts: { alias: Record<string, string> }) => Record<string, unknown>;
type Nopt = (types: object, shorthands: object, args: string[], slice: number) => Record<string, unknown>;
type RunClass = { prototype: { configDefs: Record<string, unknown>; shorthands: Record<string, string> } };

const ALIASES = {
  target: 't',
  runtime: 'r',
  help: 'h',
  arch: 'a',
  path: 'p',
  version: 'v',
  download: 'd',
  buildFromSource: 'build-from-source',
  token: 'T',
};

const MINIMIST_CASES: string[][] = [
  [],
  ['-r', 'napi'],
  ['--runtime', 'napi', '--target', '6'],
  ['-t', '22.21.1', '-a', 'arm64'],
  ['-t', '22.0'],
  ['--tag-prefix', 'release-'],
  ['--tag-prefix='],
  ['--tag-prefix'],
  ['-d', 'https://mirror.example.com/{name}.tgz'],
  ['--download=https://x/{version}'],
  ['--build-from-source'],
  ['--build-from-source=false'],
  ['--no-build-from-source'],
  ['--force', '--verbose'],
  ['-r=napi'],
  ['-rt', '3'],
  ['-t3'],
  ['--libc', 'musl', '--platform', 'linux'],
  ['--debug', 'true'],
  ['--download', '--tag-prefix', 'x'],
  ['-r', 'napi', '-r', 'node'],
  ['--path', '.', '--', '--download', 'ignored'],
  ['-d', '-', '--token', 'abc'],
  ['--local-prebuilds', 'vendor'],
  ['-T', '0x1f'],
];

describe('parseMinimist', () => {
  const minimist = createRequire(path.join(toolDir('prebuild-install@7'), 'package.json'))(
    'minimist',
  ) as Minimist;
  it.each(MINIMIST_CASES.map((args) => ({ args, title: JSON.stringify(args) })))(
    '$title as minimist reads it',
    ({ args }) => {
      const { _: _positionals, ...expected } = minimist(args, { alias: ALIASES });
      expect(parseMinimist(args, ALIASES)).toEqual(expected);
    },
  );
});

const NOPT_CASES: string[][] = [
  ['install', '--fallback-to-build'],
  ['install', '--fallback-to-build=false'],
  ['install', '--fallback-to-build', 'false'],
  ['install', '--fallback-to-build', '--update-binary'],
  ['install', '--target=22.0.0', '--target_arch=arm64', '--target_platform=darwin', '--target_libc=musl'],
  ['install', '--target_arch', 'arm64'],
  ['install', '--runtime=electron', '--target=33.0.0'],
  ['install', '--build-from-source'],
  ['install', '--build-from-source=sqlite3'],
  ['install', '--no-fallback-to-build'],
  ['install', '--debug'],
  ['install', 'debug'],
  ['install', '--release'],
  ['install', '--debug=false'],
  ['install', '--debug', 'false'],
  ['install', '--deb'],
  ['install', '--dir', 'sub'],
  ['install', '-C', 'sub'],
  ['install', '-C=sub'],
  ['install', '--directory'],
  ['install', '--directory', '--debug'],
  ['install', '--s3_host=staging'],
  ['install', '--toolset=v142'],
  ['install', '--target=3'],
  ['install', '--target= 3 '],
  ['install', '--loglevel', 'silly'],
  ['install', '--silly'],
  ['install', '-v'],
  ['install', '-j', '4'],
  ['install', '--x=null', '--x=true'],
  ['install', '--no-no-debug'],
  ['-xy', 'install'],
  ['--', 'install', '--fallback-to-build'],
  ['install', '--arch', 'arm64'],
  ['install', '--no-arch'],
  ['reinstall', 'napi_build_version=3', 'clean'],
];

const TOOLS: Array<{ tool: ToolName; nopt: string }> = [
  { tool: '@mapbox/node-pre-gyp@2', nopt: 'nopt@8' },
  { tool: '@mapbox/node-pre-gyp@1', nopt: 'nopt@5' },
  { tool: 'node-pre-gyp@0.17', nopt: 'nopt@4' },
];

describe.each(TOOLS)('parseNopt with the options of $tool ($nopt)', ({ tool }) => {
  const load = createRequire(path.join(toolDir(tool), 'package.json'));
  const nopt = load('nopt') as Nopt;
  const { configDefs, shorthands: shared } = (load('./lib/node-pre-gyp.js') as { Run: RunClass }).Run
    .prototype;
  // nopt caches split shorthands in the object it is given: keep the strings node-pre-gyp declares
  const shorthands = JSON.parse(JSON.stringify(shared)) as Record<string, string>;
  const config: NoptConfig = {
    types: Object.fromEntries(
      Object.entries(configDefs).map(([k, t]) => [
        k,
        t === Boolean ? ('boolean' as const) : ('string' as const),
      ]),
    ),
    shorthands,
  };
  it.each(NOPT_CASES.map((args) => ({ args, title: JSON.stringify(args) })))(
    '$title as nopt reads it',
    ({ args }) => {
      const { argv, ...opts } = nopt(configDefs, { ...shorthands }, [...args], 0) as {
        argv: { remain: string[] };
      };
      expect(parseNopt(args, config)).toEqual({ opts, remain: argv.remain });
    },
  );
});

describe('abbreviations', () => {
  it('matches the abbrev package', () => {
    const abbrev = createRequire(path.join(toolDir('@mapbox/node-pre-gyp@2'), 'package.json'))('abbrev') as (
      words: string[],
    ) => Record<string, string>;
    for (const words of [
      ['help', 'arch', 'debug', 'directory', 'proxy', 'loglevel', 'acl'],
      ['release', 'C', 'debug', 'j', 'silent', 'silly', 'verbose'],
      ['foo', 'foobar', 'fob'],
    ]) {
      expect(abbreviations(words)).toEqual({ ...abbrev(words) });
    }
  });
});
