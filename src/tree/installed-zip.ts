// One package inside a zip archive of Yarn's cache (…/cache/esbuild-npm-0.28.2-….zip/node_modules/
// esbuild/): its package.json and its top-level entries, read from the zip's central directory,
// bounded. Nothing is extracted; no `.node` inside a zip can be loaded, so nothing more is needed.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

/** Bounds: the central directory and the one file read out of an archive. */
export const ZIP_LIMITS = { centralDirectory: 64 * 1024 * 1024, manifest: 4 * 1024 * 1024, entries: 200_000 };

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

interface Entry {
  method: number;
  compressed: number;
  size: number;
  offset: number;
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let total = 0;
  while (total < length) {
    const n = readSync(fd, buf, total, length - total, position + total);
    if (n === 0) break;
    total += n;
  }
  return buf.subarray(0, total);
}

/** Splits a location inside a zip into the archive and the folder in it; null when it is not inside one. */
export function splitZipPath(location: string): { zip: string; inner: string } | null {
  const m = /^(.*?\.zip)[\\/](.*)$/.exec(location);
  if (!m) return null;
  const inner = m[2]!.replace(/\\/g, '/').replace(/\/*$/, '/');
  return { zip: m[1]!, inner: inner === '/' ? '' : inner };
}

/**
 * The package.json (parsed) and the top-level entries (folders end in `/`) of the folder `inner`
 * of a zip archive; null when the archive cannot be read (not a zip, ZIP64, over a bound).
 */
export function readZipPackage(
  zipFile: string,
  inner: string,
): { manifest: Record<string, unknown> | null; rootEntries: string[] } | null {
  let fd: number;
  try {
    fd = openSync(zipFile, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch {
    return null;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size < 22) return null;
    const tailLength = Math.min(stat.size, 22 + 0xffff);
    const tail = readAt(fd, stat.size - tailLength, tailLength);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--)
      if (tail.readUInt32LE(i) === EOCD) {
        eocd = i;
        break;
      }
    if (eocd < 0) return null;
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (cdSize > ZIP_LIMITS.centralDirectory || cdOffset + cdSize > stat.size) return null;
    const cd = readAt(fd, cdOffset, cdSize);
    const top = new Set<string>();
    let manifestEntry: Entry | null = null;
    let count = 0;
    for (let p = 0; p + 46 <= cd.length && cd.readUInt32LE(p) === CENTRAL;) {
      if (++count > ZIP_LIMITS.entries) return null;
      const nameLength = cd.readUInt16LE(p + 28);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLength);
      if (name.startsWith(inner) && name.length > inner.length) {
        const rest = name.slice(inner.length);
        const slash = rest.indexOf('/');
        top.add(slash < 0 ? rest : rest.slice(0, slash + 1));
        if (rest === 'package.json') {
          manifestEntry = {
            method: cd.readUInt16LE(p + 10),
            compressed: cd.readUInt32LE(p + 20),
            size: cd.readUInt32LE(p + 24),
            offset: cd.readUInt32LE(p + 42),
          };
        }
      }
      p += 46 + nameLength + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
    }
    return { manifest: manifestEntry ? readManifest(fd, manifestEntry) : null, rootEntries: [...top].sort() };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

function readManifest(fd: number, e: Entry): Record<string, unknown> | null {
  if (e.size > ZIP_LIMITS.manifest || e.compressed > ZIP_LIMITS.manifest) return null;
  const header = readAt(fd, e.offset, 30);
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL) return null;
  const start = e.offset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const raw = readAt(fd, start, e.compressed);
  let data: Buffer;
  if (e.method === 0) data = raw;
  else if (e.method === 8) data = inflateRawSync(raw, { maxOutputLength: ZIP_LIMITS.manifest });
  else return null;
  try {
    const text = data.toString('utf8');
    const parsed: unknown = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
