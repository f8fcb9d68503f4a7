// native-guard check of the tree, in a fresh process, through the public API.
import { check } from '../dist/index.js';
import { cpuMs, hrUs } from './lib.mjs';
const targets = (process.argv[3] ?? 'host').split(',');
const t0 = performance.now();
const c0 = cpuMs();
const w0 = hrUs();
const report = await check({ cwd: process.argv[2], targets });
const cpu = cpuMs() - c0;
const window = [w0, hrUs()];
const ms = performance.now() - t0;
console.log(
  JSON.stringify({
    ms,
    cpu,
    window,
    rss: process.resourceUsage().maxRSS * 1024,
    packages: report.packages.length,
  }),
);
