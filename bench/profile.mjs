// Splits a V8 CPU profile (node --cpu-prof) of one check into whose code the time went to:
// Arborist's, native-guard's own (dist/), the garbage collector, or the rest (startup, other
// modules). A sample belongs to the innermost Arborist or dist/ frame on its stack, so a library
// native-guard calls counts as native-guard's, one Arborist calls as Arborist's.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * Shares of the non-idle samples taken inside `window` ([start, end] in µs of process.hrtime, the
 * profile's clock), scaled to `cpuMs`, the process's CPU time over that window: sample timestamps
 * are wall time, which on a loaded machine also counts time spent waiting for a core.
 */
export function attributeProfile(file, distDir, cpuMs, window) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const dist = pathToFileURL(distDir).href + '/';
  const parent = new Map();
  const byId = new Map();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const kid of node.children ?? []) parent.set(kid, node.id);
  }
  const bucketOf = new Map();
  const classify = (id) => {
    let hit = bucketOf.get(id);
    if (hit) return hit;
    const { functionName, url } = byId.get(id).callFrame;
    if (functionName === '(idle)') hit = 'idle';
    else if (functionName === '(garbage collector)') hit = 'gc';
    else if (url.includes('/node_modules/@npmcli/arborist/')) hit = 'arborist';
    else if (url.startsWith(dist)) hit = 'own';
    else hit = parent.has(id) ? classify(parent.get(id)) : 'other';
    bucketOf.set(id, hit);
    return hit;
  };
  const time = { arborist: 0, own: 0, gc: 0, other: 0, idle: 0 };
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at >= window[0] && at <= window[1]) time[classify(id)] += delta;
  });
  const busy = time.arborist + time.own + time.gc + time.other;
  const share = (k) => (busy > 0 ? (time[k] / busy) * cpuMs : 0);
  return { arborist: share('arborist'), own: share('own'), gc: share('gc'), other: share('other') };
}
