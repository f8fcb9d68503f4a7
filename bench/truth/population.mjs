#!/usr/bin/env node
// node bench/truth/population.mjs [--out bench/truth/population.json]
//
// Builds the truth harness's population: npm packages that ship, download or build a `.node`,
// ranked by monthly downloads, each pinned to one version and kept only with a native signal read
// from its registry metadata and its tarball's file list.
//
// Where the candidates come from: the registry's download API (api.npmjs.org) and its search
// endpoint are not reachable from this machine, so the names below are a hand-kept list (the
// dependents of node-gyp-build, prebuild-install, @mapbox/node-pre-gyp, node-addon-api, nan,
// cmake-js and napi-rs that are known to be popular, plus the packages reached only through an
// optional dependency), ranked by the monthly download counts of the workplace's package list
// (/work/.library/env/packages/npm.tsv, when present). Every candidate is then checked against the
// registry: one with no native signal is listed under `excluded`, with the reason.
//
// Version: the `latest` dist-tag, unless its engines.node excludes Node 20 (this machine's Node):
// then the newest release whose engines allow it, and `pinnedBecause` says so.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const semver = require('semver');
const run = promisify(execFile);

const HERE = fileURLToPath(new URL('.', import.meta.url));
const HOST_NODE = process.versions.node;
const REGISTRY = 'https://registry.npmjs.org/';
const DOWNLOADS = '/work/.library/env/packages/npm.tsv';

/**
 * name, or { name, range, via, extra }: `range` pins a line (chokidar 3 is the one with fsevents),
 * `via` names the native package reached only through this one's dependencies, `extra` adds
 * dependencies the call needs (an SQLite extension needs an SQLite to load into).
 */
