import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { DockerfileError } from '../../src/docker/analyze.js';
import { DockerPlanError } from '../../src/docker/plan.js';
import { InitError } from '../../src/hooks/init-plan.js';
import { makeFinding } from '../../src/model/findings.js';
import { LoaderStartError } from '../../src/probe/jobs.js';
import { errorMessage, errorWords } from '../../src/report/error-words.js';
import { findingJson } from '../../src/report/json.js';
import { baseImageWords, treeProblemWords } from '../../src/report/reasons.js';
import { targetErrorDetail } from '../../src/report/target-error-words.js';
import { TargetError } from '../../src/targets/errors.js';
import type { TargetErrorFact, TargetErrorReason } from '../../src/targets/errors.js';
import { TreeError } from '../../src/tree/actual.js';
import { VerifyError } from '../../src/verify/node.js';

/** The domain throws a code and its arguments; report/ says it, in the words the CLI always printed. */
describe('error words: codes from the domain, sentences from report/', () => {
  it('tree: each reason a tree cannot be loaded', () => {
    const cases: Array<[TreeError, string]> = [
      [
        new TreeError({ why: 'no-package-json', root: '/p' }, 'ENOPACKAGEJSON', '/p'),
        'no package.json in /p',
      ],
      [
        new TreeError(
          { why: 'cannot-read', file: '/p/.npmrc', error: 'EACCES: permission denied' },
          'EACCES',
          '/p',
        ),
        'cannot read /p/.npmrc: EACCES: permission denied',
      ],
      [
        new TreeError(
          { why: 'not-regular', file: '/p/package-lock.json', folder: false, reader: 'project' },
          'ENOTREG',
          '/p',
        ),
        '/p/package-lock.json is not a regular file (a FIFO, socket or device): npm and native-guard cannot read it',
      ],
      [
        new TreeError(
          { why: 'not-regular', file: '/p/x', folder: true, reader: 'hidden-lockfile' },
          'EISDIR',
          '/p',
        ),
        "/p/x is a folder: npm's tree reader cannot read it; remove it (npm writes it again on the next install)",
      ],
      [
        new TreeError(
          {
            why: 'too-large',
            file: '/p/package.json',
            limit: 64 * 1024 * 1024,
            size: 70_000_000,
            reader: 'project',
          },
          'EFBIG',
          '/p',
        ),
        '/p/package.json is larger than 64 MiB (70000000 bytes): npm and native-guard cannot read it',
      ],
      [
        new TreeError({ why: 'installed-tree', root: '/p', error: 'boom' }, 'ETREE', '/p'),
        'cannot read the installed tree at /p: boom',
      ],
      [
        new TreeError({ why: 'lockfile-tree', root: '/p', error: 'boom' }, 'ETREE', '/p'),
        'cannot read the lockfile tree at /p: boom',
      ],
      [
        new TreeError(
          {
            why: 'lockfile-unreadable',
            file: '/p/package-lock.json',
            code: 'EJSONPARSE',
            detail: 'Unexpected token',
          },
          'ELOCKFILE',
          '/p',
        ),
        'cannot read /p/package-lock.json: EJSONPARSE: Unexpected token',
      ],
      [
        new TreeError(
          { why: 'lockfile-unreadable', file: '/p/yarn.lock', code: 'syntax', detail: null },
          'ELOCKFILE',
          '/p',
        ),
        'cannot read /p/yarn.lock: syntax',
      ],
      [
        new TreeError({ why: 'no-lockfile', root: '/p' }, 'ENOLOCKFILE', '/p'),
        'no node_modules and no package-lock.json or npm-shrinkwrap.json in /p: run `npm install --package-lock-only` first',
      ],
      [
        new TreeError({ why: 'binary-lockfile', lockfile: 'bun.lockb' }, 'EBINARYLOCKFILE', '/p/bun.lockb'),
        "bun.lockb is Bun's binary lockfile, which native-guard does not read: save a text lockfile: bun install --save-text-lockfile",
      ],
      [
        new TreeError(
          { why: 'too-many-packages', file: '/p/pnpm-lock.yaml', limit: 200000 },
          'ETOOLARGE',
          '/p',
        ),
        '/p/pnpm-lock.yaml places more than 200000 packages',
      ],
    ];
    for (const [err, words] of cases) expect(errorWords(err)).toBe(words);
  });

  it('init: each reason package.json is left as it is', () => {
    const file = '/p/package.json';
    const cases: Array<[InitError, string]> = [
      [new InitError({ why: 'no-package-json', root: '/p' }, 'ENOPACKAGEJSON'), 'no package.json in /p'],
      [new InitError({ why: 'cannot-read', file, error: 'ENOTREG' }), `${file}: cannot read it (ENOTREG)`],
      [
        new InitError({ why: 'not-utf8', file }),
        `${file}: not valid UTF-8 (npm reads it as UTF-8 too): fix its encoding, then run init again`,
      ],
      [
        new InitError({ why: 'invalid-json', file, error: 'Unexpected token }' }),
        `${file}: Unexpected token }`,
      ],
      [new InitError({ why: 'not-an-object', file }), `${file}: not a JSON object`],
      [
        new InitError({ why: 'workspaces-unreadable', file, error: 'bad glob' }),
        `${file}: cannot read "workspaces": bad glob`,
      ],
      [
        new InitError({ why: 'workspace-member', root: '/m/packages/a', owner: '/m' }),
        '/m/packages/a is a workspace of /m: the hooks belong in the root, whose install checks every workspace. ' +
          'Run "native-guard init" there (-C /m)',
      ],
      [new InitError({ why: 'scripts-not-object', file }), `${file}: "scripts" must be an object`],
      [
        new InitError({ why: 'script-not-string', file, event: 'preinstall' }),
        `${file}: "scripts.preinstall" must be a string`,
      ],
      [
        new InitError({ why: 'script-empty', file, event: 'postinstall' }),
        `${file}: "scripts.postinstall" is an empty string: delete it or give it a command, then run init again`,
      ],
      [
        new InitError({
          why: 'config-differs',
          file,
          settings: [
            ['targets', ['node:22-alpine']],
            ['strict', true],
          ],
        }),
        `${file} already has a "nativeGuard" block: set "targets": ["node:22-alpine"], "strict": true in it by hand ` +
          '(init writes only a new block, so that "init --remove" never has an old one to rebuild)',
      ],
      [
        new InitError({ why: 'duplicate-key', file, label: 'scripts', count: 2 }),
        `${file}: "scripts" is written 2 times (npm reads only the last): keep one, then run init again`,
      ],
      [
        new InitError({ why: 'edit-unsafe', file }),
        `${file}: init could not edit this file safely, so it left it unchanged (a bug: please report it)`,
      ],
      [
        new InitError({ why: 'cannot-write', file, error: 'EROFS' }, 'EWRITE'),
        `cannot write ${file} (EROFS): it is unchanged`,
      ],
    ];
    for (const [err, words] of cases) expect(errorWords(err)).toBe(words);
  });

  it('config: each way the nativeGuard block fails to validate', () => {
    const file = '/p/package.json';
    const cases: Array<[ConfigError, string]> = [
      [
        new ConfigError({ why: 'not-an-object', file }, 'nativeGuard'),
        `${file}: "nativeGuard" must be an object`,
      ],
      [
        new ConfigError(
          { why: 'unknown-key', file, key: 'strcit', known: ['targets', 'strict'] },
          'nativeGuard.strcit',
        ),
        `${file}: unknown key "nativeGuard.strcit" (known: targets, strict)`,
      ],
      [
        new ConfigError({ why: 'not-string-list', file, key: 'ignore' }, 'nativeGuard.ignore'),
        `${file}: "nativeGuard.ignore" must be an array of strings`,
      ],
      [
        new ConfigError({ why: 'not-boolean', file, key: 'strict' }, 'nativeGuard.strict'),
        `${file}: "nativeGuard.strict" must be true or false`,
      ],
      [
        new ConfigError({ why: 'invalid-json', file, error: 'Unexpected token' }, 'package.json'),
        `${file}: invalid JSON (Unexpected token)`,
      ],
    ];
    for (const [err, words] of cases) expect(errorWords(err)).toBe(words);
  });

  it('docker: an unreadable Dockerfile or ignore file, a missing context, no FROM, no such stage', () => {
    const unreadable = (code: string | null, limit: number | null = null) =>
      new DockerfileError({
        why: 'unreadable',
        what: 'Dockerfile',
        path: '/p/Dockerfile',
        code,
        limit,
        error: 'oops',
      });
    expect(errorWords(unreadable('ENOTREG'))).toBe(
      'cannot read Dockerfile /p/Dockerfile: not a regular file (a FIFO, socket or device)',
    );
    expect(errorWords(unreadable('EISDIR'))).toBe('cannot read Dockerfile /p/Dockerfile: a folder');
    expect(errorWords(unreadable('EFBIG', 4 * 1024 * 1024))).toBe(
      'cannot read Dockerfile /p/Dockerfile: larger than 4 MiB',
    );
    expect(errorWords(unreadable('EACCES'))).toBe('cannot read Dockerfile /p/Dockerfile: EACCES');
    expect(errorWords(unreadable(null))).toBe('cannot read Dockerfile /p/Dockerfile: oops');
    expect(
      errorWords(
        new DockerfileError({
          why: 'unreadable',
          what: 'ignore file',
          path: '/p/.dockerignore',
          code: 'EFBIG',
          limit: 1000,
          error: '',
        }),
      ),
    ).toBe('cannot read ignore file /p/.dockerignore: larger than 1000 bytes');
    expect(errorWords(new DockerfileError({ why: 'no-context', path: '/p/ctx' }))).toBe(
      'build context /p/ctx does not exist',
    );
    expect(errorWords(new DockerfileError({ why: 'no-dockerfile', path: '/p/D' }))).toBe(
      'no Dockerfile at /p/D',
    );
    expect(errorWords(new DockerPlanError({ why: 'no-from' }))).toBe(
      'the Dockerfile has no FROM instruction',
    );
    expect(
      errorWords(new DockerPlanError({ why: 'no-such-stage', stage: 'x', stages: ['build', '1'] })),
    ).toBe('--docker-target x: no such stage (stages: build, 1)');
  });

  it('verify and the loaders: a --node that is no Node', () => {
    expect(errorWords(new VerifyError({ why: 'no-such-node', spec: '/n' }, 'ENODE'))).toBe(
      '--node /n: no such file',
    );
    expect(errorWords(new VerifyError({ why: 'node-folder-without-bin', spec: '/n' }, 'ENODE'))).toBe(
      '--node /n: a folder without bin/node',
    );
    expect(
      errorWords(
        new LoaderStartError({
          why: 'cannot-start',
          node: '/n',
          detail: 'exited with code 1 before it was ready',
          stderr: 'not node',
        }),
      ),
    ).toBe('cannot start a loader with /n: exited with code 1 before it was ready (not node)');
    expect(
      errorWords(new LoaderStartError({ why: 'cannot-start', node: '/n', detail: 'x', stderr: null })),
    ).toBe('cannot start a loader with /n: x');
    expect(
      errorWords(new LoaderStartError({ why: 'job-not-run', detail: 'the loader exited (code 1)' })),
    ).toBe('a loader could not run a job: the loader exited (code 1)');
  });

  it('a coded error keeps its errno-style code and a short tag as its message, never the sentence', () => {
    const err = new TreeError({ why: 'no-package-json', root: '/p' }, 'ENOPACKAGEJSON', '/p');
    expect(err).toMatchObject({
      code: 'ENOPACKAGEJSON',
      path: '/p',
      name: 'TreeError',
      message: 'tree/no-package-json',
    });
    expect(new ConfigError({ why: 'not-an-object', file: '/f' }, 'nativeGuard')).toMatchObject({
      code: 'ECONFIG',
      file: '/f',
    });
    expect(new InitError({ why: 'edit-unsafe', file: '/f' }).code).toBe('EINIT');
    expect(new DockerPlanError({ why: 'no-from' }).code).toBe('EDOCKERFILE');
    expect(new LoaderStartError({ why: 'job-not-run', detail: '' }).code).toBe('ELOADER');
  });

  it('any other error has no words of ours: errorMessage falls back to its own message', () => {
    expect(errorWords(new Error('x'))).toBeNull();
    expect(errorWords(Object.assign(new Error('/p is a folder'), { code: 'EISDIR', path: '/p' }))).toBeNull();
    expect(errorWords(null)).toBeNull();
    expect(errorWords({ family: 'tree', fact: { why: 'no-package-json', root: '/p' } })).toBeNull();
    expect(errorMessage(new Error('plain'))).toBe('plain');
    expect(errorMessage('text')).toBe('text');
    expect(errorMessage(new VerifyError({ why: 'no-such-node', spec: 'n' }, 'ENODE'))).toBe(
      '--node n: no such file',
    );
  });

  it("a nested project's tree error in a finding: the words in text and JSON, the code in JSON's `tree`", () => {
    const tree = { why: 'installed-tree', root: '/p/sub', error: 'EACCES: permission denied' } as const;
    const f = makeFinding(
      'PACKAGE_JSON_INVALID',
      { location: 'sub' },
      { path: '/p/sub', errorCode: 'ETREE', reason: 'tree-unreadable', tree },
    );
    const words = 'cannot read the installed tree at /p/sub: EACCES: permission denied';
    expect(treeProblemWords(f.evidence)).toBe(words);
    expect(findingJson(f).evidence).toEqual({
      path: '/p/sub',
      errorCode: 'ETREE',
      reason: 'error',
      error: words,
      tree,
      detail: words,
    });
  });
});

