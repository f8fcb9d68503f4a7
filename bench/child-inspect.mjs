// inspect() over every .node file found under the given folders, several rounds, in a fresh process.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from '../dist/index.js';

function collect(dir, out, depth = 0) {
  if (depth > 12) return;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) collect(p, out, depth + 1);
    else if (e.isFile() && e.name.endsWith('.node')) out.push(p);
  }
}

const files = [];
for (const dir of process.argv.slice(3)) collect(dir, files);
const rounds = Number(process.argv[2]);
let bytes = 0;
for (const f of files) bytes += statSync(f).size;
const t0 = performance.now();
for (let i = 0; i < rounds; i++) inspect(files);
const ms = performance.now() - t0;
console.log(JSON.stringify({ ms, files: files.length * rounds, unique: files.length, bytes }));
