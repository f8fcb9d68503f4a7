#!/usr/bin/env node
// Fuzzes the compiled binary parsers (dist/binary) with mutated fixtures and random bytes, and
// prints how many inputs made them throw, hang, return malformed facts, or take over 10 ms. All
// must be 0. `npm run fuzz` builds dist/ first; options: --cases N (default 100000), --seed S.
// Failing inputs are saved to .cache/fuzz-binary/ for replay with inspectFile.
//
// The parsing runs in a worker: it publishes each input before parsing it, so when a case never
// finishes, this thread can stop the worker and still save the input that hung.
//
// A case counts as slow only if it stays over the limit on three re-runs: a GC pause or a JIT
// deoptimisation in the middle of one run is the machine's noise, not the parser's cost.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
const CASES = option('cases', 100_000);
const SEED = option('seed', 1) >>> 0 || 1;
const SLOW_MS = option('slow-ms', 10);
/** No progress for this long is a hang. Far above the slow limit, so only a runaway loop trips it. */
const STALL_MS = 10_000;
const MAX_CASE_BYTES = 8 * 1024 * 1024;

const saveDir = new URL('../.cache/fuzz-binary/', import.meta.url);
function save(name, bytes) {
  mkdirSync(saveDir, { recursive: true });
  const file = new URL(name, saveDir);
  writeFileSync(file, bytes);
  return file.pathname;
}

if (isMainThread) {
  const factsModule = new URL('../dist/binary/facts.js', import.meta.url);
  if (!existsSync(factsModule)) {
    console.error('fuzz-binary: dist/binary is missing; run `npm run fuzz`, which compiles first');
    process.exit(2);
  }
  // [case index, case length]; the worker writes both before each parse.
  const control = new Int32Array(new SharedArrayBuffer(8));
  const data = new Uint8Array(new SharedArrayBuffer(MAX_CASE_BYTES));
  control[0] = -1;
  const worker = new Worker(new URL(import.meta.url), { workerData: { control, data }, argv: args });
  let last = -1;
  let lastChange = performance.now();
  const watchdog = setInterval(() => {
    const current = Atomics.load(control, 0);
    if (current !== last) {
      last = current;
      lastChange = performance.now();
    } else if (current >= 0 && performance.now() - lastChange > STALL_MS) {
      clearInterval(watchdog);
      void worker.terminate();
      const bytes = data.slice(0, Atomics.load(control, 1));
      console.log(`fuzz-binary: case ${current} (seed ${SEED}) has not returned in ${STALL_MS / 1000} s`);
      console.log(`  hangs: 1 → ${save(`hang-${SEED}-${current}.node`, bytes)}`);
      process.exitCode = 1;
    }
  }, 250);
  worker.on('message', (summary) => {
    clearInterval(watchdog);
    for (const line of summary.lines) console.log(line);
    process.exitCode = summary.failed ? 1 : 0;
  });
  worker.on('error', (error) => {
    clearInterval(watchdog);
    console.error('fuzz-binary: worker failed:', error);
    process.exitCode = 2;
  });
} else {
  await fuzz(workerData.control, workerData.data);
}