const EXAMPLES =
  'Valid targets look like: host, node22-linux-x64-musl, node@22.15.0/linux/arm64/glibc, electron@33, node:22-alpine, node:lts-slim, node:24-bookworm';

describe('target error words: what was written and what is accepted, worded in report/', () => {
  const ARCHES = ['x64', 'arm64', 'arm', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el'];
  const PLATFORMS = ['linux', 'darwin', 'win32', 'freebsd', 'openbsd', 'sunos', 'aix', 'android'];
  const VARIANTS = ['alpine', 'slim', 'alpine3.23', 'bookworm', 'bookworm-slim'];
  const cases: Array<[TargetErrorFact, TargetErrorReason, string]> = [
    [{ spec: '', why: 'empty' }, 'empty', 'empty target'],
    [{ spec: 'nodeX', why: 'unknown-form' }, 'unknown-form', 'not a target form'],
    [
      { spec: 'redis:7', why: 'not-node-image' },
      'not-node-image',
      'only the official node image is known; for another image write its platform as node22-linux-x64-glibc',
    ],
    [
      { spec: 'electron@99', why: 'unknown-electron', version: '99' },
      'unknown-version',
      'node-abi knows no Electron 99',
    ],
    [
      { spec: 'node@abc', why: 'not-a-node-version', version: 'abc' },
      'unknown-version',
      '"abc" is not a Node version',
    ],
    [
      { spec: 'node99', why: 'no-node-release', version: '99', newest: '26.10.0' },
      'unknown-version',
      'no Node 99 in the release data (26.10.0 is the newest it knows)',
    ],
    [
      { spec: 'node99', why: 'no-node-release', version: '99', newest: null },
      'unknown-version',
      'no Node 99 in the release data (none is the newest it knows)',
    ],
    [
      { spec: 'node22-plan9-x64', why: 'unknown-platform', platform: 'plan9', known: PLATFORMS },
      'unknown-platform',
      'unknown platform "plan9" (one of linux, darwin, win32, freebsd, openbsd, sunos, aix, android)',
    ],
    [
      { spec: 'node22-linux-sparc', why: 'unknown-arch', arch: 'sparc', known: ARCHES },
      'unknown-arch',
      'unknown arch "sparc" (one of x64, arm64, arm, ia32, ppc64, s390x, riscv64, loong64, mips64el)',
    ],
    [
      { spec: 'node22-linux-x64-uclibc', why: 'unknown-libc', libc: 'uclibc' },
      'unknown-libc',
      'unknown libc "uclibc" (glibc or musl, optionally glibc2.28, musl1.2.5)',
    ],
    [
      { spec: 'node22-darwin-arm64-musl', why: 'libc-not-linux', platform: 'darwin' },
      'unknown-libc',
      'a libc is only meaningful for linux, not darwin',
    ],
    [
      { spec: 'node:22-foo', why: 'unknown-variant', variant: 'foo', major: 22, known: VARIANTS },
      'unknown-variant',
      'unknown image variant "foo" (node:22 has alpine, slim, alpine3.23, bookworm, bookworm-slim)',
    ],
    [
      { spec: 'node:foo', why: 'unknown-image-tag', tag: 'foo' },
      'unknown-variant',
      'unknown image tag "foo"',
    ],
    [
      { spec: 'node:16', why: 'no-image-for-line', asked: { line: 'major', major: 16 }, lines: [26, 24, 22] },
      'no-image-for-line',
      'no node image data for Node 16 (lines known: 26, 24, 22)',
    ],
    [
      {
        spec: 'node:lts',
        why: 'no-image-for-line',
        asked: { line: 'lts', today: '2030-01-01' },
        lines: [26],
      },
      'no-image-for-line',
      'no node image data for the LTS line on 2030-01-01 (lines known: 26)',
    ],
    [
      { spec: 'node:alpine', why: 'no-image-for-line', asked: { line: 'current' }, lines: [26] },
      'no-image-for-line',
      'no node image data for the current line (lines known: 26)',
    ],
    [
      {
        spec: 'node:26-alpine',
        why: 'arch-not-published',
        major: 26,
        variant: 'alpine3.24',
        arch: 's390x',
        published: ['x64', 'arm64'],
      },
      'arch-not-published',
      'node:26-alpine3.24 is not published for s390x (only x64, arm64); pass --arch',
    ],
  ];

  it.each(cases)('%j', (fact, reason, detail) => {
    const err = new TargetError(fact);
    expect(err).toMatchObject({
      code: 'ETARGET',
      name: 'TargetError',
      spec: fact.spec,
      reason,
      family: 'target',
    });
    expect(err.message).toBe(`target/${fact.why}`);
    expect(targetErrorDetail(fact)).toBe(detail);
    expect(errorWords(err)).toBe(`Unknown target ${JSON.stringify(fact.spec)}: ${detail}. ${EXAMPLES}`);
    expect(errorMessage(err)).toBe(errorWords(err));
  });

  it('a control character in the spec cannot split the line', () => {
    expect(errorWords(new TargetError({ spec: 'node:22\nalpine', why: 'unknown-form' }))).toBe(
      `Unknown target "node:22\\nalpine": not a target form. ${EXAMPLES}`,
    );
  });

  it('DOCKER_BASE_IMAGE_UNKNOWN: the coded refusal in the evidence, its short words in text and in JSON `targetError`', () => {
    const targetError: TargetErrorFact = {
      spec: 'node:22-centos',
      why: 'unknown-variant',
      variant: 'centos',
      major: 22,
      known: VARIANTS,
    };
    const f = makeFinding(
      'DOCKER_BASE_IMAGE_UNKNOWN',
      { location: 'Dockerfile' },
      {
        dockerfile: 'Dockerfile',
        stage: '0',
        line: 1,
        image: 'node:22-centos',
        role: 'final',
        reason: 'unknown-tag',
        targetError,
        hint: '--target node22-linux-x64-glibc',
      },
    );
    const words =
      'unknown image variant "centos" (node:22 has alpine, slim, alpine3.23, bookworm, bookworm-slim)';
    expect(baseImageWords(f.evidence)).toBe(words);
    const json = findingJson(f).evidence;
    expect(json).toEqual({
      dockerfile: 'Dockerfile',
      stage: '0',
      line: 1,
      image: 'node:22-centos',
      role: 'final',
      reason: 'unknown-tag',
      targetError: words,
      hint: '--target node22-linux-x64-glibc',
      detail: words,
    });
    expect(Object.keys(json)).toEqual([
      'dockerfile',
      'stage',
      'line',
      'image',
      'role',
      'reason',
      'targetError',
      'hint',
      'detail',
    ]);
  });
});
