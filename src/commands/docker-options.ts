import { UsageError } from './types.js';

/** The Dockerfile flags `check` and `docker` share (node:util parseArgs option config). */
export const DOCKER_FLAGS = {
  dockerfile: { type: 'string' },
  'build-arg': { type: 'string', multiple: true },
  'docker-target': { type: 'string' },
  'docker-context': { type: 'string' },
} as const;

/**
 * `--dockerfile` may be given without a path (it then means `Dockerfile`); parseArgs only knows options
 * that always or never take a value, so a bare one gets its default here.
 */
export function withDockerfileDefault(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    out.push(arg);
    if (arg === '--') {
      out.push(...args.slice(i + 1));
      break;
    }
    if (arg === '--dockerfile') {
      const next = args[i + 1];
      if (next === undefined || next.startsWith('-')) out.push('Dockerfile');
    }
  }
  return out;
}

/** `--build-arg NAME=value` (or `NAME`, taken from the environment like `docker build` does). */
export function parseBuildArgs(
  list: string[] | undefined,
  env: Record<string, string | undefined>,
): Record<string, string> | undefined {
  if (!list?.length) return undefined;
  const out: Record<string, string> = {};
  for (const item of list) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/s.exec(item);
    if (!m) throw new UsageError(`--build-arg ${JSON.stringify(item)}: expected NAME=value`);
    const value = m[2] ?? env[m[1]!];
    if (value !== undefined) out[m[1]!] = value;
  }
  return out;
}
