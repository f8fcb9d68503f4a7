// The "postinstall" script `native-guard init` writes imports this file: `native-guard verify`, in hook mode.
// run.js is imported here, not at the top, so that a broken copy of it fails open like any other
// fault of native-guard's own (exit 0, or 1 with "strict": true in the project's nativeGuard block).
try {
  const { run } = await import('./run.js');
  await run('postinstall');
} catch (err) {
  let strict = false;
  try {
    const { readFileSync } = await import('node:fs');
    const file = process.env.npm_package_json || 'package.json';
    strict = JSON.parse(readFileSync(file, 'utf8'))?.nativeGuard?.strict === true;
  } catch {
    // no readable package.json: not strict
  }
  const hookMode = !!process.env.npm_lifecycle_event;
  const consequence = !hookMode
    ? ''
    : strict
      ? '; failing the install ("strict": true)'
      : '; the install goes on';
  process.stderr.write(
    `native-guard verify: internal error: ${String(err?.message ?? err).split('\n')[0]}${consequence}\n`,
  );
  process.exitCode = !hookMode ? 2 : strict ? 1 : 0;
}
