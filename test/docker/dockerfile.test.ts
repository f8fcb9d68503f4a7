import { describe, expect, it } from 'vitest';
import { expandVariables, parseDockerfile } from '../../src/docker/dockerfile.js';
import type { CopyStep, RunStep } from '../../src/docker/dockerfile.js';
import { readShell } from '../../src/docker/shell.js';

const copies = (text: string, stage = -1) => {
  const m = parseDockerfile(text);
  return m.stages.at(stage)!.steps.filter((s): s is CopyStep => s.kind === 'copy');
};
const runs = (text: string) =>
  parseDockerfile(text)
    .stages.at(-1)!
    .steps.filter((s): s is RunStep => s.kind === 'run');

describe('expandVariables', () => {
  const vars = { A: 'x', EMPTY: '', NULL: null };
  it.each([
    ['$A', 'x'],
    ['${A}', 'x'],
    ['pre-${A}-post', 'pre-x-post'],
    ['${MISSING:-def}', 'def'],
    ['${EMPTY:-def}', 'def'],
    ['${EMPTY-def}', ''],
    ['${A:+alt}', 'alt'],
    ['${MISSING:+alt}', ''],
    ['${MISSING:-${A}}', 'x'],
    ['\\$A', '$A'],
    ['${unclosed', '${unclosed'],
  ])('%s → %s', (text, value) => {
    expect(expandVariables(text, vars).value).toBe(value);
  });

  it('reports names without a value, or keeps them when asked', () => {
    expect(expandVariables('node:${V}-alpine', {}).unresolved).toEqual(['V']);
    expect(expandVariables('$HOME/app', {}, '\\', true).value).toBe('$HOME/app');
  });
});

describe('parseDockerfile', () => {
  it('resolves global ARG defaults in FROM, and --build-arg overrides them', () => {
    const text = 'ARG NODE_VERSION=22\nARG VARIANT=alpine\nFROM node:${NODE_VERSION}-${VARIANT} AS app\n';
    expect(parseDockerfile(text).stages[0]).toMatchObject({
      image: 'node:22-alpine',
      name: 'app',
      baseStage: null,
    });
    expect(parseDockerfile(text, { buildArgs: { NODE_VERSION: '24' } }).stages[0]!.image).toBe(
      'node:24-alpine',
    );
  });

  it('a build arg applies only to a declared ARG', () => {
    const m = parseDockerfile('FROM node:${V:-20}\n', { buildArgs: { V: '24' } });
    expect(m.stages[0]!.image).toBe('node:20');
  });

  it('reports an ARG without a value in FROM', () => {
    const m = parseDockerfile('ARG V\nFROM node:${V}-slim\n');
    expect(m.stages[0]!.image).toBe('node:-slim');
    expect(m.problems).toEqual([{ reason: 'unresolved-variable', line: 2, name: 'V' }]);
  });

  it('reads --platform, with the automatic platform ARGs', () => {
    const text =
      'FROM --platform=$BUILDPLATFORM node:22 AS build\nFROM --platform=linux/arm64 node:22-slim\n';
    const m = parseDockerfile(text, { platformArgs: { BUILDPLATFORM: 'linux/amd64' } });
    expect(m.stages.map((s) => s.platform)).toEqual(['linux/amd64', 'linux/arm64']);
  });

  it('links stages by name (case-insensitive) and tracks WORKDIR across them', () => {
    const text = 'FROM node:22 AS Build\nWORKDIR /app\nRUN npm ci\nFROM build AS test\nCOPY . .\n';
    const m = parseDockerfile(text);
    expect(m.stages[1]).toMatchObject({ baseStage: 0, name: 'test' });
    expect((m.stages[1]!.steps[0] as CopyStep).dest).toBe('/app/');
  });

  it('reads COPY and ADD: flags, JSON form, destinations against WORKDIR, heredocs and URLs skipped', () => {
    const text = [
      'FROM node:22',
      'WORKDIR /srv',
      'WORKDIR app',
      'COPY --from=build --chown=node:node /app/node_modules ./node_modules',
      'COPY ["a b", "c/"]',
      'COPY --exclude=**/*.node . .',
      'COPY <<EOF /x.txt',
      'hello',
      'EOF',
      'ADD https://example.com/x.tgz /opt/',
      'ADD vendor.tgz /opt/',
      'COPY package.json package-lock.json ./',
    ].join('\n');
    expect(copies(text)).toMatchObject([
      { from: 'build', sources: ['/app/node_modules'], dest: '/srv/app/node_modules' },
      { from: null, sources: ['a b'], dest: '/srv/app/c/' },
      { from: null, sources: ['.'], dest: '/srv/app/', exclude: ['**/*.node'] },
      { instruction: 'ADD', sources: ['vendor.tgz'], dest: '/opt/' },
      { sources: ['package.json', 'package-lock.json'], dest: '/srv/app/' },
    ]);
  });

  it('expands ENV and stage ARGs in COPY and WORKDIR', () => {
    const text = 'ARG DIR=/w\nFROM node:22\nARG DIR\nENV APP=$DIR/app\nWORKDIR $APP\nCOPY . $HOME/x\n';
    expect(copies(text)[0]!.dest).toBe('/w/app/$HOME/x');
  });

  it.each([
    ['', 'empty'],
    ['   \n# only a comment\n', 'empty'],
    ['RUN echo hi\n', 'instruction-before-from'],
    ['FROM\n', 'bad-from'],
    ['FROM node:22 AS\n', 'bad-from'],
    ['\u0000\u0001garbage\n\\\\\\\n FROM', 'instruction-before-from'],
    ['FROM node:22\nCOPY --from=later /a /b\nFROM node:22 AS later\n', 'unknown-stage'],
  ])('never throws on bad input: %j → %s', (text, reason) => {
    const m = parseDockerfile(text);
    expect(m.problems.map((p) => p.reason)).toContain(reason);
  });

  it('a stage can have no FROM image at all and still be reported, not crash', () => {
    const m = parseDockerfile('RUN x\n');
    expect(m.stages).toEqual([]);
    expect(m.problems.map((p) => p.reason)).toEqual(['instruction-before-from', 'no-from']);
  });

  it('reads RUN lines with continuations, comments inside them, and heredocs', () => {
    const text = [
      'FROM node:22-alpine',
      'RUN apk add --no-cache --virtual .build-deps \\',
      '    python3 \\',
      '    # a comment inside a continuation',
      '    make g++ \\',
      ' && npm ci \\',
      ' && apk del .build-deps',
      'RUN <<EOT sh',
      '  set -e',
      '  apt-get update',
      '  apt-get install -y --no-install-recommends build-essential python3',
      'EOT',
      'RUN --mount=type=cache,target=/root/.npm npx native-guard verify',
    ].join('\n');
    const [first, heredoc, verify] = runs(text);
    expect(first!.shell.toolInstalls).toEqual([{ at: 0, python: true, make: true, cxx: true }]);
    expect(first!.shell.npm).toEqual([{ kind: 'npm-ci', at: 1 }]);
    expect(heredoc!.shell.toolInstalls).toEqual([{ at: 3, python: true, make: true, cxx: true }]);
    expect(verify!.shell.verify).toBe(true);
  });
});

