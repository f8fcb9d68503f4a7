import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectFile, readBinaryFacts } from '../../src/binary/facts.js';
import { bufferSource, openFileSource, sliceSource } from '../../src/binary/source.js';
import type { ByteSource } from '../../src/model/binary.js';
import { binaryNotesWords } from '../../src/report/binary-words.js';
import { addon, binary } from './paths.js';

/** Wraps a source and records what was asked of it. */
function counting(inner: ByteSource) {
  const stats = { reads: 0, bytes: 0 };
  const source: ByteSource = {
    size: inner.size,
    read(offset, length) {
      stats.reads++;
      const out = inner.read(offset, length);
      stats.bytes += out.length;
      return out;
    },
  };
  return { source, stats };
}

describe('bufferSource and sliceSource', () => {
  const bytes = Uint8Array.from({ length: 100 }, (_, i) => i);

  it('returns fewer bytes at the end and nothing outside, never throwing', () => {
    const s = bufferSource(bytes);
    expect([...s.read(98, 10)]).toEqual([98, 99]);
    for (const [o, l] of [
      [100, 1],
      [-1, 5],
      [0, -1],
      [Number.NaN, 4],
      [2 ** 60, 4],
      [0, Number.POSITIVE_INFINITY],
    ]) {
      expect(s.read(o!, l!).length).toBe(0);
    }
  });

  it('a slice cannot read past its window or the file', () => {
    const s = sliceSource(bufferSource(bytes), 90, 50);
    expect(s.size).toBe(10);
    expect([...s.read(8, 5)]).toEqual([98, 99]);
    expect(s.read(10, 1).length).toBe(0);
    expect(sliceSource(bufferSource(bytes), 200, 10).size).toBe(0);
  });
});

describe('openFileSource', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'native-guard-binary-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads what a buffer would, small reads and large ones', () => {
    const path = binary('sharp-linux-x64-0.33.5');
    const whole = readFileSync(path);
    const file = openFileSource(path);
    try {
      for (const [o, l] of [
        [0, 64],
        [65530, 20], // across a cache page boundary
        [100_000, 70_000], // larger than a page
        [whole.length - 10, 100],
      ]) {
        expect(Buffer.from(file.read(o!, l!)).equals(whole.subarray(o!, o! + l!))).toBe(true);
      }
    } finally {
      file.close();
    }
    expect(file.read(0, 4).length).toBe(0); // closed: nothing, not an EBADF throw
  });

  it('a 200 MB addon costs its headers and tables, not 200 MB', () => {
    // legacy-abi followed by a sparse hole: the file is 200 MB on paper, a few KB on disk.
    const path = join(dir, 'huge.node');
    const head = readFileSync(addon('legacy-abi'));
    const fd = openSync(path, 'w');
    writeSync(fd, head, 0, head.length, 0);
    writeSync(fd, Buffer.from([0]), 0, 1, 200 * 1024 * 1024 - 1);
    closeSync(fd);
    const file = openFileSource(path);
    try {
      const { source, stats } = counting(file);
      expect(source.size).toBe(200 * 1024 * 1024);
      const facts = readBinaryFacts(source);
      expect(facts.module).toEqual({ kind: 'abi', abi: '115' });
      expect(stats.bytes).toBeLessThan(64 * 1024);
    } finally {
      file.close();
    }
  });

  it('a hostile header claiming a 4 GiB symbol table reads at most the file', () => {
    // A source that claims to be huge but holds only the fixture: caps, not the claim, bound reads.
    const real = readFileSync(addon('napi-ok'));
    const size = 4 * 1024 ** 3;
    const { source, stats } = counting({
      size,
      read: (o, l) =>
        o < real.length ? real.subarray(o, Math.min(o + l, real.length)) : new Uint8Array(Math.min(l, 4096)),
    });
    readBinaryFacts(source);
    expect(stats.bytes).toBeLessThan(1024 * 1024);
  });
});

describe('inspectFile turns file-system trouble into a note, which the renderer words', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'native-guard-binary-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const reasonOf = (path: string) => {
    const f = inspectFile(path);
    expect(f.format).toBeNull();
    expect(f.module).toEqual({ kind: 'unknown' });
    expect(f.notes).toHaveLength(1);
    return binaryNotesWords(f.notes);
  };

  it('the notes are codes with their arguments, never words', () => {
    expect(inspectFile(join(dir, 'missing.node')).notes).toEqual([
      { code: 'CANNOT_READ', errorCode: 'ENOENT' },
    ]);
    writeFileSync(join(dir, 'html.node'), '<html>not found</html>\n');
    expect(inspectFile(join(dir, 'html.node')).notes).toEqual([{ code: 'NOT_A_BINARY', kind: 'text' }]);
    writeFileSync(join(dir, 'gz.node'), Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0));
    expect(inspectFile(join(dir, 'gz.node')).notes).toEqual([
      { code: 'NOT_A_BINARY', kind: 'other', head: '1f 8b 08 00' },
    ]);
  });

  it('missing file, directory, empty file, symlink loop, path through a file', () => {
    expect(reasonOf(join(dir, 'missing.node'))).toBe('cannot read: file not found');
    expect(reasonOf(dir)).toBe('cannot read: a directory, not a file');
    writeFileSync(join(dir, 'empty.node'), '');
    expect(reasonOf(join(dir, 'empty.node'))).toBe('empty file');
    symlinkSync(join(dir, 'loop-b.node'), join(dir, 'loop-a.node'));
    symlinkSync(join(dir, 'loop-a.node'), join(dir, 'loop-b.node'));
    expect(reasonOf(join(dir, 'loop-a.node'))).toBe('cannot read: symlink loop');
    expect(reasonOf(join(dir, 'empty.node', 'x.node'))).toBe(
      'cannot read: a parent of the path is not a directory',
    );
  });

  it('a file that is not a binary', () => {
    writeFileSync(join(dir, 'text.node'), 'module.exports = 1;\n');
    expect(reasonOf(join(dir, 'text.node'))).toBe('a text file, not a binary');
    writeFileSync(join(dir, 'short.node'), Uint8Array.of(0x7f, 0x45));
    expect(reasonOf(join(dir, 'short.node'))).toBe('file too short (2 bytes) to be a binary');
    writeFileSync(join(dir, 'zip.node'), Uint8Array.of(0x50, 0x4b, 3, 4, 0xff, 0));
    expect(reasonOf(join(dir, 'zip.node'))).toBe('not an ELF, Mach-O or PE file (starts 50 4b 03 04)');
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable file (skipped as root, who can read anything)', () => {
    const path = join(dir, 'secret.node');
    writeFileSync(path, readFileSync(addon('napi-ok')));
    chmodSync(path, 0o000);
    expect(reasonOf(path)).toBe('cannot read: permission denied');
  });

  it.skipIf(process.platform === 'win32')('a FIFO is refused instead of blocking forever', () => {
    const path = join(dir, 'pipe.node');
    execFileSync('mkfifo', [path]);
    expect(reasonOf(path)).toBe('cannot read: not a regular file');
    expect(() => openFileSource(path)).toThrow(expect.objectContaining({ code: 'ENOTREG' }));
  });

  it.skipIf(process.platform === 'win32')('/dev/null is not a regular file either', () => {
    expect(reasonOf('/dev/null')).toBe('cannot read: not a regular file');
  });
});
