// The CLI is executed directly (package.json "bin"): make the built file executable.
import { chmodSync } from 'node:fs';
chmodSync(new URL('../dist/cli.js', import.meta.url), 0o755);
