import { Parser } from 'tar';
import type { ReadEntry } from 'tar';
import { emptyFacts } from '../binary/empty.js';
import { readBinaryFacts } from '../binary/facts.js';
import { bufferSource } from '../binary/source.js';
import type { BinaryFacts } from '../binary/types.js';
import type { FileEntry, PackageFiles } from '../strategies/types.js';

/** Limits on what is kept from a tarball while it streams past. */
export interface TarballReadOptions {
  /** Which `.node` files to read facts from (package-relative path); default: every one. */
  wantFacts?(path: string): boolean;
  /** A `.node` bigger than this gets no facts (null, as for a file that cannot be opened). */
  maxBinaryBytes?: number;
  /** Script files kept for reading are at most this big. */
  maxTextBytes?: number;
  /** All script text kept while streaming, before the unreferenced files are dropped. */
  maxTextTotal?: number;
}

/**
 * What lockfile mode keeps of a package tarball, as plain data (cached by integrity between runs):
 * its package.json, every path, the text of the files its install scripts name, and the binary
 * facts of its `.node` files.
 */
export interface TarballIndex {
  manifest: Record<string, unknown> | null;
  /** File paths, package-relative. */
  files: string[];
  /** Directories the tarball lists explicitly (most are implied by the file paths). */
  dirs: string[];
  texts: Record<string, string>;
  facts: Record<string, BinaryFacts | null>;
}

/** A tarball as PackageFiles, with its manifest and top-level entries. */
export interface TarballFiles extends PackageFiles {
  /** The tarball's own package.json, or null when it has none (or it is not JSON). */
  manifest: Record<string, unknown> | null;
  /** Top-level entries, directories ending in `/` (what an installed folder's readdir gives). */
  rootEntries: string[];
  /** How many files the tarball holds. */
  fileCount: number;
}

const SCRIPT_TEXT = /\.(?:c|m)?js$/;
/** cmake-ts's build manifest (`build/manifest.json`, or another top-level build folder's). */
const CMAKE_TS_MANIFEST = /^[^/]+\/manifest\.json$/;
const INSTALL_EVENTS = ['preinstall', 'install', 'postinstall'];

/**
 * npm strips the first path component of every entry (`package/`, sometimes another name) and
 * refuses paths that climb out of the package; so does this.
 */
export function tarballPath(entryPath: string): string | null {
  const parts = entryPath.replace(/\\/g, '/').split('/').slice(1);
  const clean = parts.filter((p) => p !== '' && p !== '.');
  if (!clean.length || clean.includes('..')) return null;
  return clean.join('/');
}

/**
 * Reads a package tarball (gzipped, as the registry serves it) from a stream, keeping only what
 * predictions read: the file listing, package.json, the files its install scripts name, and the
 * binary facts of the `.node` files. Each `.node` is held in memory only while its facts are read.
 */
export async function readTarball(
  stream: NodeJS.ReadableStream,
  options: TarballReadOptions = {},
): Promise<TarballIndex> {
  const maxBinary = options.maxBinaryBytes ?? 256 * 1024 * 1024;
  const maxText = options.maxTextBytes ?? 256 * 1024;
  const maxTextTotal = options.maxTextTotal ?? 4 * 1024 * 1024;
  const wantFacts = options.wantFacts ?? (() => true);
  const files: string[] = [];
  const dirs: string[] = [];
  const facts: Record<string, BinaryFacts | null> = {};
  const texts = new Map<string, string>();
  let manifestText: string | null = null;
  let textTotal = 0;

  const collect = (entry: ReadEntry, limit: number, done: (data: Buffer) => void) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    entry.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    entry.on('end', () => {
      if (!over) done(Buffer.concat(chunks, size));
    });
  };

  const parser = new Parser({
    onReadEntry(entry: ReadEntry) {
      const path = tarballPath(entry.path);
      if (path === null) {
        entry.resume();
        return;
      }
      if (entry.type === 'Directory') {
        dirs.push(path);
        entry.resume();
        return;
      }
      if (entry.type !== 'File' && entry.type !== 'OldFile' && entry.type !== 'ContiguousFile') {
        // links and devices: npm refuses them in registry tarballs anyway
        entry.resume();
        return;
      }
      files.push(path);
      const size = entry.size ?? 0;
      if (path === 'package.json') {
        collect(entry, 1024 * 1024, (data) => {
          manifestText = data.toString('utf8');
        });
      } else if (path.endsWith('.node') && wantFacts(path)) {
        if (size > maxBinary) {
          facts[path] = null;
          entry.resume();
        } else {
          collect(entry, maxBinary, (data) => {
            facts[path] = factsOf(data);
          });
        }
      } else if (
        (SCRIPT_TEXT.test(path) || CMAKE_TS_MANIFEST.test(path)) &&
        size <= maxText &&
        textTotal + size <= maxTextTotal
      ) {
        textTotal += size;
        collect(entry, maxText, (data) => texts.set(path, data.toString('utf8')));
      } else {
        entry.resume();
      }
    },
  });

  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    stream.on('error', fail);
    parser.on('error', fail);
    // node-tar only warns about a stream that is not a tarball at all (or is cut short)
    parser.on('warn', (code: string, message: string | Error) => {
      if (code === 'TAR_BAD_ARCHIVE' || code === 'TAR_ABORT')
        fail(Object.assign(new Error(typeof message === 'string' ? message : message.message), { code }));
    });
    parser.on('close', () => {
      if (settled) return;
      settled = true;
      resolve();
    });
    stream.pipe(parser);
  });

  let manifest: Record<string, unknown> | null = null;
  if (manifestText !== null) {
    try {
      const parsed: unknown = JSON.parse(manifestText);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        manifest = parsed as Record<string, unknown>;
    } catch {
      manifest = null;
    }
  }
  // keep only the script files the install scripts name; the rest was read in case they did
  const scripts = scriptTexts(manifest);
  const kept: Record<string, string> = {};
  if (manifestText !== null) kept['package.json'] = manifestText;
  const cmakeTs = ['dependencies', 'optionalDependencies'].some((field) => {
    const deps = manifest?.[field];
    return !!deps && typeof deps === 'object' && 'cmake-ts' in deps;
  });
  for (const [path, text] of texts) {
    if (CMAKE_TS_MANIFEST.test(path)) {
      if (cmakeTs) kept[path] = text;
      continue;
    }
    const bare = path.replace(SCRIPT_TEXT, '');
    if (scripts.some((s) => s.includes(path) || s.includes(bare))) kept[path] = text;
  }
  return { manifest, files, dirs, texts: kept, facts };
}

