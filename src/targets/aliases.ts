import { futureTargets } from 'node-abi';
import semver from 'semver';
import { IMAGE_LINES } from './data/images.js';
import { TargetError } from './errors.js';
import type { TargetErrorReason } from './errors.js';
import { parseTarget } from './parse.js';
import { loadNodeReleases } from './releases.js';
import type { NodeReleaseData } from './releases.js';
import type { Target } from '../model/target.js';

export type TargetForm = 'host' | 'node-version' | 'node-tuple' | 'node-path' | 'electron' | 'image';

/** One row of `native-guard targets`: a form, an example of it, and what the example means today. */
export interface TargetAliasRow {
  form: TargetForm;
  /** The grammar, e.g. `node:<version>[-<variant>]`. */
  pattern: string;
  example: string;
  /** What `example` resolves to; null when it needs a host that wasn't given, or can't resolve here. */
  target: Target | null;
  /** Why `target` is null when a host was given (e.g. the image isn't published for the host's arch). */
  unavailable?: TargetErrorReason;
}

export interface AliasContext {
  /** Without a host, rows that describe this machine have `target: null` and images assume x64. */
  host?: Target;
  arch?: string;
  /** YYYY-MM-DD, for `node:lts`; defaults to the release data's date. */
  today?: string;
  data?: NodeReleaseData;
}

// Stands in for the host when none was given: only images read it, and only for the arch.
const PLACEHOLDER_HOST: Target = {
  id: 'host',
  runtime: 'node',
  version: '0.0.0',
  abi: '0',
  napi: null,
  platform: 'linux',
  arch: 'x64',
  libc: 'glibc',
  libcVersion: null,
  armv: null,
  uv: '1',
  toolchain: { python: false, make: false, cxx: false, known: false },
  isHost: false,
};

function imageExamples(today: string): string[] {
  const examples = [
    'node:lts',
    'node:lts-slim',
    'node:lts-alpine',
    'node:current',
    'node:current-slim',
    'node:current-alpine',
  ];
  // Lines past end of life still pull but get no fixes; listing them would advertise them.
  for (const line of IMAGE_LINES.filter((l) => l.end >= today)) {
    examples.push(`node:${line.major}`, `node:${line.major}-slim`, `node:${line.major}-alpine`);
    examples.push(...Object.keys(line.variants).map((v) => `node:${line.major}-${v}`));
  }
  examples.push('node:22.15', 'node:22.15.0-alpine3.21', 'docker.io/library/node:22-alpine');
  return examples;
}

/**
 * Every accepted target form with examples and what each resolves to with the shipped data (or
 * `ctx.data`), for `native-guard targets`. Pure data: the renderer decides how to show it.
 */
export function listTargetAliases(ctx: AliasContext = {}): TargetAliasRow[] {
  const data = ctx.data ?? loadNodeReleases();
  const today = ctx.today ?? data.generated;
  const nextNode = futureTargets.find((t) => t.runtime === 'node');

  const rows: [TargetForm, string, string[], boolean][] = [
    ['host', 'host', ['host'], true],
    [
      'node-version',
      'node<version>',
      ['node22', ...(nextNode ? [`node${semver.major(nextNode.target)}`] : [])],
      true,
    ],
    [
      'node-tuple',
      'node<version>-<platform>-<arch>[-<libc>[<libc version>]]',
      [
        'node22-linux-x64-musl',
        'node24.1.0-linux-arm64-glibc',
        'node22-linux-x64-glibc2.28',
        'node20-darwin-arm64',
        'node22-win32-x64',
      ],
      false,
    ],
    ['node-path', 'node@<version>/<platform>/<arch>[/<libc>]', ['node@22.15.0/linux/arm64/glibc'], false],
    ['electron', 'electron@<version>', ['electron@33', 'electron@33.2.1'], true],
    ['image', 'node:<version|lts|current|codename>[-<variant>]', imageExamples(today), false],
  ];

  return rows.flatMap(([form, pattern, examples, needsHost]) =>
    examples.map((example): TargetAliasRow => {
      if (needsHost && !ctx.host) return { form, pattern, example, target: null };
      try {
        const host = ctx.host ?? PLACEHOLDER_HOST;
        const target = parseTarget(example, {
          host,
          today,
          data,
          ...(ctx.arch !== undefined ? { arch: ctx.arch } : {}),
        });
        return { form, pattern, example, target };
      } catch (err) {
        if (!(err instanceof TargetError)) throw err;
        return { form, pattern, example, target: null, unavailable: err.reason };
      }
    }),
  );
}