describe('readShell', () => {
  it.each([
    [
      'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y python3 make g++',
      [true, true, true],
    ],
    ['apt-get -y install python3=3.11.2-1 g++-12', [true, false, true]],
    ['apk --no-cache add build-base', [false, true, true]],
    ['yum install -y gcc-c++ make python3', [true, true, true]],
    ['sudo dnf -y install python3-devel', [true, false, false]],
    ['apk add --virtual python3 make', [false, true, false]],
    ['apt-get remove python3', null],
    ['echo apt-get install python3', null],
  ])('%s', (text, tools) => {
    const installs = readShell(text).toolInstalls;
    if (tools === null) expect(installs).toEqual([]);
    else expect(installs.map((t) => [t.python, t.make, t.cxx])).toContainEqual(tools);
  });

  it.each([
    ['npm ci --omit=dev', 'npm-ci'],
    ['npm install --production', 'npm-install'],
    ['/usr/local/bin/npm i', 'npm-install'],
    ['npm rebuild better-sqlite3', 'npm-rebuild'],
    ['yarn --frozen-lockfile', 'yarn-install'],
    ['pnpm install --prod', 'pnpm-install'],
  ])('%s is %s', (text, kind) => {
    expect(readShell(text).npm[0]?.kind).toBe(kind);
  });

  it('npm run and npm test install nothing', () => {
    expect(readShell('npm run build && npm test').npm).toEqual([]);
  });
});

describe('variable expansion is bounded', () => {
  it('a value that grows past 4096 characters is cut there and reported at its line', () => {
    const lines = ['FROM node:22-alpine', `ARG A0=${'x'.repeat(100)}`];
    for (let i = 1; i <= 12; i++) lines.push(`ARG A${i}=${`$A${i - 1}`.repeat(10)}`);
    lines.push('WORKDIR /app/$A12');
    const model = parseDockerfile(lines.join('\n'));
    expect(model.problems).toEqual([expect.objectContaining({ reason: 'value-too-long', line: 4 })]);
    expect(model.stages[0]!.image).toBe('node:22-alpine');
  });

  it('all expansions together stop at 16 MiB, reported once', () => {
    const lines = ['FROM node:22-alpine', `ARG A=${'x'.repeat(4096)}`];
    for (let i = 0; i < 5000; i++) lines.push(`ENV E${i}=$A`);
    const model = parseDockerfile(lines.join('\n'));
    const cut = model.problems.filter((p) => p.reason === 'value-too-long');
    expect(cut).toHaveLength(1);
    expect(cut[0]).toMatchObject({ cut: 'total', limit: 16 * 1024 * 1024 });
  });

  it('defaults nested 100,000 deep: past 32 levels the text stays as written, cut at 4096', () => {
    const nest = (n: number) => '${A:-'.repeat(n) + 'x' + '}'.repeat(n);
    const r = expandVariables(nest(100_000), {});
    expect(r.value).toBe(nest(100_000 - 32).slice(0, 4096));
  });
});
