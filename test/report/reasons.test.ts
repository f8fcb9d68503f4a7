import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeDockerBuild } from '../../src/docker/analyze.js';
import { fakeHost } from '../helpers/targets.js';
import { loadInstalledTree } from '../../src/tree/actual.js';
import { treeProblemFindings } from '../../src/tree/problems.js';
import { materializeCase } from '../robustness/corpus.js';
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

describe('tree problems: codes from tree/, words from report/', () => {
  const work = mkdtempSync(join(tmpdir(), 'ng-reasons-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** The JSON `detail` of each tree finding of a corpus case, by location. */
  const details = async (name: string) => {
    const dir = join(work, name);
    materializeCase(name, dir);
    const tree = await loadInstalledTree(dir);
    return Object.fromEntries(
      treeProblemFindings(tree.problems).map((f) => {
        const json = findingJson(f);
        return [json.location, (json.evidence as { detail: string }).detail];
      }),
    );
  };

  it('each installed-tree problem keeps its JSON detail', async () => {
    expect(await details('dangling-link')).toEqual({
      'node_modules/gone': 'link target ../vanished/gone does not exist',
    });
    expect(await details('scope-is-file')).toEqual({
      'node_modules/@scope': 'node_modules/@scope is not a folder: nothing in it can be installed or loaded',
    });
    expect(await details('missing-name-version')).toEqual({
      'node_modules/nameless': 'no "name" and no "version": reported as nameless@0.0.0',
    });
    expect(await details('package-json-fifo')).toMatchObject({
      'node_modules/fifo-pkg': 'package.json is not a regular file (a FIFO, socket, device or dangling link)',
    });
    expect(Object.values(await details('case-duplicates'))).toEqual([
      expect.stringMatching(
        /^(Native-Dup and native-dup|native-dup and Native-Dup) differ only in case: one folder on macOS and Windows, and npm keeps only one of them$/,
      ),
    ]);
    expect(await details('link-to-ancestor')).toEqual({
      'node_modules/file-link': expect.stringMatching(/^link target \S+ is not a folder$/),
      'node_modules/nm-self': expect.stringMatching(/^link target \S+ has no package\.json$/),
    });
    expect(await details('symlink-loop')).toMatchObject({
      'node_modules/loop-a': expect.stringMatching(/^symbolic link cycle \(loop-a -> \S+\)$/),
    });
  });
});

describe('base images native-guard does not know: codes from docker/, words from report/', () => {
  const work = mkdtempSync(join(tmpdir(), 'ng-base-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** The JSON `detail` of the DOCKER_BASE_IMAGE_UNKNOWN finding for a Dockerfile. */
  const detail = (name: string, text: string) => {
    const root = join(work, name);
    mkdirSync(root);
    writeFileSync(join(root, 'Dockerfile'), text);
    const analysis = analyzeDockerBuild({
      root,
      dockerfile: 'Dockerfile',
      targetContext: { host: fakeHost(), today: '2026-11-25' },
      readFacts: () => {
        throw new Error('no binary is read here');
      },
    });
    const f = analysis.findings.find((x) => x.code === 'DOCKER_BASE_IMAGE_UNKNOWN')!;
    return (findingJson(f).evidence as { detail: string }).detail;
  };

  it('each reason keeps its JSON detail', () => {
    expect(detail('scratch', 'FROM scratch\nRUN npm ci\n')).toBe('FROM scratch has no Node');
    expect(detail('unresolved', 'ARG BASE\nFROM $BASE\nRUN npm ci\n')).toBe('FROM (empty)');
    expect(detail('platform', 'FROM --platform=windows/amd64 node:22\nRUN npm ci\n')).toBe(
      '--platform=windows/amd64 is not a Linux platform native-guard knows',
    );
    expect(detail('old', 'FROM node:16-alpine\nRUN npm ci\n')).toMatch(/16/);
  });
});
