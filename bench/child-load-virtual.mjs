// The floor: a bare Arborist loadVirtual() of the lockfile, in a fresh process.
import Arborist from '@npmcli/arborist';
const t0 = performance.now();
const tree = await new Arborist({ path: process.argv[2] }).loadVirtual();
const ms = performance.now() - t0;
console.log(JSON.stringify({ ms, rss: process.resourceUsage().maxRSS * 1024, nodes: tree.inventory.size }));
