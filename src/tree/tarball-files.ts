import { keepRequired, scriptTexts } from './tarball-scripts.js';
import { Parser } from 'tar';
import type { ReadEntry } from 'tar';
import { emptyFacts } from '../binary/empty.js';
import { MiB } from '../binary/reader.js';
import type { BinaryFacts, BinaryFormat, TarballUnreadWhy } from '../model/binary.js';
import type { ListingCut } from '../model/package.js';
import { BinaryCapture, ByteBudget } from './binary-window.js';
import type { ByteRange, WindowLimits } from './binary-window.js';
import type { TarballIndex, TarballProblem } from './tarball-view.js';
import { feed } from './tar-feed.js';

export { tarballFiles } from './tarball-view.js';
export type { TarballFiles, TarballIndex, TarballProblem } from './tarball-view.js';

/** Limits on what is kept from a tarball while it streams past. */
export interface TarballReadOptions {
  /** Which `.node` files to read facts from (package-relative path); default: every one. */
  wantFacts?(path: string): boolean;
  /**
   * The most bytes of one `.node` held in memory (default 32 MiB): the whole file when it fits,
   * else its head and the ranges its headers point the parsers to.
   */
  binaryWindowBytes?: number;
  /** Of a `.node` bigger than the window, what is kept from its start before the parsers are asked (default 1 MiB). */
  binaryHeadBytes?: number;
  /**
   * Whole reads of the tarball at most, the first included (default 4): a `.node` bigger than the
   * window whose tables point back to bytes that streamed past is read again from its tarball (npm's
   * cache, by then). Each read finds one more level of pointers: N-API addons need 2, addons that
   * register for one ABI through a `_module` symbol 4.
   */
  maxReads?: number;
  /** Bytes kept for `.node` files, shared by every tarball read at once (default: the window, for this one alone). */
  budget?: ByteBudget;
  /** Script files kept for reading are at most this big. */
  maxTextBytes?: number;
  /** All script text kept while streaming, before the unreferenced files are dropped. */
  maxTextTotal?: number;
  /** A package.json bigger than this is not read: the index then carries EMANIFESTTOOLARGE (default 1 MiB). */
  maxManifestBytes?: number;
  /** Files and folders listed at most (default 200,000); more is ETOOMANYENTRIES. */
  maxEntries?: number;
  /** Characters of listed paths in all (default 32 MiB); more is ETOOMANYENTRIES. */
  maxListingBytes?: number;
  /** Told how each read of a `.node` went (tests hold the memory bound with it). */
  onBinary?(read: BinaryRead): void;
}

/** One read of one `.node` from its tarball. */
export interface BinaryRead {
  path: string;
  size: number;
  /** Bytes of it held in memory, at most the window. */
  keptBytes: number;
  /** 1 for the first read of the tarball, 2 for the next… */
  pass: number;
  /** Whether its facts were complete after this read. */
  done: boolean;
}

/**
 * Opens the tarball as a stream for `handler`, once per call; resolves with what the handler does
 * (PackageFetcher.tarball bound to one package).
 */
export type TarballOpener = <T>(handler: (stream: NodeJS.ReadableStream) => Promise<T>) => Promise<T>;

const SCRIPT_TEXT = /\.(?:c|m)?js$/;
/** cmake-ts's build manifest (`build/manifest.json`, or another top-level build folder's). */
const CMAKE_TS_MANIFEST = /^[^/]+\/manifest\.json$/;
/** Longer paths fit no file system (PATH_MAX): nothing installs them, so they are not listed. */
const MAX_PATH_CHARS = 4096;

/**
 * npm strips the first path component of every entry (`package/`, sometimes another name) and
 * refuses paths that climb out of the package; so does this.
 */
export function tarballPath(entryPath: string): string | null {
  if (entryPath.length > MAX_PATH_CHARS) return null;
  const parts = entryPath.replace(/\\/g, '/').split('/').slice(1);
  const clean = parts.filter((p) => p !== '' && p !== '.');
  if (!clean.length || clean.includes('..')) return null;
  return clean.join('/');
}

interface Limits {
  window: WindowLimits;
  maxReads: number;
  budget: ByteBudget;
  maxText: number;
  maxTextTotal: number;
  maxManifest: number;
  maxEntries: number;
  maxListing: number;
  wantFacts: (path: string) => boolean;
  onBinary: (read: BinaryRead) => void;
}

/** A `.node` whose parsers read bytes that had streamed past: read again, keeping `wants`. */
interface PendingBinary {
  path: string;
  size: number;
  format: BinaryFormat | null;
  wants: ByteRange[];
  /** Whether those ranges fit the window at all. */
  fits: boolean;
}

/** What the first read of a tarball lists (later reads only collect facts). */
interface Listing {
  files: string[];
  dirs: string[];
  texts: Map<string, string>;
  manifestText: string | null;
  manifestSize: number | null;
  truncated: ListingCut | null;
}

