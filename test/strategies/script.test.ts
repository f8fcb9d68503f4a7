import { describe, expect, it } from 'vitest';
import { classifyCommand, splitScript } from '../../src/strategies/script.js';

const kinds = (script: string) => splitScript(script).map((c) => [classifyCommand(c.argv).kind, c.next]);

describe('splitScript', () => {
  it('splits fallbacks and sequences', () => {
    expect(kinds('prebuild-install || node-gyp rebuild --release')).toEqual([
      ['prebuild-install', '||'],
      ['source-build', null],
    ]);
    expect(kinds('node-gyp configure && node-gyp build; echo done')).toEqual([
      ['source-build', '&&'],
      ['source-build', ';'],
      ['noop', null],
    ]);
  });

  it('keeps quoted operators inside words', () => {
    const [cmd] = splitScript(`node -e "a || b" 'x && y'`);
    expect(cmd?.argv).toEqual(['node', '-e', 'a || b', 'x && y']);
  });

  it('drops env assignments and runner prefixes', () => {
    expect(splitScript('CXXFLAGS=-O2 npx --yes prebuild-install -r napi')[0]?.argv).toEqual([
      'prebuild-install',
      '-r',
      'napi',
    ]);
    expect(splitScript('cross-env FOO=1 node-gyp-build')[0]?.argv).toEqual(['node-gyp-build']);
    expect(splitScript('npm exec -- node-pre-gyp install')[0]?.argv).toEqual(['node-pre-gyp', 'install']);
  });

  it('names tools run from node_modules paths', () => {
    expect(splitScript('./node_modules/.bin/prebuild-install')[0]?.argv[0]).toBe('prebuild-install');
    expect(classifyCommand(['node', './node_modules/prebuild-install/bin.js', '--verbose'])).toEqual({
      kind: 'prebuild-install',
      args: ['--verbose'],
    });
  });
});

describe('classifyCommand', () => {
  it('recognises every convention', () => {
    expect(classifyCommand(['node-gyp-build'])).toEqual({ kind: 'node-gyp-build', optionalPackages: false });
    expect(classifyCommand(['node-gyp-build-optional-packages'])).toEqual({
      kind: 'node-gyp-build',
      optionalPackages: true,
    });
    expect(classifyCommand(['node-pre-gyp', 'install', '--fallback-to-build'])).toEqual({
      kind: 'node-pre-gyp',
      args: ['install', '--fallback-to-build'],
      fallbackToBuild: true,
    });
    expect(classifyCommand(['node-pre-gyp', 'install'])).toMatchObject({ fallbackToBuild: false });
    expect(classifyCommand(['cmake-js', 'compile'])).toEqual({ kind: 'source-build', builder: 'cmake-js' });
    expect(classifyCommand(['node', 'install/check'])).toEqual({
      kind: 'node-script',
      file: 'install/check',
    });
    expect(classifyCommand(['husky', 'install'])).toEqual({ kind: 'other' });
  });
});
