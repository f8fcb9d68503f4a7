// Shared by the lifecycle entry points that `native-guard init` wires (preinstall.js, postinstall.js).
// Only node: built-ins are imported statically: the script text in package.json treats "module not
// found" as "native-guard is not installed", so a missing file of our own must be caught here instead.
//
// A hook must never break or stall an install for a fault of native-guard's own: a broken build
// (dist missing, a syntax error, a throw at import), an error thrown later from a callback or a
// rejected promise nobody awaited, or a run that never ends. Each is one line on stderr and exit 0,
// or exit 1 when the project says `"strict": true`. Once the result is written the process exits:
// it waits for nothing a loaded addon may have left behind.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** runHook's own default deadline (src/hooks/run.ts); this file cannot import it when the build is broken. */
const DEFAULT_DEADLINE_MS = 5 * 60_000;
/** How long past that deadline this file waits for runHook (an older or broken one may not stop). */
const GRACE_MS = 10_000;

/** `"strict": true` in the project's nativeGuard block, read without native-guard's own code. */
function strictConfigured() {
  try {
    const file = process.env.npm_package_json || join(process.cwd(), 'package.json');
    return JSON.parse(readFileSync(file, 'utf8'))?.nativeGuard?.strict === true;
  } catch {
    return false;
  }
}

/** NATIVE_GUARD_HOOK_TIMEOUT in seconds (`0`: none), by the same rule as hookDeadlineMs in src/hooks/run.ts. */
function deadlineMs(env) {
  const raw = env.NATIVE_GUARD_HOOK_TIMEOUT?.trim();
  if (!raw || !/^\d+(?:\.\d+)?$/.test(raw)) return DEFAULT_DEADLINE_MS;
  const ms = Math.round(Number(raw) * 1000);
  return ms > 0 ? ms : null;
}

const firstLine = (err) => String(err?.message ?? err).split('\n')[0];

/** Runs one hook, writes its result and exits; never throws. */
export async function run(event) {
  const command = event === 'preinstall' ? 'check' : 'verify';
  const label = `native-guard ${command}`;
  // the same rule as runHook's, before the code is loaded: a skipped hook costs a bare Node start
  const off = process.env.NATIVE_GUARD?.trim() ?? '';
  if (/^(0|false|off|no)$/i.test(off)) {
    process.stdout.write(`${label}: skipped (NATIVE_GUARD=${process.env.NATIVE_GUARD})\n`);
    return;
  }
  const hookMode = !!process.env.npm_lifecycle_event;
  let done = false;

  /** Writes the result and ends the process once it is out. */
  const finish = (result) => {
    if (done) return;
    done = true;
    clearTimeout(backstop);
    const code = result.exitCode;
    process.exitCode = code;
    const out = [
      [process.stdout, result.stdout],
      [process.stderr, result.stderr],
    ].filter(([, text]) => text);
    let pending = out.length;
    if (!pending) process.exit(code);
    for (const [stream, text] of out) {
      stream.write(text, () => {
        if (--pending === 0) process.exit(code);
      });
    }
  };

  /** native-guard's own failure: one line; the install goes on unless strict. */
  const failOpen = (text) => {
    const strict = strictConfigured();
    const consequence = !hookMode
      ? ''
      : strict
        ? '; failing the install ("strict": true)'
        : '; the install goes on';
    finish({
      stdout: '',
      stderr: `${label}: ${text}${consequence}\n`,
      exitCode: !hookMode ? 2 : strict ? 1 : 0,
    });
  };

  process.on('uncaughtException', (err) => failOpen(`internal error: ${firstLine(err)}`));
  process.on('unhandledRejection', (err) => failOpen(`internal error: ${firstLine(err)}`));
  const limit = deadlineMs(process.env);
  // runHook stops itself at the deadline; this catches one that does not (an older build, a bug)
  const backstop =
    limit === null
      ? undefined
      : setTimeout(
          () => failOpen(`did not finish within ${limit / 1000} s (NATIVE_GUARD_HOOK_TIMEOUT): stopped`),
          limit + Math.min(GRACE_MS, limit),
        );

  try {
    const { runHook } = await import('../dist/hooks/entry.js');
    if (typeof runHook !== 'function') throw new Error('dist/hooks/entry.js does not export runHook');
    const result = await runHook(event, {
      env: process.env,
      cwd: process.cwd(),
      isTTY: !!process.stdout.isTTY,
    });
    if (!result || typeof result.exitCode !== 'number') throw new Error('runHook returned no result');
    finish({
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? ''),
      exitCode: result.exitCode,
    });
  } catch (err) {
    // native-guard's own files or dependencies are missing or broken: fail open unless strict
    failOpen(`internal error: ${firstLine(err)}`);
  }
}
