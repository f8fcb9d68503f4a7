// native-guard verify of a tree, in a fresh process, through the public API. Its own peak RSS: the
// loaders are processes of their own (one Node each, replaced every few jobs).
import { verify } from '../dist/index.js';
const t0 = performance.now();
const report = await verify({ cwd: process.argv[2] });
const ms = performance.now() - t0;
console.log(
  JSON.stringify({ ms, rss: process.resourceUsage().maxRSS * 1024, binaries: report.binaries.length }),
);