const CANDIDATES = [
  // platform packages (napi-rs and friends: optionalDependencies constrained by os/cpu/libc)
  'sharp',
  '@swc/core',
  'lightningcss',
  '@parcel/watcher',
  'rollup',
  '@tailwindcss/oxide',
  'unrs-resolver',
  'oxc-resolver',
  'oxc-parser',
  'oxc-transform',
  'oxc-minify',
  'rolldown',
  '@napi-rs/canvas',
  '@ast-grep/napi',
  '@resvg/resvg-js',
  '@napi-rs/image',
  '@node-rs/argon2',
  '@node-rs/bcrypt',
  '@node-rs/jieba',
  '@node-rs/crc32',
  '@node-rs/xxhash',
  '@node-rs/jsonwebtoken',
  '@napi-rs/nice',
  '@napi-rs/keyring',
  '@napi-rs/simple-git',
  '@napi-rs/snappy',
  'snappy',
  'lz4-napi',
  '@swc/html',
  'nx',
  'libsql',
  '@lancedb/lancedb',
  'ffi-rs',
  '@farmfe/core',
  '@lydell/node-pty',
  '@parcel/source-map',
  '@parcel/rust',
  '@datadog/pprof',
  '@napi-rs/blake-hash',
  '@node-rs/deno-lint',
  'usearch',
  '@signalapp/libsignal-client',
  { name: 'next', via: '@next/swc-linux-x64-gnu' },
  // node-gyp-build (prebuilds/ in the tarball, node-gyp rebuild as the fallback)
  'bufferutil',
  'utf-8-validate',
  'msgpackr-extract',
  'cbor-extract',
  'leveldown',
  'classic-level',
  'rocksdb',
  'lmdb',
  'sodium-native',
  'keccak',
  'secp256k1',
  'bcrypt',
  'argon2',
  'tree-sitter',
  'tree-sitter-javascript',
  'tree-sitter-json',
  'tree-sitter-python',
  'tree-sitter-typescript',
  '@serialport/bindings-cpp',
  'usb',
  'udx-native',
  'zstd-napi',
  'lzma-native',
  'farmhash',
  'xxhash-addon',
  'bigint-buffer',
  'blake-hash',
  'tiny-secp256k1',
  'bcrypto',
  'utp-native',
  'fs-native-extensions',
  'rocksdb-native',
  'abstract-socket',
  'unix-dgram',
  'isolated-vm',
  '@datadog/native-metrics',
  '@datadog/native-appsec',
  '@datadog/native-iast-taint-tracking',
  'quickbit-native',
  'simdle-native',
  'crc-native',
  'sodium',
  'ed25519-supercop',
  'iltorb',
  'node-datachannel',
  'epoll',
  'i2c-bus',
  'spi-device',
  'microtime',
  'ref-napi',
  'ffi-napi',
  'weak-napi',
  'fs-xattr',
  'segfault-handler',
  'diskusage',
  'drivelist',
  'lz4',
  // prebuild-install (GitHub release download, node-gyp rebuild as the fallback)
  'better-sqlite3',
  'sqlite3',
  'canvas',
  'keytar',
  're2',
  'robotjs',
  '@vscode/sqlite3',
  'kerberos',
  '@mongodb-js/zstd',
  'mongodb-client-encryption',
  '@mongodb-js/os-dns-native',
  'better-sqlite3-multiple-ciphers',
  'node-pty',
  'gl',
  'node-hid',
  'zeromq',
  'msnodesqlv8',
  '@discordjs/opus',
  'zlib-sync',
  'erlpack',
  'faiss-node',
  'node-expat',
  'mmmagic',
  'iconv',
  'muhammara',
  'realm',
  '@vscode/spdlog',
  'native-keymap',
  'nsfw',
  'uiohook-napi',
  '@homebridge/node-pty-prebuilt-multiarch',
  'hiredis',
  // @mapbox/node-pre-gyp and node-pre-gyp forks (binary.host download, build fallback)
  'libxmljs',
  'libxmljs2',
  '@tensorflow/tfjs-node',
  'grpc-tools',
  'node-libcurl',
  'wrtc',
  '@roamhq/wrtc',
  'pprof',
  '@journeyapps/sqlcipher',
  'ibm_db',
  'bson-ext',
  'fibers',
  '@newrelic/native-metrics',
  'v8-profiler-next',
  '@airbnb/node-memwatch',
  'heapdump',
  'gc-stats',
  'node-sass',
  'odbc',
  'grpc',
  // plain node-gyp (compiled at install, no prebuilt)
  'cpu-features',
  'dtrace-provider',
  'deasync',
  'node-gyp-build-test',
  'posix',
  'userid',
  'fs-ext',
  'mmap-io',
  'hnswlib-node',
  'nodejieba',
  'libpq',
  'pg-native',
  'spellchecker',
  'speaker',
  'sleep',
  'integer',
  'node-zopfli',
  'highwayhash',
  'murmurhash-native',
  'authenticate-pam',
  'unix-socket',
  'node-unix-socket',
  'inotify',
  'rpio',
  'onoff',
  'cld',
  'keyboard-layout',
  'ursa-optional',
  'scrypt',
  'bignum',
  'zookeeper',
  'node-rdkafka',
  '@confluentinc/kafka-javascript',
  'oracledb',
  'aws-crt',
  '@sap/hana-client',
  'koffi',
  'onnxruntime-node',
  'sqlite-vec',
  '@picovoice/porcupine-node',
  'skia-canvas',
  'fsevents',
  'win-version-info',
  // reached only through an optional dependency of the package a user installs
  { name: 'ssh2', via: 'cpu-features' },
  { name: 'dockerode', via: 'cpu-features' },
  { name: 'bunyan', via: 'dtrace-provider' },
  { name: 'chokidar', range: '^3', via: 'fsevents' },
  { name: 'msgpackr', via: 'msgpackr-extract' },
  { name: 'cbor-x', via: 'cbor-extract' },
  { name: '@google-cloud/profiler', via: 'pprof' },
  { name: 'restify', via: 'dtrace-provider' },
  { name: '@rspack/core', via: '@rspack/binding' },
  { name: '@sentry/profiling-node', via: '@sentry/node-cpu-profiler' },
  { name: '@duckdb/node-api', via: '@duckdb/node-bindings' },
  { name: '@libsql/client', via: 'libsql' },
  { name: 'pg-native', via: 'libpq' },
];