interface Scan {
  listing: Listing;
  facts: Record<string, BinaryFacts | null>;
  /** By entry number in the tarball. */
  pending: Map<number, PendingBinary>;
}

/**
 * Reads a package tarball (gzipped, as the registry serves it), keeping only what predictions read:
 * the file listing, package.json, the files its install scripts name, and the binary facts of the
 * `.node` files. Memory stays bounded whatever the tarball holds: a `.node` is held only up to the
 * window (see BinaryCapture), and only while the budget allows; the listing is bounded too. Given
 * an opener rather than a stream, a big `.node` whose tables point back to bytes that streamed past
 * gets another read of the tarball for them; otherwise (or past `maxReads`) its facts are unknown,
 * with the reason.
 */
export async function readTarball(
  source: NodeJS.ReadableStream | TarballOpener,
  options: TarballReadOptions = {},
): Promise<TarballIndex> {
  const window: WindowLimits = {
    cap: options.binaryWindowBytes ?? 32 * MiB,
    head: options.binaryHeadBytes ?? 1 * MiB,
    maxParses: 32,
  };
  const limits: Limits = {
    window,
    maxReads: typeof source === 'function' ? Math.max(1, options.maxReads ?? 4) : 1,
    budget: options.budget ?? new ByteBudget(window.cap),
    maxText: options.maxTextBytes ?? 256 * 1024,
    maxTextTotal: options.maxTextTotal ?? 4 * MiB,
    maxManifest: options.maxManifestBytes ?? 1 * MiB,
    maxEntries: options.maxEntries ?? 200_000,
    maxListing: options.maxListingBytes ?? 32 * MiB,
    wantFacts: options.wantFacts ?? (() => true),
    onBinary: options.onBinary ?? (() => {}),
  };
  const open: TarballOpener = typeof source === 'function' ? source : (handler) => handler(source);
  const first = await open((stream) => scan(stream, limits, null, 1));
  const facts = first.facts;
  let pending = first.pending;
  for (let pass = 2; pending.size > 0 && pass <= limits.maxReads; pass++) {
    const again = [...pending].filter(([, p]) => p.fits);
    if (again.length === 0) break;
    let next: Scan;
    try {
      next = await open((stream) => scan(stream, limits, new Map(again), pass));
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      for (const [, p] of again)
        facts[p.path] = unread(p, {
          why: 'reread-failed',
          errorCode: typeof code === 'string' ? code : null,
        });
      pending = new Map();
      break;
    }
    Object.assign(facts, next.facts);
    for (const [n, p] of pending) if (!p.fits) next.pending.set(n, p);
    pending = next.pending;
  }
  for (const [, p] of pending) {
    facts[p.path] = unread(
      p,
      !p.fits
        ? { why: 'over-window', capMiB: window.cap / MiB }
        : limits.maxReads === 1
          ? { why: 'single-read' }
          : { why: 'reads-exhausted', maxReads: limits.maxReads },
    );
  }
  return indexOf(first.listing, facts, limits);
}

function unread(p: PendingBinary, why: TarballUnreadWhy): BinaryFacts {
  return emptyFacts(p.format, { code: 'NOT_READ_FROM_TARBALL', ...why });
}

