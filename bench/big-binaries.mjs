// Packages whose tarballs hold large `.node` files, served by a real registry on loopback: what
// lockfile mode's memory is measured against (npm run bench memory, test/safety/lockfile-memory).
// A big addon is a real compiled fixture with zero bytes inserted before its executable segment,
// which gives the layout of a real big addon: ELF header, program headers and dynamic symbols
// first, then megabytes of code, then .dynamic, .symtab and the section headers at the end.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { createGzip } from 'node:zlib';
import { Header } from 'tar';

const PT_LOAD = 1;

/**
 * A 64-bit little-endian ELF split around `pad` zero bytes inserted at the start of its first
 * PT_LOAD segment after the headers (the code, or with one code-and-headers segment, the data). Every file offset past that point (program headers, section headers,
 * e_shoff) moves by `pad`; addresses stay, so it is still a valid, loadable ELF when `pad` is a
 * multiple of the segment alignment (2 MiB covers every alignment linkers use).
 */
export function paddedElf(elf, pad) {
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1)
    throw new Error('paddedElf: needs a 64-bit little-endian ELF');
  const out = Buffer.from(elf);
  const phoff = Number(out.readBigUInt64LE(32));
  const shoff = Number(out.readBigUInt64LE(40));
  const phentsize = out.readUInt16LE(54);
  const phnum = out.readUInt16LE(56);
  const shentsize = out.readUInt16LE(58);
  const shnum = out.readUInt16LE(60);
  let at = -1;
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    const offset = Number(out.readBigUInt64LE(p + 8));
    if (out.readUInt32LE(p) === PT_LOAD && offset > 0) {
      at = offset;
      break;
    }
  }
  if (at <= 0) throw new Error('paddedElf: no segment after the headers');
  const shift = (offset) => (offset >= at ? offset + pad : offset);
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize + 8;
    out.writeBigUInt64LE(BigInt(shift(Number(out.readBigUInt64LE(p)))), p);
  }
  for (let i = 0; i < shnum; i++) {
    const s = shoff + i * shentsize + 24;
    out.writeBigUInt64LE(BigInt(shift(Number(out.readBigUInt64LE(s)))), s);
  }
  out.writeBigUInt64LE(BigInt(shift(shoff)), 40);
  return { before: out.subarray(0, at), pad, after: out.subarray(at), size: elf.length + pad };
}

const ZEROS = Buffer.alloc(1024 * 1024);
const BLOCK = 512;

/**
 * A gzipped package tarball built as a stream, so a file of hundreds of megabytes is never held
 * whole. `files`: path → string | Buffer | paddedElf() parts; paths go under `package/`.
 */
export async function packageTarball(files) {
  const gzip = createGzip({ level: 1 });
  const chunks = [];
  gzip.on('data', (c) => chunks.push(c));
  const done = new Promise((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
  });
  const write = (buf) =>
    new Promise((resolve) => {
      if (gzip.write(buf)) resolve();
      else gzip.once('drain', resolve);
    });
  for (const [path, content] of Object.entries(files)) {
    const parts =
      typeof content === 'string' ? [Buffer.from(content)] : Buffer.isBuffer(content) ? [content] : null;
    const size = parts ? parts.reduce((n, p) => n + p.length, 0) : content.size;
    const header = new Header({
      path: `package/${path}`,
      mode: 0o644,
      size,
      mtime: new Date(0),
      type: 'File',
    });
    header.encode();
    await write(header.block);
    if (parts) for (const p of parts) await write(p);
    else {
      await write(content.before);
      for (let left = content.pad; left > 0; left -= ZEROS.length)
        await write(left >= ZEROS.length ? ZEROS : ZEROS.subarray(0, left));
      await write(content.after);
    }
    if (size % BLOCK) await write(Buffer.alloc(BLOCK - (size % BLOCK)));
  }
  await write(Buffer.alloc(BLOCK * 2));
  gzip.end();
  await done;
  return Buffer.concat(chunks);
}

/**
 * `count` packages `big-addon-<i>`, each a node-gyp-build package with one padded copy of `elf`
 * (`pad` bytes more) as its linux-x64 prebuild.
 */
export async function bigAddonPackages(elf, count, pad) {
  const parts = paddedElf(elf, pad);
  const out = [];
  for (let i = 0; i < count; i++) {
    const name = `big-addon-${i}`;
    const tgz = await packageTarball({
      'package.json': JSON.stringify({
        name,
        version: '1.0.0',
        scripts: { install: 'node-gyp-build' },
        dependencies: { 'node-gyp-build': '^4.8.0' },
      }),
      [`prebuilds/linux-x64/${name}.napi.node`]: parts,
    });
    out.push({ name, version: '1.0.0', tgz, binarySize: parts.size });
  }
  return out;
}

export const integrityOf = (tgz) => `sha512-${createHash('sha512').update(tgz).digest('base64')}`;

/**
 * A registry on 127.0.0.1 serving `packages` ({ name, version, tgz }): packuments and tarballs.
 * `handle(req, res)` may answer a request first (return true) to misbehave.
 */
export async function startRegistry(packages, handle = () => false) {
  let url = '';
  const server = createServer((req, res) => {
    if (handle(req, res)) return;
    for (const p of packages) {
      const tarball = `/${p.name}/-/${p.name}-${p.version}.tgz`;
      if (req.url === `/${p.name}`) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            name: p.name,
            'dist-tags': { latest: p.version },
            versions: {
              [p.version]: {
                name: p.name,
                version: p.version,
                dist: { tarball: `${url}${tarball}`, integrity: integrityOf(p.tgz) },
              },
            },
          }),
        );
        return;
      }
      if (req.url === tarball) {
        res.writeHead(200, { 'content-length': p.tgz.length }).end(p.tgz);
        return;
      }
    }
    res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * package.json, package-lock.json (resolved URLs on `registryUrl`, integrity) and an .npmrc
 * pointing npm at it, for `packages` as dependencies of the project in `dir`. `npmrc` lines are
 * appended (fetch-timeout, fetch-retries…).
 */
export async function writeLockfileProject(dir, registryUrl, packages, npmrc = []) {
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const dependencies = Object.fromEntries(packages.map((p) => [p.name, p.version]));
  const root = { name: 'big-app', version: '1.0.0', private: true, dependencies };
  const lock = {
    name: 'big-app',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: { '': root },
  };
  for (const p of packages) {
    lock.packages[`node_modules/${p.name}`] = {
      version: p.version,
      resolved: `${registryUrl}/${p.name}/-/${p.name}-${p.version}.tgz`,
      integrity: integrityOf(p.tgz),
      hasInstallScript: true,
      dependencies: { 'node-gyp-build': '^4.8.0' },
    };
  }
  lock.packages['node_modules/node-gyp-build'] = { version: '4.8.4' };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(root, null, 2));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  writeFileSync(join(dir, '.npmrc'), [`registry=${registryUrl}/`, ...npmrc, ''].join('\n'));
}