/** Extra dependencies a candidate's call needs. */
const EXTRA = { 'sqlite-vec': { 'better-sqlite3': '*' } };

const LOADERS = [
  'node-gyp-build',
  'node-gyp-build-optional-packages',
  'prebuild-install',
  '@mapbox/node-pre-gyp',
  'node-pre-gyp',
  '@discordjs/node-pre-gyp',
  'node-addon-api',
  'nan',
  'bindings',
  'cmake-js',
  'pkg-prebuilds',
  'napi-postinstall',
  '@napi-rs/triples',
  'node-gyp',
  'install-artifact-from-github',
  'cmake-ts',
  'prebuildify',
];

function downloadCounts() {
  const counts = new Map();
  if (!existsSync(DOWNLOADS)) return counts;
  for (const line of readFileSync(DOWNLOADS, 'utf8').split('\n').slice(1)) {
    const [name, , n] = line.split('\t');
    if (name) counts.set(name, Number(n) || 0);
  }
  return counts;
}

async function packument(name) {
  const res = await fetch(REGISTRY + name.replace('/', '%2f'), { headers: { accept: 'application/json' } });
  if (!res.ok) throw Object.assign(new Error(`${name}: registry says ${res.status}`), { status: res.status });
  return res.json();
}

/** The version to pin, and why when it is not `latest`. */
function pickVersion(doc, range) {
  const latest = doc['dist-tags']?.latest;
  const runsHere = (v) => {
    const engines = doc.versions[v]?.engines?.node;
    return !engines || typeof engines !== 'string' || semver.satisfies(HOST_NODE, engines);
  };
  if (!range && latest && runsHere(latest)) return { version: latest, pinnedBecause: null };
  const releases = Object.keys(doc.versions)
    .filter((v) => !semver.prerelease(v) && (!range || semver.satisfies(v, range)))
    .sort(semver.rcompare);
  const pick = releases.find(runsHere);
  if (!pick) return { version: null, pinnedBecause: 'no release whose engines.node allows Node 20' };
  if (range) return { version: pick, pinnedBecause: `range ${range} requested` };
  return {
    version: pick,
    pinnedBecause: `latest ${latest} needs engines.node ${doc.versions[latest].engines.node}; ${pick} is the newest that allows Node ${HOST_NODE}`,
  };
}

async function tarballFiles(spec) {
  const { stdout } = await run(
    'npm',
    ['pack', '--dry-run', '--json', '--ignore-scripts', '--loglevel=error', spec],
    {
      cwd: HERE,
      maxBuffer: 256 * 1024 * 1024,
      timeout: 5 * 60_000,
    },
  );
  const [packed] = JSON.parse(stdout);
  return packed.files.map((f) => f.path);
}

/** What in a manifest and its file list says the package ships, downloads or builds a `.node`. */
function nativeSignals(manifest, files) {
  const signals = [];
  const scripts = manifest.scripts ?? {};
  for (const phase of ['preinstall', 'install', 'postinstall']) {
    if (scripts[phase]) signals.push(`scripts.${phase}: ${String(scripts[phase]).slice(0, 160)}`);
  }
  if (manifest.gypfile) signals.push('gypfile: true');
  if (manifest.binary) signals.push(`binary: ${JSON.stringify(manifest.binary).slice(0, 200)}`);
  const deps = { ...manifest.dependencies, ...manifest.optionalDependencies };
  for (const loader of LOADERS) if (deps[loader]) signals.push(`depends on ${loader}`);
  const platformPkgs = Object.keys(manifest.optionalDependencies ?? {}).filter((d) =>
    /(linux|darwin|win32|freebsd|android)[-_]/.test(d),
  );
  if (platformPkgs.length)
    signals.push(
      `platform optionalDependencies: ${platformPkgs.length} (${platformPkgs.find((p) => /linux-x64/.test(p)) ?? platformPkgs[0]})`,
    );
  const nodeFiles = files.filter((f) => f.endsWith('.node'));
  if (nodeFiles.length)
    signals.push(`.node in tarball: ${nodeFiles.length} (${nodeFiles.slice(0, 3).join(', ')})`);
  if (files.some((f) => f.startsWith('prebuilds/'))) signals.push('prebuilds/ in tarball');
  if (files.includes('binding.gyp')) signals.push('binding.gyp in tarball');
  if (files.includes('CMakeLists.txt') && deps['cmake-js'])
    signals.push('CMakeLists.txt (cmake-js) in tarball');
  return signals;
}

