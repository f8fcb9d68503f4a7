import { describe, expect, it } from 'vitest';
import { makeFinding } from '../../src/model/findings.js';
import type { Finding } from '../../src/model/findings.js';
import type { CheckReport } from '../../src/model/reports.js';
import type { Target } from '../../src/model/target.js';
import { renderCheckText } from '../../src/report/check-text.js';
import { renderCheckJson } from '../../src/report/json.js';
import { targets } from '../helpers/targets.js';

const [alpine, slim, slim20, tuple] = targets([
  'node:22-alpine',
  'node:22-slim',
  'node:20-slim',
  'node22-linux-x64-glibc2.36',
]) as [Target, Target, Target, Target];

/** What the Dockerfile check makes of `FROM gcr.io/distroless/nodejs22-debian12`: Debian's libc, no apt. */
const distroless: Target = {
  ...tuple,
  id: 'gcr.io/distroless/nodejs22-debian12',
  toolchain: { python: false, make: false, cxx: false, known: true },
  image: {
    image: 'gcr.io/distroless/nodejs22-debian12',
    variant: 'distroless-debian12',
    distro: 'debian',
    release: 'bookworm',
    pythonVersion: null,
  },
};

/** An image target whose id says nothing of its distro (a renamed or mirrored image). */
const mirrored: Target = { ...alpine, id: 'registry.example/base:prod' };

const report = (ts: Target[], findings: Finding[]): CheckReport => ({
  schemaVersion: 1,
  root: '/app',
  mode: 'installed',
  targets: ts,
  packages: [],
  findings,
  ignored: 0,
});

const toolchainMissing = (target: string) =>
  makeFinding(
    'TOOLCHAIN_MISSING',
    { package: 'sharp@0.30.0', location: 'node_modules/sharp', target },
    { missing: ['python', 'make', 'cxx'], certain: true, details: [] },
  );

const noPrebuild = (target: string) =>
  makeFinding(
    'NO_PREBUILD_FOR_TARGET',
    { package: 'only-mac@1.0.0', location: 'node_modules/only-mac', target },
    {
      strategies: ['node-gyp-build'],
      details: [{ kind: 'prebuilds-none-for-target', available: ['darwin-x64'] }],
    },
  );

const findingLines = (text: string) => text.split('\n').filter((l) => /^ {2}(error|warning|info)/.test(l));
const fixLines = (text: string) => text.split('\n').filter((l) => l.trimStart().startsWith('fix:'));

describe('check text: findings grouped by code, package and evidence; fixes from the image data', () => {
  it('the toolchain fix follows the image: apk on alpine, apt on a Debian image, neither on distroless', () => {
    const ts = [alpine, slim, distroless, tuple];
    const text = renderCheckText(
      report(
        ts,
        ts.map((t) => toolchainMissing(t.id)),
      ),
      { color: false },
    );
    const fixes = fixLines(text);
    expect(fixes).toHaveLength(4);
    expect(fixes[0]).toContain('apk add --no-cache python3 make g++');
    expect(fixes[1]).toContain('apt-get update && apt-get install -y python3 make g++');
    // the distroless image has no shell and no apt: a RUN apt-get there cannot work
    expect(fixes[2]).not.toContain('apt-get install');
    expect(fixes[2]).toContain('no shell or package manager');
    // a target tuple says nothing about the machine: both families
    expect(fixes[3]).toContain(
      'Debian: `apt-get install python3 make g++`; Alpine: `apk add python3 make g++`',
    );
  });

  it('an image whose id does not name its distro still gets its own package manager', () => {
    const text = renderCheckText(report([mirrored], [toolchainMissing(mirrored.id)]), { color: false });
    expect(fixLines(text)[0]).toContain('apk add --no-cache python3 make g++');
    const json = JSON.parse(renderCheckJson(report([mirrored], [toolchainMissing(mirrored.id)]))) as {
      findings: Array<{ fix: string }>;
    };
    expect(json.findings[0]!.fix).toContain('apk add --no-cache python3 make g++');
  });

  it('one line for the same finding on several targets, wherever the words put the target', () => {
    // "has no binary for <target>" has no " on <target>" in it: the words' wording does not decide the group
    const ts = [alpine, slim, tuple];
    const text = renderCheckText(
      report(
        ts,
        ts.map((t) => noPrebuild(t.id)),
      ),
      { color: false },
    );
    expect(findingLines(text)).toEqual([
      '  error   NO_PREBUILD_FOR_TARGET  only-mac@1.0.0 has no binary for node:22-alpine, node:22-slim, node22-linux-x64-glibc2.36: prebuilds only for darwin-x64',
    ]);
  });

  it('the same finding with a fix that differs per target stays two lines; with the same fix, one', () => {
    const text = renderCheckText(
      report(
        [alpine, slim, slim20],
        [alpine, slim, slim20].map((t) => toolchainMissing(t.id)),
      ),
      { color: false },
    );
    expect(findingLines(text)).toEqual([
      '  error   TOOLCHAIN_MISSING  sharp@0.30.0 must compile from source on node:22-alpine, which lacks python3, make, a C++ compiler (g++): the install fails',
      '  error   TOOLCHAIN_MISSING  sharp@0.30.0 must compile from source on node:22-slim, node:20-slim, which lacks python3, make, a C++ compiler (g++): the install fails',
    ]);
  });

  it('findings with different evidence are not merged, even when their words would read alike', () => {
    const a = noPrebuild(alpine.id);
    const b = makeFinding(
      'NO_PREBUILD_FOR_TARGET',
      { package: 'only-mac@1.0.0', location: 'node_modules/only-mac', target: slim.id },
      {
        strategies: ['node-gyp-build'],
        details: [{ kind: 'prebuilds-none-for-target', available: ['win32-x64'] }],
      },
    );
    const text = renderCheckText(report([alpine, slim], [a, b]), { color: false });
    expect(findingLines(text)).toHaveLength(2);
  });
});
