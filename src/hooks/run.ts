import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CheckOptions } from '../check/run.js';
import type { CheckReport, VerifyReport } from '../model/reports.js';
import { today } from '../targets/releases.js';
import { ConfigError, readProjectConfig } from '../config.js';
import type { ProjectConfig } from '../config.js';
import type { Finding } from '../model/findings.js';
import type { AnswerRecorder } from './cache.js';
import type { HookEvent } from './init-plan.js';
import { renderCheckText } from '../report/check-text.js';
import { escapeData, renderGithubAnnotations } from '../report/github.js';
import { renderCheckCompact, renderVerifyCompact } from '../report/hook-text.js';
import { makeStyle, wantsColor } from '../report/style.js';
import { renderVerifyText } from '../report/verify-text.js';
import { errorMessage } from '../report/error-words.js';
import type { VerifyOptions } from '../verify/run.js';

export interface HookIo {
  env: Record<string, string | undefined>;
  /** The project root: npm runs a package's scripts in its folder. */
  cwd: string;
  isTTY: boolean;
  /** Keeps the answer for the next run (hooks/entry.ts passes it when the answer cache applies). */
  cache?: AnswerRecorder;
}

export interface HookResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** The commands a hook runs; tests swap them to reach the error paths. */
export interface HookRunners {
  check(options: CheckOptions): Promise<CheckReport>;
  verify(options: VerifyOptions): Promise<VerifyReport>;
  /** The lockfile-only check, for a preinstall that runs before dependencies are installed. */
  lockfileCheck(options: CheckOptions): Promise<CheckReport>;
}

/**
 * ── LOCKFILE-ONLY CHECK: the one place the preinstall hook calls it ──
 * Runs when the preinstall hook finds no installed tree and the manager does not name itself (npm
 * before 7 ran the root preinstall before it installed; npm 7–11, pnpm 10, Yarn 2+ and Bun run it
 * after; npm 12, pnpm 11 and Yarn 1 run it first but say so, and then the postinstall checks): `check` from
 * the lockfile alone.
 */
export async function lockfileOnlyCheck(options: CheckOptions): Promise<CheckReport> {
  return check({ ...options, lockfileOnly: true });
}

// Each hook loads only the command it runs: check's graph (the Dockerfile parser, npm's config
// loader, lockfile readers) costs a postinstall hook a third of a second it does not need.
const check = async (options: CheckOptions) => (await import('../check/run.js')).check(options);
const verify = async (options: VerifyOptions) => (await import('../verify/run.js')).verify(options);

const DEFAULT_RUNNERS: HookRunners = { check, verify, lockfileCheck: lockfileOnlyCheck };

/**
 * Whether dependencies are installed already. npm 7+ writes its hidden lockfile
 * (node_modules/.package-lock.json) at the end of every reify, before it runs the root's preinstall;
 * Yarn's Plug'n'Play writes `.pnp.cjs` (or `.pnp.data.json`) and may leave no node_modules at all;
 * other package managers leave at least a package folder.
 */
export function treeIsReified(root: string): boolean {
  const modules = join(root, 'node_modules');
  if (existsSync(join(modules, '.package-lock.json'))) return true;
  if (existsSync(join(root, '.pnp.cjs')) || existsSync(join(root, '.pnp.data.json'))) return true;
  try {
    return readdirSync(modules).some((name) => !name.startsWith('.'));
  } catch {
    return false;
  }
}

/**
 * The package manager running this hook, when it runs the root's own `preinstall` before it installs
 * the dependencies: npm 12+ (npm/cli#9267: on `npm ci` node_modules is missing or emptied, on
 * `npm install` it still holds the previous tree), Yarn 1, and pnpm other than 10 (measured with
 * pnpm 11.29.0: on a fresh install node_modules holds only pnpm's `.tmp` when the root preinstall
 * runs; on a repeat install it runs both root scripts again although it is "Already up to date").
 * Named by `npm_config_user_agent` (`npm/12.2.3 node/v22.23.5 …`, `pnpm/11.29.0 npm/? …`,
 * `yarn/1.22.22 …`); null for npm 7–11 and pnpm 10, which run it after they install (measured with
 * pnpm 10.34.9: the preinstall of a fresh install sees every dependency), and for a manager that does
 * not say (Yarn 2+ and Bun run it after they install, too). A pnpm not measured (9, 12+) is taken to
 * run it first, as 11 does: deferring to the postinstall costs nothing, while a check left to a
 * preinstall that ran too early never happens.
 * Then the preinstall hook cannot see the tree being installed (native-guard itself is usually not
 * there yet), and the postinstall hook checks as well as verifies.
 */
