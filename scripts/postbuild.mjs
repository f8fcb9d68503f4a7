// The CLI is executed directly (package.json "bin"): make the built file executable.
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
chmodSync(new URL('../dist/bin.js', import.meta.url), 0o755);
// verify's loader runs in child processes under any Node >= 18: plain CommonJS, shipped as is.
mkdirSync(new URL('../dist/probe/', import.meta.url), { recursive: true });
copyFileSync(
  new URL('../src/probe/loader.cjs', import.meta.url),
  new URL('../dist/probe/loader.cjs', import.meta.url),
);
