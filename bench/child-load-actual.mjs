// The floor: a bare Arborist loadActual() of the tree, in a fresh process.
import Arborist from '@npmcli/arborist';
import { cpuMs, hrUs } from './lib.mjs';
const t0 = performance.now();
const c0 = cpuMs();
const w0 = hrUs();
const tree = await new Arborist({ path: process.argv[2] }).loadActual();
const cpu = cpuMs() - c0;
const window = [w0, hrUs()];
const ms = performance.now() - t0;
console.log(
  JSON.stringify({ ms, cpu, window, rss: process.resourceUsage().maxRSS * 1024, nodes: tree.inventory.size }),
);
