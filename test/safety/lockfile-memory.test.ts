// Lockfile mode reads `.node` facts out of tarballs as they stream past. A big `.node` must cost a
// bounded window of memory, not its size (twice): real compiled addons padded to 150 MB, served by
// a real registry on loopback, read by `check` in a child process whose peak RSS is the measure.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bigAddonPackages,
  packageTarball,
  paddedElf,
  startRegistry,
  writeLockfileProject,
} from '../../bench/big-binaries.mjs';
import { inspectFile, readBinaryFacts } from '../../src/binary/facts.js';
import { bufferSource } from '../../src/binary/source.js';
import type { BinaryFacts } from '../../src/model/binary.js';
import { ByteBudget } from '../../src/tree/binary-window.js';
import { readTarball } from '../../src/tree/tarball-files.js';
import type { BinaryRead, TarballOpener } from '../../src/tree/tarball-files.js';
import { addon, allFixtureFiles } from '../binary/paths.js';
import { ensureBuilt, REPO } from '../helpers/build.js';

const MiB = 1024 * 1024;
const scratch = mkdtempSync(join(tmpdir(), 'ng-lockfile-memory-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Opens the same bytes as often as asked, as npm's cache does for a second read. */
const opener =
  (tgz: Buffer): TarballOpener =>
  (handler) =>
    handler(Readable.from([tgz]));

const unread = (f: BinaryFacts) => f.notes.some((n) => n.code === 'NOT_READ_FROM_TARBALL');

/** Facts read through a window are the whole file's, or unknown with a note why: never other facts. */
function expectExactOrUnread(got: BinaryFacts | null | undefined, whole: BinaryFacts, label: string) {
  if (got && unread(got)) {
    expect({ label, format: got.format, module: got.module, arches: got.arches }).toEqual({
      label,
      format: whole.format,
      module: { kind: 'unknown' },
      arches: [],
    });
  } else expect({ label, facts: got }).toEqual({ label, facts: whole });
}

describe('binary facts from a bounded window of the tarball stream', () => {
  it('every fixture: the facts of the whole file or unknown with the reason, never more kept than the window', async () => {
    let exact = 0;
    for (const file of allFixtureFiles()) {
      const bytes = readFileSync(file);
      if (bytes.length < 2) continue;
      const whole = inspectFile(file);
      const tgz = await packageTarball({ 'package.json': '{"name":"x","version":"1.0.0"}', 'a.node': bytes });
      // a window smaller than the file forces the head-and-ranges reading on these small binaries
      for (const window of [
        { cap: bytes.length - 1, head: 512 },
        { cap: 4096, head: 1024 },
      ]) {
        const reads: BinaryRead[] = [];
        const budget = new ByteBudget(window.cap);
        const index = await readTarball(opener(tgz), {
          binaryWindowBytes: window.cap,
          binaryHeadBytes: window.head,
          maxReads: 12,
          budget,
          onBinary: (r) => reads.push(r),
        });
        const label = `${file.split('/').pop()} window ${window.cap}`;
        expect(reads.length, label).toBeGreaterThan(0);
        for (const r of reads) expect(r.keptBytes, label).toBeLessThanOrEqual(window.cap);
        expect(budget.peak, label).toBeLessThanOrEqual(window.cap);
        expectExactOrUnread(index.facts['a.node'], whole, label);
        if (isDeepStrictEqual(index.facts['a.node']?.notes, whole.notes)) exact++;
      }
    }
    // most of them fit even a 4 KiB window
    expect(exact).toBeGreaterThan(allFixtureFiles().length);
  });

  it('real addons padded to 40 MB: exact facts from the default 32 MiB window, in as many reads as their pointers need', async () => {
    const cases: Array<[string, number]> = [
      ['napi-ok', 2],
      ['napi-v10', 2],
      ['musl', 2],
      ['glibc-new', 2],
      ['hybrid', 2],
      ['abi-init', 1],
      ['legacy-abi', 4],
    ];
    for (const [name, expectedReads] of cases) {
      const parts = paddedElf(readFileSync(addon(name)), 40 * MiB);
      const tgz = await packageTarball({ 'package.json': '{"name":"x","version":"1.0.0"}', 'a.node': parts });
      const reads: BinaryRead[] = [];
      const index = await readTarball(opener(tgz), { onBinary: (r) => reads.push(r) });
      const whole = readBinaryFacts(
        bufferSource(Buffer.concat([parts.before, Buffer.alloc(parts.pad), parts.after])),
      );
      expect({ name, facts: index.facts['a.node'] }).toEqual({ name, facts: whole });
      expect(whole.format).toBe('elf');
      expect({ name, reads: reads.length }).toEqual({ name, reads: expectedReads });
      for (const r of reads) expect(r.keptBytes).toBeLessThanOrEqual(32 * MiB);
      // the first read keeps the 1 MiB head and what it points to; later reads only what was missing
      expect(Math.max(...reads.map((r) => r.keptBytes))).toBeLessThan(2 * MiB);
    }
  });

  it('read once (a plain stream), a big addon whose pointers lead back gets unknown facts with the reason', async () => {
    const parts = paddedElf(readFileSync(addon('napi-v10')), 40 * MiB);
    const tgz = await packageTarball({ 'package.json': '{"name":"x","version":"1.0.0"}', 'a.node': parts });
    const index = await readTarball(Readable.from([tgz]));
    expect(index.facts['a.node']).toMatchObject({
      format: 'elf',
      module: { kind: 'unknown' },
      notes: [{ code: 'NOT_READ_FROM_TARBALL', why: 'single-read' }],
    });
  });

  it('tarballs read at once share one byte budget: a reader waits for its share, none is refused', async () => {
    const parts = paddedElf(readFileSync(addon('napi-v10')), 40 * MiB);
    const tgz = await packageTarball({
      'package.json': '{"name":"x","version":"1.0.0"}',
      'a.node': parts,
      'b.node': readFileSync(addon('musl')),
      'c.node': parts,
    });
    const budget = new ByteBudget(2 * 32 * MiB);
    const indexes = await Promise.all(Array.from({ length: 5 }, () => readTarball(opener(tgz), { budget })));
    expect(budget.peak).toBeLessThanOrEqual(2 * 32 * MiB);
    // more than one reader held a share at once: the budget, not a count, bounded them
    expect(budget.peak).toBeGreaterThan(32 * MiB);
    for (const index of indexes) {
      expect(index.facts['a.node']).toMatchObject({ format: 'elf', napiVersion: 10, notes: [] });
      expect(index.facts['c.node']).toEqual(index.facts['a.node']);
      expect(index.facts['b.node']).toEqual(inspectFile(addon('musl')));
    }
  });
});

describe('check --lockfile-only on tarballs holding big .node files', () => {
  it('eight 150 MB addons from a loopback registry: the facts are read, and the process stays under 400 MB', async () => {
    ensureBuilt();
    const packages = await bigAddonPackages(readFileSync(addon('napi-v10')), 8, 150 * MiB);
    const registry = await startRegistry(packages);
    try {
      const dir = mkdtempSync(join(scratch, 'project-'));
      await writeLockfileProject(dir, registry.url, packages, ['fetch-retries=0']);
      // half the entries without a resolved URL (npm's omit-lockfile-registry-resolved): their
      // tarballs come after the packument, teed into npm's cache while they are read
      const lockPath = join(dir, 'package-lock.json');
      const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as {
        packages: Record<string, Record<string, unknown>>;
      };
      for (const p of packages.slice(0, 4)) delete lock.packages[`node_modules/${p.name}`]!.resolved;
      writeFileSync(lockPath, JSON.stringify(lock));
      const child = join(scratch, 'child.mjs');
      writeFileSync(
        child,
        `import { check } from ${JSON.stringify(pathToFileURL(join(REPO, 'dist', 'index.js')).href)};
const report = await check({ cwd: process.argv[2], targets: ['node22-linux-x64-glibc'], lockfileOnly: true, indexCache: null });
console.log(JSON.stringify({ rss: process.resourceUsage().maxRSS * 1024, packages: report.packages, findings: report.findings }));
`,
      );
      const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const p = spawn(process.execPath, [child, dir], {
          env: { ...process.env, npm_config_cache: mkdtempSync(join(scratch, 'cache-')) },
        });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        // a kill timer that makes the test fail, never pass
        const kill = setTimeout(() => p.kill('SIGKILL'), 170_000);
        p.on('close', (code) => {
          clearTimeout(kill);
          resolve({ code, stdout, stderr });
        });
      });
      expect(out.stderr).toBe('');
      expect(out.code).toBe(0);
      const result = JSON.parse(out.stdout.trim().split('\n').pop()!) as {
        rss: number;
        packages: Array<{ name: string; predictions: Array<Record<string, unknown>> }>;
        findings: Array<{ code: string }>;
      };
      // a prebuild for the target makes each install script unnecessary; nothing else is found
      expect([...new Set(result.findings.map((f) => f.code))]).toEqual(['INSTALL_SCRIPT_NOT_NEEDED']);
      expect(result.packages.map((p) => p.name).sort()).toEqual(packages.map((p) => p.name).sort());
      for (const p of result.packages) {
        expect(p.predictions[0]).toMatchObject({
          outcome: 'prebuilt',
          binary: `prebuilds/linux-x64/${p.name}.napi.node`,
          facts: { format: 'elf', arch: 'x64', module: { kind: 'napi' }, napiVersion: 10, notes: [] },
        });
      }
      // 1.2 GB of .node files went through; before the window, the peak was about 1.5 GB
      expect(result.rss).toBeLessThan(400 * MiB);
    } finally {
      await registry.close();
    }
  }, 180_000);
});
