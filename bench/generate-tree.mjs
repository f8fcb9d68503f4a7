// Generates an installed tree the size of a large app (by default ~3,000 packages, 60 of them native;
// the scaling section asks for 1,000 to 30,000), laid out the way npm lays out node_modules (mostly
// hoisted, some nested), with package-lock.json and npm's hidden lockfile
// (node_modules/.package-lock.json) written last so Arborist trusts it. Seeded: the same options
// build the same tree, byte for byte.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const PREBUILD = join(
  here,
  '..',
  'fixtures',
  'trees',
  'mixed',
  'node_modules',
  'ngb-glibc-only',
  'prebuilds',
  'linux-x64',
  'ngb-glibc-only.node',
);

/** Deterministic pseudo-random numbers, so every run builds the same tree. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function generateTree(root, { packages = 3000, natives = 60, nested = 300, seed = 42 } = {}) {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'node_modules'), { recursive: true });
  const rand = rng(seed);
  const lock = { '': { name: 'bench-app', version: '1.0.0', dependencies: {} } };
  const write = (location, manifest, extra = {}) => {
    const dir = join(root, location);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
    writeFileSync(join(dir, 'index.js'), 'module.exports = 1\n');
    const entry = {
      version: manifest.version,
      resolved: `https://registry.npmjs.org/${manifest.name}/-/${manifest.name.split('/').pop()}-${manifest.version}.tgz`,
      integrity: 'sha512-AAAA',
      license: 'MIT',
      ...extra,
    };
    for (const k of ['dependencies', 'optionalDependencies', 'os', 'cpu', 'libc'])
      if (manifest[k]) entry[k] = manifest[k];
    lock[location] = entry;
    return dir;
  };
  const top = [];
  const regular = packages - natives * 2;
  // Real trees are clusters (a framework and its helpers) a few levels deep, not one random DAG:
  // clusters of 100 packages in four layers, each package depending on up to three in the layer
  // below, so every package has a bounded set of dependents as in a real app.
  const CLUSTER = 100;
  const layerOf = (k) => (k < 40 ? 0 : k < 70 ? 1 : k < 90 ? 2 : 3);
  const nameOf = (i) => `pkg-${String(i).padStart(4, '0')}`;
  const hoistedCount = regular - nested;
  for (let i = 0; i < regular; i++) {
    const name = nameOf(i);
    const deps = {};
    const base = i - (i % CLUSTER);
    const layer = layerOf(i % CLUSTER);
    if (layer > 0 && i < hoistedCount) {
      const lo = [0, 40, 70, 90][layer - 1];
      const hi = [40, 70, 90, 100][layer - 1];
      for (let d = 0; d < 3; d++) {
        const dep = base + lo + Math.floor(rand() * (hi - lo));
        if (dep < hoistedCount) deps[nameOf(dep)] = '^1.0.0';
      }
    }
    const nestedUnder = i >= hoistedCount ? top[Math.floor(rand() * top.length)] : null;
    const location = nestedUnder
      ? `node_modules/${nestedUnder}/node_modules/${name}`
      : `node_modules/${name}`;
    write(location, { name, version: nestedUnder ? '2.0.0' : '1.0.0', main: 'index.js', dependencies: deps });
    if (!nestedUnder) top.push(name);
    else {
      // the nested copy exists because its parent wants another major
      lock[`node_modules/${nestedUnder}`].dependencies = {
        ...lock[`node_modules/${nestedUnder}`].dependencies,
        [name]: '^2.0.0',
      };
      const parentPkg = join(root, 'node_modules', nestedUnder, 'package.json');
      writeFileSync(
        parentPkg,
        JSON.stringify(
          {
            name: nestedUnder,
            version: '1.0.0',
            main: 'index.js',
            dependencies: lock[`node_modules/${nestedUnder}`].dependencies,
          },
          null,
          2,
        ),
      );
    }
  }
  const kinds = ['node-gyp-build', 'prebuild-install', 'node-pre-gyp', 'platform', 'gyp'];
  for (let i = 0; i < natives; i++) {
    const kind = kinds[i % kinds.length];
    const name = `native-${kind}-${i}`;
    const location = `node_modules/${name}`;
    top.push(name);
    if (kind === 'node-gyp-build') {
      const dir = write(
        location,
        {
          name,
          version: '1.0.0',
          scripts: { install: 'node-gyp-build' },
          dependencies: { 'pkg-0001': '^1.0.0' },
        },
        { hasInstallScript: true },
      );
      writeFileSync(join(dir, 'binding.gyp'), '{}');
      mkdirSync(join(dir, 'prebuilds', 'linux-x64'), { recursive: true });
      copyFileSync(PREBUILD, join(dir, 'prebuilds', 'linux-x64', `${name}.node`));
      mkdirSync(join(dir, 'prebuilds', 'darwin-arm64'), { recursive: true });
      copyFileSync(PREBUILD, join(dir, 'prebuilds', 'darwin-arm64', `${name}.node`));
    } else if (kind === 'prebuild-install') {
      const dir = write(
        location,
        {
          name,
          version: '1.0.0',
          repository: `github:bench/${name}`,
          scripts: { install: 'prebuild-install || node-gyp rebuild' },
        },
        { hasInstallScript: true },
      );
      writeFileSync(join(dir, 'binding.gyp'), '{}');
    } else if (kind === 'node-pre-gyp') {
      const dir = write(
        location,
        {
          name,
          version: '1.0.0',
          scripts: { install: 'node-pre-gyp install --fallback-to-build' },
          binary: {
            module_name: name.replace(/-/g, '_'),
            module_path: './lib/binding/{node_abi}-{platform}-{arch}',
            host: 'https://example.com/',
            remote_path: 'v{version}',
          },
        },
        { hasInstallScript: true },
      );
      writeFileSync(join(dir, 'binding.gyp'), '{}');
    } else if (kind === 'platform') {
      const plats = [
        ['linux', 'x64', 'glibc'],
        ['linux', 'x64', 'musl'],
        ['darwin', 'arm64', null],
      ];
      const optional = Object.fromEntries(
        plats.map(([os, cpu, libc]) => [`@${name}/${os}-${cpu}${libc ? `-${libc}` : ''}`, '1.0.0']),
      );
      write(location, { name, version: '1.0.0', optionalDependencies: optional });
      for (const [os, cpu, libc] of plats) {
        const pname = `@${name}/${os}-${cpu}${libc ? `-${libc}` : ''}`;
        const manifest = {
          name: pname,
          version: '1.0.0',
          os: [os],
          cpu: [cpu],
          ...(libc ? { libc: [libc] } : {}),
          main: 'binding.node',
        };
        if (os === 'linux' && libc === 'glibc') {
          const dir = write(`node_modules/${pname}`, manifest, { optional: true });
          copyFileSync(PREBUILD, join(dir, 'binding.node'));
        } else {
          // npm skipped it on this machine: only the lockfile knows it
          lock[`node_modules/${pname}`] = {
            version: '1.0.0',
            optional: true,
            os: [os],
            cpu: [cpu],
            ...(libc ? { libc: [libc] } : {}),
          };
        }
      }
    } else {
      const dir = write(
        location,
        { name, version: '1.0.0', dependencies: { nan: '^2.0.0' } },
        { hasInstallScript: true },
      );
      writeFileSync(join(dir, 'binding.gyp'), '{}');
    }
  }
  write('node_modules/nan', { name: 'nan', version: '2.22.0', main: 'index.js' });
  top.push('nan');
  const rootDeps = Object.fromEntries(top.map((n) => [n, '*']));
  lock[''].dependencies = rootDeps;
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name: 'bench-app', version: '1.0.0', private: true, dependencies: rootDeps }, null, 2),
  );
  const lockfile = {
    name: 'bench-app',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: lock,
  };
  writeFileSync(join(root, 'package-lock.json'), JSON.stringify(lockfile, null, 2));
  // the hidden lockfile lists only what is installed, and must be written after every folder
  const hidden = { name: 'bench-app', version: '1.0.0', lockfileVersion: 3, requires: true, packages: {} };
  for (const [loc, entry] of Object.entries(lock)) {
    if (!loc) continue;
    const installedOnly = entry.resolved !== undefined;
    if (installedOnly) hidden.packages[loc] = entry;
  }
  writeFileSync(join(root, 'node_modules', '.package-lock.json'), JSON.stringify(hidden, null, 2));
  const count = Object.keys(hidden.packages).length;
  return { root, packages: count };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? join(here, '..', '.cache', 'bench', 'tree-3000');
  console.log(generateTree(root));
}
