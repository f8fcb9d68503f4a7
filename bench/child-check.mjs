// native-guard check of the tree, in a fresh process, through the public API.
import { check } from '../dist/index.js';
const targets = (process.argv[3] ?? 'host').split(',');
const t0 = performance.now();
const report = await check({ cwd: process.argv[2], targets });
const ms = performance.now() - t0;
console.log(
  JSON.stringify({ ms, rss: process.resourceUsage().maxRSS * 1024, packages: report.packages.length }),
);