export function preinstallRunsFirst(env: Record<string, string | undefined>): string | null {
  const agent = env.npm_config_user_agent ?? '';
  const npm = /^npm\/((\d+)\.\d+\.\d+)/.exec(agent);
  if (npm) return Number(npm[2]) >= 12 ? `npm ${npm[1]}` : null;
  // Yarn 2+ and Bun run it after they install: treated as npm 11 is
  if (/^pnpm\/10\./.test(agent)) return null;
  const other = /^(pnpm\/\d+|yarn\/1)\.\d+\.\d+/.exec(agent)?.[0];
  return other ? other.replace('/', ' ') : null;
}

/** `NATIVE_GUARD=0` (or `false`, `off`) turns the hooks off. */
const disabled = (env: Record<string, string | undefined>) =>
  /^(0|false|off|no)$/i.test(env.NATIVE_GUARD?.trim() ?? '');

/** A config that fails validation cannot say `strict`, unless it says exactly `"strict": true`. */
function strictInBrokenConfig(root: string): boolean {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      nativeGuard?: { strict?: unknown };
    };
    return pkg.nativeGuard?.strict === true;
  } catch {
    return false;
  }
}

const COMMAND: Record<HookEvent, 'check' | 'verify'> = { preinstall: 'check', postinstall: 'verify' };

/** How long a hook may run before it stops and lets the install go on: 5 minutes. */
export const DEFAULT_HOOK_DEADLINE_MS = 5 * 60_000;

/**
 * The hook's overall deadline: `NATIVE_GUARD_HOOK_TIMEOUT` in seconds (decimals allowed; `0` for
 * none), else the default. A value that is not a number is ignored. hooks/run.js reads the same
 * variable by the same rule (it cannot import this file when the build is broken).
 */
export function hookDeadlineMs(env: Record<string, string | undefined>): number | null {
  const raw = env.NATIVE_GUARD_HOOK_TIMEOUT?.trim();
  if (!raw || !/^\d+(?:\.\d+)?$/.test(raw)) return DEFAULT_HOOK_DEADLINE_MS;
  const ms = Math.round(Number(raw) * 1000);
  return ms > 0 ? ms : null;
}

/** Thrown into the hook's run when the deadline passes. */
class HookDeadline extends Error {
  constructor(readonly ms: number) {
    super(`did not finish within ${ms / 1000} s (NATIVE_GUARD_HOOK_TIMEOUT)`);
    this.name = 'HookDeadline';
  }
}

const isExpected = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
};

/**
 * The preinstall/postinstall hook `native-guard init` wires. In hook mode (npm_lifecycle_event set)
 * the output is compact and only `"strict": true` with an error finding fails the install; native-
 * guard's own failures are reported in one line and fail open unless strict. Run by hand, it prints
 * the full report and exits like the CLI (0, 1 findings, 2 errors).
 */
