// Shared by the lifecycle entry points that `native-guard init` wires (preinstall.js, postinstall.js).
// Only node: built-ins are imported statically: the script text in package.json treats "module not
// found" as "native-guard is not installed", so a missing file of our own must be caught here instead.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `"strict": true` in the project's nativeGuard block, read without native-guard's own code. */
function strictConfigured() {
  try {
    const file = process.env.npm_package_json || join(process.cwd(), 'package.json');
    return JSON.parse(readFileSync(file, 'utf8'))?.nativeGuard?.strict === true;
  } catch {
    return false;
  }
}

/** Runs one hook and sets the exit code; never throws. */
export async function run(event) {
  const command = event === 'preinstall' ? 'check' : 'verify';
  // the same rule as runHook's, before the code is loaded: a skipped hook costs a bare Node start
  const off = process.env.NATIVE_GUARD?.trim() ?? '';
  if (/^(0|false|off|no)$/i.test(off)) {
    process.stdout.write(`native-guard ${command}: skipped (NATIVE_GUARD=${process.env.NATIVE_GUARD})\n`);
    return;
  }
  let result;
  try {
    const { runHook } = await import('../dist/hook.js');
    result = await runHook(event, { env: process.env, cwd: process.cwd(), isTTY: !!process.stdout.isTTY });
  } catch (err) {
    // native-guard's own files or dependencies are missing or broken: fail open unless strict
    const strict = strictConfigured();
    const message = String(err?.message ?? err).split('\n')[0];
    result = {
      stdout: '',
      stderr: `native-guard ${command}: internal error: ${message}${strict ? '; failing the install ("strict": true)' : '; the install goes on'}\n`,
      exitCode: !process.env.npm_lifecycle_event ? 2 : strict ? 1 : 0,
    };
  }
  if (result.stdout) process.stdout.write(result.stdout);
  if (result.stderr) process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
}