/** The index as PackageFiles: listings built once, lookups by package-relative path. */
export function tarballFiles(index: TarballIndex): TarballFiles {
  // folder listings are built on first use: a big package (next has ten thousand files) is often
  // only asked for its top-level entries
  let children: Map<string, Map<string, boolean>> | null = null;
  const listings = new Map<string, FileEntry[] | null>();
  const tree = () => {
    if (children) return children;
    const built = new Map<string, Map<string, boolean>>([['', new Map()]]);
    const add = (path: string, isDir: boolean) => {
      const parts = path.split('/');
      let parent = '';
      for (let i = 0; i < parts.length; i++) {
        const name = parts[i]!;
        const dir = i < parts.length - 1 || isDir;
        let list = built.get(parent);
        if (!list) {
          list = new Map();
          built.set(parent, list);
        }
        if (!list.get(name)) list.set(name, dir);
        parent = parent ? `${parent}/${name}` : name;
        if (dir && !built.has(parent)) built.set(parent, new Map());
      }
    };
    for (const dir of index.dirs) add(dir, true);
    for (const file of index.files) add(file, false);
    children = built;
    return built;
  };
  const top = new Map<string, boolean>();
  for (const dir of index.dirs) {
    const slash = dir.indexOf('/');
    top.set(slash < 0 ? dir : dir.slice(0, slash), true);
  }
  for (const file of index.files) {
    const slash = file.indexOf('/');
    if (slash >= 0) top.set(file.slice(0, slash), true);
    else if (!top.has(file)) top.set(file, false);
  }
  const clean = (file: string) => file.replace(/^\.\//, '');
  return {
    manifest: index.manifest,
    rootEntries: [...top].map(([name, dir]) => (dir ? `${name}/` : name)),
    fileCount: index.files.length,
    list(dir) {
      const key = dir.replace(/\/+$/, '');
      let hit = listings.get(key);
      if (hit === undefined) {
        const list = tree().get(key);
        hit = list ? [...list].map(([name, isDir]) => ({ name, dir: isDir })) : null;
        listings.set(key, hit);
      }
      return hit;
    },
    exists(file) {
      const f = clean(file);
      const slash = f.lastIndexOf('/');
      return (
        tree()
          .get(slash < 0 ? '' : f.slice(0, slash))
          ?.has(slash < 0 ? f : f.slice(slash + 1)) ?? false
      );
    },
    readText(file, maxBytes = 1024 * 1024) {
      const text = index.texts[clean(file)];
      return text === undefined ? null : text.length > maxBytes ? text.slice(0, maxBytes) : text;
    },
    facts: (file) => index.facts[clean(file)] ?? null,
  };
}

function factsOf(data: Buffer): BinaryFacts {
  try {
    return readBinaryFacts(bufferSource(data));
  } catch (error) {
    // the parsers are fuzzed not to throw; a bug there must not end the run
    return emptyFacts(
      null,
      `internal error while parsing: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function scriptTexts(manifest: Record<string, unknown> | null): string[] {
  const scripts = manifest?.scripts;
  if (!scripts || typeof scripts !== 'object') return [];
  const out: string[] = [];
  for (const event of INSTALL_EVENTS) {
    const text = (scripts as Record<string, unknown>)[event];
    if (typeof text === 'string') out.push(text);
  }
  return out;
}