async function fuzz(control, data) {
  const { readBinaryFacts } = await import(new URL('../dist/binary/facts.js', import.meta.url).href);
  const { bufferSource } = await import(new URL('../dist/binary/source.js', import.meta.url).href);

  // xorshift32: deterministic for a seed, so any failing case can be replayed with --seed.
  let state = SEED;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  const below = (n) => (n <= 0 ? 0 : next() % n);
  const pick = (list) => list[below(list.length)];

  const fixtures = [];
  for (const dir of ['../fixtures/addons/bin/', '../fixtures/binaries/']) {
    const url = new URL(dir, import.meta.url);
    for (const name of readdirSync(url).sort()) {
      if (!name.endsWith('.node')) continue;
      const bytes = new Uint8Array(readFileSync(new URL(name, url)));
      if (bytes.length > 0) fixtures.push({ name, bytes, boundaries: boundariesOf(bytes) });
    }
  }

  /** The offsets a parse of the intact file reads: where damage reaches the parsing code. */
  function boundariesOf(bytes) {
    const inner = bufferSource(bytes);
    const seen = new Set();
    readBinaryFacts({
      size: inner.size,
      read(offset, length) {
        seen.add(offset);
        seen.add(offset + length);
        return inner.read(offset, length);
      },
    });
    return [...seen].filter((o) => o >= 0 && o < bytes.length);
  }

  const INTERESTING = [
    0, 1, 2, 4, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
    0xfffffff0, 0xffffffff,
  ];
  const MAGICS = [
    [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1],
    [0x7f, 0x45, 0x4c, 0x46, 1, 2, 1],
    [0xcf, 0xfa, 0xed, 0xfe],
    [0xfe, 0xed, 0xfa, 0xce],
    [0xca, 0xfe, 0xba, 0xbe],
    [0xca, 0xfe, 0xba, 0xbf],
    [0x4d, 0x5a],
  ];

  function write(bytes, at, width, value, le) {
    if (at < 0 || at + width > bytes.length) return;
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (width === 1) v.setUint8(at, value & 0xff);
    else if (width === 2) v.setUint16(at, value & 0xffff, le);
    else if (width === 4) v.setUint32(at, value >>> 0, le);
    else v.setBigUint64(at, BigInt(value >>> 0) * (next() & 1 ? 0x100000001n : 1n), le);
  }

  const aimedAt = (f) =>
    f.boundaries.length > 0 ? pick(f.boundaries) + below(17) - 8 : below(f.bytes.length);

  const STRATEGIES = {
    // Random bytes anywhere.
    flip(f) {
      const b = f.bytes.slice();
      for (let i = 1 + below(16); i > 0; i--) b[below(b.length)] = next() & 0xff;
      return b;
    },
    // Interesting values where the parser reads counts, offsets and sizes.
    aimed(f) {
      const b = f.bytes.slice();
      for (let i = 1 + below(8); i > 0; i--) {
        write(b, aimedAt(f), pick([1, 2, 4, 8]), next() & 1 ? pick(INTERESTING) : next(), next() % 4 !== 0);
      }
      return b;
    },
    // Cut at a structure boundary, or anywhere.
    cut(f) {
      const at = next() & 1 ? aimedAt(f) : below(f.bytes.length);
      return f.bytes.slice(0, Math.max(0, Math.min(at, f.bytes.length)));
    },
    // Copy one region over another: headers pointing into headers, tables overlapping.
    splice(f) {
      const b = f.bytes.slice();
      const length = 1 + below(512);
      const from = aimedAt(f);
      const to = aimedAt(f);
      if (from >= 0 && to >= 0) b.copyWithin(to, from, Math.min(from + length, b.length));
      return b;
    },
    aimedCut(f) {
      return STRATEGIES.cut({ ...f, bytes: STRATEGIES.aimed(f) });
    },
    // Random bodies behind a real magic number.
    random() {
      const magic = pick(MAGICS);
      const b = new Uint8Array(magic.length + below(65536));
      for (let i = 0; i < b.length; i++) b[i] = next() & 0xff;
      b.set(magic);
      return b;
    },
  };
  const WEIGHTED = [
    'flip',
    'flip',
    'aimed',
    'aimed',
    'aimed',
    'aimed',
    'cut',
    'splice',
    'aimedCut',
    'random',
  ];

  const FORMATS = new Set(['elf', 'macho', 'pe', null]);
  function malformed(f) {
    return (
      !f ||
      !FORMATS.has(f.format) ||
      !Array.isArray(f.arches) ||
      !Array.isArray(f.needed) ||
      (f.arch !== null && !f.arches.includes(f.arch)) ||
      !['napi', 'abi', 'unknown'].includes(f.module?.kind) ||
      (f.format === null && typeof f.reason !== 'string')
    );
  }

  function timed(bytes) {
    const start = performance.now();
    const facts = readBinaryFacts(bufferSource(bytes));
    return { facts, ms: performance.now() - start };
  }

  // Warm the JIT on intact files so the first timed cases measure the parser, not the compiler.
  for (let i = 0; i < 20; i++) for (const f of fixtures) readBinaryFacts(bufferSource(f.bytes));

  const saveCase = (i, bytes) => save(`case-${SEED}-${i}.node`, bytes);

  const counts = { throws: 0, slow: 0, malformed: 0 };
  const byStrategy = {};
  const failures = [];
  let slowest = { ms: 0, label: '' };
  const began = performance.now();

  for (let i = 0; i < CASES; i++) {
    const strategy = pick(WEIGHTED);
    const fixture = pick(fixtures);
    const caseSeed = state >>> 0;
    const bytes = STRATEGIES[strategy](fixture);
    const label = `case ${i} (${strategy} on ${strategy === 'random' ? 'random bytes' : fixture.name}, state ${caseSeed})`;
    byStrategy[strategy] = (byStrategy[strategy] ?? 0) + 1;
    if (bytes.length <= data.length) data.set(bytes);
    Atomics.store(control, 1, Math.min(bytes.length, data.length));
    Atomics.store(control, 0, i);
    try {
      let { facts, ms } = timed(bytes);
      // Re-time anything that would be reported (slow, or the slowest so far) to drop one-off pauses.
      for (let retry = 0; retry < 3 && ms > Math.min(SLOW_MS, slowest.ms); retry++)
        ms = Math.min(ms, timed(bytes).ms);
      if (ms > SLOW_MS) {
        counts.slow++;
        failures.push(`slow (${ms.toFixed(1)} ms): ${label} → ${saveCase(i, bytes)}`);
      }
      if (ms > slowest.ms) slowest = { ms, label };
      if (malformed(facts)) {
        counts.malformed++;
        failures.push(`malformed: ${label} → ${saveCase(i, bytes)}: ${JSON.stringify(facts)}`);
      }
    } catch (error) {
      counts.throws++;
      failures.push(
        `throw: ${label} → ${saveCase(i, bytes)}: ${error instanceof Error ? error.stack : String(error)}`,
      );
    }
  }

  const seconds = ((performance.now() - began) / 1000).toFixed(1);
  const strategies = Object.entries(byStrategy)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const lines = [
    `fuzz-binary: ${CASES} cases, seed ${SEED}, ${fixtures.length} fixtures, ${seconds} s`,
    `  by strategy: ${strategies}`,
    `  slowest: ${slowest.ms.toFixed(2)} ms — ${slowest.label}`,
    `  throws: ${counts.throws}`,
    `  hangs: 0`,
    `  over ${SLOW_MS} ms: ${counts.slow}`,
    `  malformed results: ${counts.malformed}`,
    ...failures.slice(0, 20).map((f) => `  ${f}`),
  ];
  parentPort.postMessage({ lines, failed: counts.throws + counts.slow + counts.malformed > 0 });
}
