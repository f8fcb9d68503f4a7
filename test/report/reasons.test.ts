import { describe, expect, it } from 'vitest';
import { compileIgnore } from '../../src/docker/ignore.js';
import { parseDockerfile } from '../../src/docker/dockerfile.js';
import { makeFinding } from '../../src/model/findings.js';
import { findingJson } from '../../src/report/json.js';

/** docker/ hands back coded problems; the JSON keeps the `detail` words it always had. */
const dockerfileJson = (text: string) =>
  parseDockerfile(text).problems.map((p) => {
    const f = findingJson(
      makeFinding('DOCKERFILE_PROBLEM', { location: 'Dockerfile' }, { file: 'Dockerfile', ...p }),
    );
    return { message: f.message, detail: (f.evidence as { detail: string }).detail };
  });

const ignoreJson = (text: string) =>
  compileIgnore(text).problems.map((p) => {
    const { line, pattern, problem, char } = p;
    const evidence = { file: '.dockerignore', line, reason: 'bad-ignore-pattern' as const, pattern, problem };
    const f = findingJson(
      makeFinding(
        'DOCKERFILE_PROBLEM',
        { location: '.dockerignore' },
        char === undefined ? evidence : { ...evidence, char },
      ),
    );
    return (f.evidence as { detail: string }).detail;
  });

describe('Dockerfile problems: codes from docker/, words from report/', () => {
  it('each Dockerfile problem keeps its JSON detail and message', () => {
    expect(dockerfileJson('')).toEqual([
      { message: 'Dockerfile: the Dockerfile is empty', detail: 'the Dockerfile is empty' },
    ]);
    expect(dockerfileJson('# a comment\n')).toEqual([
      {
        message: 'Dockerfile: the Dockerfile has no instructions',
        detail: 'the Dockerfile has no instructions',
      },
    ]);
    expect(dockerfileJson('RUN npm ci\n').map((p) => p.detail)).toEqual([
      'RUN before the first FROM (only ARG may come first)',
      'no FROM instruction',
    ]);
    expect(dockerfileJson('ARG V\nFROM node:${V}-slim\n')).toEqual([
      { message: 'Dockerfile:2: $V has no value', detail: '$V has no value' },
    ]);
    expect(dockerfileJson('FROM node:22 AS\n').map((p) => p.detail)).toEqual([
      'cannot read "FROM node:22 AS"',
    ]);
    expect(dockerfileJson('FROM node:22\nCOPY --from=later /a /b\nFROM node:22 AS later\n')).toEqual([
      {
        message: 'Dockerfile:2: --from=later names a stage defined later (or itself)',
        detail: '--from=later names a stage defined later (or itself)',
      },
    ]);
    expect(
      dockerfileJson(`FROM node:22\nARG A=${'x'.repeat(5000)}\nENV B=$A\n`).map((p) => p.detail),
    ).toEqual([
      'a variable expands to more than 4096 characters here; native-guard reads only that much of it',
    ]);
  });

  it('each .dockerignore pattern problem keeps its JSON detail', () => {
    expect(ignoreJson('!\na[\n[z-a]\n[\\d-z]\na\\q\na\\é\n')).toEqual([
      '!: illegal exclusion pattern "!"',
      'a[: syntax error in pattern',
      '[z-a]: invalid character class range',
      '[\\d-z]: a class range with \\d, \\s or \\w',
      'a\\q: \\q: an escape native-guard does not read as Docker would',
      "a\\é: \\é: an escape Docker's regular expression rejects",
    ]);
  });
});
