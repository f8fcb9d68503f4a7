// native-guard check --lockfile-only, in a fresh process, through the public API.
// argv: root, targets (comma-separated), 'index' | 'no-index' (the tarball index in npm's cache).
import { check } from '../dist/index.js';
const targets = (process.argv[3] ?? 'host').split(',');
const options = { cwd: process.argv[2], targets, lockfileOnly: true };
if (process.argv[4] === 'no-index') options.indexCache = null;
const t0 = performance.now();
const report = await check(options);
const ms = performance.now() - t0;
console.log(
  JSON.stringify({
    ms,
    rss: process.resourceUsage().maxRSS * 1024,
    packages: report.packages.length,
    fetched: report.fetched,
  }),
);