async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

async function examine(candidate, counts) {
  const c = typeof candidate === 'string' ? { name: candidate } : candidate;
  const entry = { name: c.name, version: null, downloadsPerMonth: counts.get(c.name) ?? null };
  try {
    const doc = await packument(c.name);
    const { version, pinnedBecause } = pickVersion(doc, c.range);
    if (!version) return { ...entry, excluded: pinnedBecause };
    Object.assign(entry, { version, latest: doc['dist-tags']?.latest ?? null, pinnedBecause });
    const manifest = doc.versions[version];
    entry.engines = manifest.engines?.node ?? null;
    entry.os = manifest.os ?? null;
    entry.cpu = manifest.cpu ?? null;
    if (c.range) entry.range = c.range;
    if (EXTRA[c.name]) entry.extraDependencies = EXTRA[c.name];
    if (c.via) {
      // the native package is reached through the parent's dependencies: the signal is its own
      const deps = { ...manifest.dependencies, ...manifest.optionalDependencies };
      const range = deps[c.via];
      const edge = manifest.optionalDependencies?.[c.via]
        ? 'optionalDependencies'
        : manifest.dependencies?.[c.via]
          ? 'dependencies'
          : null;
      const viaDoc = await packument(c.via);
      const viaVersion = range ? semver.maxSatisfying(Object.keys(viaDoc.versions), range) : null;
      entry.via = { name: c.via, edge: edge ?? 'transitive', range: range ?? null, version: viaVersion };
      const viaManifest = viaVersion
        ? viaDoc.versions[viaVersion]
        : viaDoc.versions[viaDoc['dist-tags'].latest];
      const files = await tarballFiles(`${c.via}@${viaManifest.version}`);
      entry.signals = nativeSignals(viaManifest, files).map((s) => `${c.via}: ${s}`);
      entry.signals.unshift(`reaches ${c.via} through ${edge ?? 'a transitive dependency'}`);
    } else {
      const files = await tarballFiles(`${c.name}@${version}`);
      entry.signals = nativeSignals(manifest, files);
    }
    if (!entry.signals.some((s) => !s.startsWith('reaches ')))
      entry.excluded = 'no native signal in metadata or tarball';
  } catch (err) {
    entry.excluded = `could not read: ${String(err.message).split('\n')[0].slice(0, 200)}`;
  }
  return entry;
}

const outIndex = process.argv.indexOf('--out');
const out = outIndex > 0 ? process.argv[outIndex + 1] : `${HERE}population.json`;
const counts = downloadCounts();
const seen = new Set();
const unique = CANDIDATES.filter((c) => {
  const key = typeof c === 'string' ? c : c.name;
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
});
const examined = await mapLimit(unique, 6, async (c, i) => {
  const e = await examine(c, counts);
  process.stderr.write(
    `[${i + 1}/${unique.length}] ${e.name}@${e.version ?? '-'} ${e.excluded ? `excluded: ${e.excluded}` : `${e.signals.length} signals`}\n`,
  );
  return e;
});
const byDownloads = (a, b) =>
  (b.downloadsPerMonth ?? -1) - (a.downloadsPerMonth ?? -1) || a.name.localeCompare(b.name);
const packages = examined.filter((e) => !e.excluded).sort(byDownloads);
const excluded = examined.filter((e) => e.excluded).sort(byDownloads);
writeFileSync(
  out,
  JSON.stringify(
    {
      generated: new Date().toISOString().slice(0, 10),
      hostNode: HOST_NODE,
      rankedBy: existsSync(DOWNLOADS) ? 'downloads_a_month of the workplace package list' : 'not ranked',
      packages,
      excluded,
    },
    null,
    2,
  ) + '\n',
);
console.log(`population: ${packages.length} packages, ${excluded.length} excluded → ${out}`);