/** One read of the tarball: everything on the first (`only` null), else only the pending `.node` files. */
async function scan(
  stream: NodeJS.ReadableStream,
  limits: Limits,
  only: Map<number, PendingBinary> | null,
  pass: number,
): Promise<Scan> {
  const listing: Listing = {
    files: [],
    dirs: [],
    texts: new Map(),
    manifestText: null,
    manifestSize: null,
    truncated: null,
  };
  const facts: Record<string, BinaryFacts | null> = {};
  const pending = new Map<number, PendingBinary>();
  const held = new Set<() => void>();
  let settled = false;
  let ordinal = -1;
  let textTotal = 0;
  let listed = 0;
  let listingChars = 0;
  let unblock = () => {};

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

  const list = (path: string, into: string[]): boolean => {
    if (listing.truncated) return false;
    if (listed >= limits.maxEntries) listing.truncated = { limit: 'entries', max: limits.maxEntries };
    else if (listingChars + path.length > limits.maxListing)
      listing.truncated = { limit: 'names', maxMiB: limits.maxListing / MiB };
    if (listing.truncated) return false;
    listed++;
    listingChars += path.length;
    into.push(path);
    return true;
  };

  /** Waits for its share of the budget (the stream waits meanwhile), then reads the file through a capture. */
  const readBinary = (entry: ReadEntry, n: number, path: string, size: number, wants: ByteRange[]) => {
    void limits.budget.acquire(Math.min(size, limits.window.cap)).then((release) => {
      if (settled) {
        release();
        return;
      }
      held.add(release);
      const capture = new BinaryCapture(size, limits.window, wants);
      entry.on('data', (chunk: Buffer) => capture.write(chunk));
      entry.on('end', () => {
        const result = capture.finish();
        limits.onBinary({ path, size, keptBytes: capture.keptBytes, pass, done: result.done });
        if (result.done) facts[path] = result.facts;
        else pending.set(n, { path, size, format: result.format, wants: result.wants, fits: result.fits });
        held.delete(release);
        release();
      });
    });
  };

  const parser = new Parser({
    onReadEntry(entry: ReadEntry) {
      ordinal++;
      const path = tarballPath(entry.path);
      const size = entry.size ?? 0;
      if (only) {
        const want = only.get(ordinal);
        if (want && path === want.path && size === want.size && isFile(entry)) {
          readBinary(entry, ordinal, path, size, want.wants);
        } else {
          if (want) facts[want.path] = unread(want, { why: 'changed-between-reads' });
          entry.resume();
        }
        return;
      }
      if (path === null) {
        entry.resume();
        return;
      }
      if (entry.type === 'Directory') {
        list(path, listing.dirs);
        entry.resume();
        return;
      }
      // links and devices: npm refuses them in registry tarballs (pacote extracts no link), so a
      // `.node` symlink or hard link is not a file of the package and is never followed
      if (!isFile(entry) || !list(path, listing.files)) {
        entry.resume();
        return;
      }
      if (path === 'package.json') {
        listing.manifestSize = size;
        listing.manifestText = null;
        if (size > limits.maxManifest) entry.resume();
        else collect(entry, limits.maxManifest, (data) => (listing.manifestText = data.toString('utf8')));
      } else if (path.endsWith('.node') && limits.wantFacts(path)) {
        readBinary(entry, ordinal, path, size, [{ start: 0, end: limits.window.head }]);
      } else if (
        (SCRIPT_TEXT.test(path) || CMAKE_TS_MANIFEST.test(path) || path === 'binding.gyp') &&
        size <= limits.maxText &&
        textTotal + size <= limits.maxTextTotal
      ) {
        textTotal += size;
        collect(entry, limits.maxText, (data) => listing.texts.set(path, data.toString('utf8')));
      } else {
        entry.resume();
      }
    },
  });

  try {
    await new Promise<void>((resolve, reject) => {
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
      unblock = feed(stream, parser, () => settled);
    });
  } finally {
    settled = true;
    unblock();
    for (const release of held) release();
  }
  return { listing, facts, pending };
}

/** Compressed bytes handed to node-tar at once. */
function isFile(entry: ReadEntry): boolean {
  return entry.type === 'File' || entry.type === 'OldFile' || entry.type === 'ContiguousFile';
}

/** The listing as an index: the manifest parsed, only the script files the install scripts name kept. */
function indexOf(listing: Listing, facts: Record<string, BinaryFacts | null>, limits: Limits): TarballIndex {
  let manifest: Record<string, unknown> | null = null;
  let problem: TarballProblem | undefined;
  const { manifestText, manifestSize } = listing;
  if (manifestText !== null) {
    try {
      const parsed: unknown = JSON.parse(manifestText);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        manifest = parsed as Record<string, unknown>;
      else problem = { code: 'EJSONPARSE', kind: 'not-an-object' };
    } catch (error) {
      problem = {
        code: 'EJSONPARSE',
        kind: 'not-json',
        parserMessage: error instanceof Error ? error.message.slice(0, 200) : String(error),
      };
    }
  } else if (manifestSize !== null) {
    problem = { code: 'EMANIFESTTOOLARGE', size: manifestSize, max: limits.maxManifest };
  }
  if (listing.truncated) problem = { code: 'ETOOMANYENTRIES', ...listing.truncated };
  // keep only the script files the install scripts name; the rest was read in case they did
  const scripts = scriptTexts(manifest);
  const kept: Record<string, string> = {};
  if (manifestText !== null) kept['package.json'] = manifestText;
  const cmakeTs = ['dependencies', 'optionalDependencies'].some((field) => {
    const deps = manifest?.[field];
    return !!deps && typeof deps === 'object' && 'cmake-ts' in deps;
  });
  const pkgPrebuilds = ['dependencies', 'optionalDependencies'].some((field) => {
    const deps = manifest?.[field];
    return !!deps && typeof deps === 'object' && 'pkg-prebuilds' in deps;
  });
  for (const [path, text] of listing.texts) {
    if (CMAKE_TS_MANIFEST.test(path)) {
      if (cmakeTs) kept[path] = text;
      continue;
    }
    // pkg-prebuilds' options, which its run-time loader reads even with no install script naming them
    if (pkgPrebuilds && path === 'binding-options.js') {
      kept[path] = text;
      continue;
    }
    // the system libraries a source build links (strategies/gyp-libraries.ts)
    if (path === 'binding.gyp') {
      kept[path] = text;
      continue;
    }
    const bare = path.replace(SCRIPT_TEXT, '');
    if (scripts.some((s) => s.includes(path) || s.includes(bare))) kept[path] = text;
  }
  keepRequired(kept, listing.texts);
  const index: TarballIndex = { manifest, files: listing.files, dirs: listing.dirs, texts: kept, facts };
  if (problem) index.problem = problem;
  return index;
}
