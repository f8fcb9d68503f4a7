import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { readZipPackage, splitZipPath } from '../../src/tree/installed-zip.js';
import { tempDir } from '../helpers/fixture-project.js';

/** A zip archive as Yarn's cache holds them: files deflated (or stored), a central directory, an end record. */
function zip(files: Record<string, string | Buffer>, method: 0 | 8 = 8): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const raw = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const data = method === 8 ? deflateRawSync(raw) : raw;
    const nameBuf = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

let tmp: ReturnType<typeof tempDir> | undefined;
afterEach(() => tmp?.cleanup());

describe("a package inside a zip of Yarn's cache", () => {
  it('reads its package.json and its top-level entries, deflated or stored', () => {
    tmp = tempDir('ng-zip-');
    for (const method of [0, 8] as const) {
      const file = join(tmp.dir, `esbuild-npm-0.28.2-${method}.zip`);
      writeFileSync(
        file,
        zip(
          {
            'node_modules/esbuild/package.json': JSON.stringify({
              name: 'esbuild',
              version: '0.28.2',
              optionalDependencies: { '@esbuild/linux-x64': '0.28.2' },
            }),
            'node_modules/esbuild/lib/main.js': 'module.exports = {}',
            'node_modules/esbuild/install.js': '',
            'node_modules/other/package.json': '{}',
          },
          method,
        ),
      );
      const where = splitZipPath(`${file}/node_modules/esbuild/`)!;
      expect(where).toEqual({ zip: file, inner: 'node_modules/esbuild/' });
      expect(readZipPackage(where.zip, where.inner)).toEqual({
        manifest: {
          name: 'esbuild',
          version: '0.28.2',
          optionalDependencies: { '@esbuild/linux-x64': '0.28.2' },
        },
        rootEntries: ['install.js', 'lib/', 'package.json'],
      });
    }
  });

  it('gives up on what is no zip, a truncated one, or a manifest over the bound, without throwing', () => {
    tmp = tempDir('ng-zip-');
    const notZip = join(tmp.dir, 'a.zip');
    writeFileSync(notZip, 'PK this is not an archive at all, just some text of a reasonable length');
    expect(readZipPackage(notZip, 'node_modules/a/')).toBeNull();
    const whole = zip({ 'node_modules/a/package.json': '{"name":"a"}' });
    const cut = join(tmp.dir, 'b.zip');
    writeFileSync(cut, whole.subarray(0, whole.length - 30));
    expect(readZipPackage(cut, 'node_modules/a/')).toBeNull();
    // a deflate bomb: 64 MiB of spaces in a small entry stops at the bound, the entries still list
    const bomb = join(tmp.dir, 'c.zip');
    writeFileSync(bomb, zip({ 'node_modules/c/package.json': Buffer.alloc(64 * 1024 * 1024, 0x20) }));
    expect(readZipPackage(bomb, 'node_modules/c/')).toEqual({
      manifest: null,
      rootEntries: ['package.json'],
    });
    expect(readZipPackage(join(tmp.dir, 'missing.zip'), 'node_modules/a/')).toBeNull();
  });
});