export async function runHook(
  event: HookEvent,
  io: HookIo,
  runners: Partial<HookRunners> = {},
): Promise<HookResult> {
  const run = { ...DEFAULT_RUNNERS, ...runners };
  const env = io.env;
  const root = resolve(io.cwd);
  const hookMode = !!env.npm_lifecycle_event;
  const verbose = !!env.NATIVE_GUARD_VERBOSE && env.NATIVE_GUARD_VERBOSE !== '0';
  const github = env.GITHUB_ACTIONS === 'true';
  const color = wantsColor(io.isTTY, env);
  const command = COMMAND[event];
  const label = `native-guard ${command}`;

  if (disabled(env))
    return { stdout: `${label}: skipped (NATIVE_GUARD=${env.NATIVE_GUARD})\n`, stderr: '', exitCode: 0 };

  /** One line for a problem of native-guard's own; strict turns it into a failed install. */
  const problem = (text: string, strict: boolean, detail?: string): HookResult => {
    const fails = hookMode && strict;
    const consequence = !hookMode
      ? ''
      : fails
        ? '; failing the install ("strict": true)'
        : '; the install goes on';
    let stderr = `${label}: ${text}${consequence}\n`;
    if (detail) stderr += detail.endsWith('\n') ? detail : `${detail}\n`;
    let stdout = '';
    if (github)
      stdout = `::${fails ? 'error' : 'warning'} title=native-guard::${escapeData(`${label}: ${text}`)}\n`;
    return { stdout, stderr, exitCode: hookMode ? (fails ? 1 : 0) : 2 };
  };

  let config: ProjectConfig;
  try {
    config = readProjectConfig(root);
  } catch (err) {
    if (!(err instanceof ConfigError)) return problem(`internal error: ${(err as Error).message}`, false);
    const strict = strictInBrokenConfig(root);
    return problem(
      `skipped: ${errorMessage(err)}${strict ? '' : ' (a config that does not validate cannot turn on "strict")'}`,
      strict,
    );
  }
  const strict = config.strict === true;

  // past the deadline the run is stopped (verify kills its loaders) and the install goes on; the
  // timer keeps the process alive until then even if what it waits for holds nothing open
  const deadline = hookDeadlineMs(env);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    if (deadline === null) return;
    timer = setTimeout(() => {
      const err = new HookDeadline(deadline);
      controller.abort(err);
      reject(err);
    }, deadline);
  });
  expired.catch(() => undefined);
  // a manager that runs the root preinstall before it installs: the postinstall is the first hook
  // that sees the new tree, so it checks it too (once: the preinstall defers to it)
  const first = preinstallRunsFirst(env);
  try {
    const options: CheckOptions = { cwd: root, today: today(env) };
    let work: Promise<Array<CheckReport | VerifyReport>>;
    if (event === 'postinstall') {
      const verifyTree = () => run.verify({ cwd: root, env, signal: controller.signal });
      work = first
        ? run.check(options).then(async (checked) => [checked, await verifyTree()])
        : verifyTree().then((verified) => [verified]);
    } else if (first && hookMode) {
      return {
        stdout: `${label}: deferred: ${first} runs preinstall before it installs; the postinstall hook will check\n`,
        stderr: '',
        exitCode: 0,
      };
    } else if (treeIsReified(root)) {
      work = run.check(options).then((checked) => [checked]);
    } else {
      work = run.lockfileCheck(options).then((checked) => [checked]);
    }
    return finish(await Promise.race([work, expired]));
  } catch (err) {
    if (err instanceof HookDeadline) return problem(`${err.message}: stopped`, strict);
    const e = err as Error | undefined;
    const message = errorMessage(err).split('\n')[0]!;
    if (isExpected(err)) return problem(message, strict);
    return problem(
      `internal error: ${message}${verbose ? '' : ' (NATIVE_GUARD_VERBOSE=1 prints the stack)'}`,
      strict,
      verbose ? e?.stack : undefined,
    );
  } finally {
    clearTimeout(timer);
  }

  /** One result for the reports of this run (a check, a verify, or both): one exit decision. */
  function finish(reports: Array<CheckReport | VerifyReport>): HookResult {
    const findings: Finding[] = reports.flatMap((r) => r.findings);
    let stdout = reports.map((r) => (hookMode && !verbose ? renderCompact(r) : renderFull(r))).join('');
    if (github) {
      for (const r of reports)
        stdout += renderGithubAnnotations(r.findings, {
          root: r.root,
          workspace: env.GITHUB_WORKSPACE,
          targets: 'targets' in r ? r.targets : [r.target],
        });
    }
    const errors = findings.filter((f) => f.severity === 'error').length;
    if (!hookMode) return { stdout, stderr: '', exitCode: errors ? 1 : 0 };
    const result: HookResult =
      strict && errors
        ? {
            stdout,
            stderr: `${label}: failing the install: ${errors} error finding${errors === 1 ? '' : 's'} and "strict": true in package.json (NATIVE_GUARD=0 skips native-guard)\n`,
            exitCode: 1,
          }
        : { stdout, stderr: '', exitCode: 0 };
    io.cache?.record(result, reports);
    return result;
  }

  function renderCompact(report: CheckReport | VerifyReport): string {
    const style = makeStyle(color);
    return 'binaries' in report ? renderVerifyCompact(report, style) : renderCheckCompact(report, style);
  }

  function renderFull(report: CheckReport | VerifyReport): string {
    return 'binaries' in report ? renderVerifyText(report, { color }) : renderCheckText(report, { color });
  }
}
