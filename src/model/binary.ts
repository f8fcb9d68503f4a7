/**
 * Binary facts: what a `.node` file is, read from its headers without running it.
 * Parsers return what they could establish plus a `reason` for what they could not; they never throw.
 */

import type { Libc } from './target.js';

export type BinaryFormat = 'elf' | 'macho' | 'pe';

/** How the addon registers with Node: Node-API only, tied to one ABI, or not determinable statically. */
export type ModuleKind =
  | { kind: 'napi' }
  /** `abi` is null when the addon is ABI-specific but its NODE_MODULE_VERSION can't be read. */
  | { kind: 'abi'; abi: string | null; hybrid?: boolean }
  | { kind: 'unknown' };

export interface BinaryFacts {
  format: BinaryFormat | null;
  /** Node's arch name (`x64`, `arm64`, …); for a Mach-O universal file, the first slice's arch. */
  arch: string | null;
  /** Every arch the file carries (one for thin files, several for Mach-O universal files). */
  arches: string[];
  /** Node's platform name as far as the format tells (`linux`, `darwin`, `win32`, `freebsd`, …). */
  platform: string | null;
  libc: 'glibc' | 'musl' | null;
  /** DT_NEEDED entries (ELF), dylib load commands (Mach-O) or imported DLLs (PE). */
  needed: string[];
  /**
   * ELF: undefined, non-weak dynamic symbols the C library (or another needed library) must provide:
   * not Node's (`napi_*`, `node_api_*`, `uv_*`, `node_*`), not C++-mangled (`_Z…`). Sorted, without
   * duplicates, at most 2,000. A symbol bound to a version of glibc's own libraries reads
   * `name@GLIBC_x.y` (as readelf prints it). Absent for Mach-O and PE.
   */
  cImports?: string[];
  /** ELF: the folders of DT_RUNPATH (else DT_RPATH), where the loader looks for `needed` first. */
  runpath?: string[];
  /** Highest `GLIBC_x.y` version needed, e.g. `"2.34"`. */
  glibcVersion: string | null;
  /** Highest `GLIBCXX_x.y.z` version needed, e.g. `"3.4.21"`. */
  glibcxxVersion: string | null;
  module: ModuleKind;
  /** Node-API version declared through `node_api_module_get_api_version_v1`, when readable. */
  napiVersion: number | null;
  /** Mach-O: minimum macOS version (`LC_BUILD_VERSION` / `LC_VERSION_MIN_MACOSX`). */
  minMacos?: string | null;
  /** PE: the COFF machine name (`AMD64`, `ARM64`, `I386`). */
  peMachine?: string | null;
  /** PE: whether it imports from `node.exe` (or another host executable). */
  importsNodeExe?: boolean | null;
  /**
   * Mach-O universal files: the facts of every readable slice, in file order. The top-level facts
   * are those of the first slice with a known arch, and `arches` lists them all. Absent for thin files.
   */
  slices?: BinaryFacts[];
  /**
   * Why a fact could not be established, as codes (empty when the file parsed cleanly); the words
   * are `report/binary-words.ts`'s. In order, without duplicates, at most 20.
   */
  notes: BinaryNote[];
}

/** A table or header a reader could not read in full (`TRUNCATED`). */
export type TruncatedPart =
  | 'elf-header'
  | 'program-header-table'
  | 'section-header-table'
  | 'note-segment'
  | 'dynamic-section'
  | 'version-needs'
  | 'universal-header'
  | 'macho-header'
  | 'load-commands'
  | 'symbol-table'
  | 'coff-header'
  | 'optional-header'
  | 'section-table'
  | 'import-name-table';

/** A table whose offsets point outside the file (`OUTSIDE_FILE`). */
export type OutsidePart =
  | 'program-headers'
  | 'section-headers'
  | 'dynamic-section'
  | 'dynamic-strings'
  | 'dynamic-symbols'
  | 'load-commands'
  | 'symbol-table'
  | 'import-name-table'
  | 'export-directory'
  | 'export-name-tables';

/** A directory that runs past the end of the file or its mapped part (`RUNS_PAST_END`). */
export type PastEndPart = 'version-needs' | 'import-directory' | 'delay-import-directory';

/** A table a reader read only the first `kept` of `total` entries of (`CAPPED`). */
export type CappedPart =
  | 'program-headers'
  | 'section-headers'
  | 'c-imports'
  | 'universal-slices'
  | 'load-commands'
  | 'pe-sections'
  | 'export-names';

/** A table cut at `at` bytes or entries (`CUT`). */
export type CutPart =
  | 'dynamic-strings'
  | 'dynamic-symbols'
  | 'symbol-strings'
  | 'imports'
  | 'import-directory'
  | 'delay-import-directory';

/** Something the reader looked for and did not find (`ABSENT`). */
export type AbsentPart =
  | 'dynamic-section'
  | 'pt-load'
  | 'readable-slice'
  | 'symbol-table'
  | 'pe-signature'
  | 'elf-file'
  | 'macho-file'
  | 'pe-file';

/** Something present that could not be read or made sense of (`UNREADABLE`). */
export type UnreadablePart =
  | 'pt-interp'
  | 'symbol-versions'
  | 'needed-name'
  | 'runpath'
  | 'dylib-name'
  | 'napi-version-body'
  | 'load-commands-end'
  | 'dynamic-symbol-count'
  | 'import-name-table-entry'
  | 'import-descriptor'
  | 'delay-import-descriptor'
  | 'export-name-table-entry'
  | 'import-name-table-repeat';

/** A header field holding a value the reader does not know (`UNKNOWN_VALUE`). */
export type UnknownValueField =
  'elf-machine' | 'elf-osabi' | 'macho-cputype' | 'coff-machine' | 'optional-header-magic';

/** Why the tarball reader left a `.node`'s facts unread (`NOT_READ_FROM_TARBALL`). */
export type TarballUnreadWhy =
  | { why: 'reread-failed'; errorCode: string | null }
  | { why: 'over-window'; capMiB: number }
  | { why: 'single-read' }
  | { why: 'reads-exhausted'; maxReads: number }
  | { why: 'changed-between-reads' };

/**
 * Why a fact of a binary could not be established, as data: what the readers say about a file
 * (empty, not a binary, a table cut short, …). The renderer owns the words.
 */
export type BinaryNote =
  | { code: 'EMPTY_FILE' }
  | { code: 'TOO_SHORT'; size: number }
  /** `head`: the first four bytes in hex, for `kind: 'other'`. */
  | { code: 'NOT_A_BINARY'; kind: 'git-lfs-pointer' | 'text' | 'other'; head?: string }
  /** `errorCode`: the file-system error code (`ENOENT`, …, or `ENOTREG`), else the error's own message. */
  | { code: 'CANNOT_READ'; errorCode: string | null; message?: string }
  | { code: 'PARSER_ERROR'; message: string }
  | ({ code: 'NOT_READ_FROM_TARBALL' } & TarballUnreadWhy)
  | { code: 'UNKNOWN_VALUE'; field: UnknownValueField; value: number }
  /** ELF ident bytes 4 and 5 (null when unreadable). */
  | { code: 'UNKNOWN_ELF_CLASS'; elfClass: number | null; encoding: number | null }
  | { code: 'TRUNCATED'; part: TruncatedPart }
  | { code: 'OUTSIDE_FILE'; part: OutsidePart }
  | { code: 'RUNS_PAST_END'; part: PastEndPart }
  | { code: 'CAPPED'; part: CappedPart; kept: number; total: number }
  | { code: 'CUT'; part: CutPart; at: number }
  | { code: 'ABSENT'; part: AbsentPart }
  | { code: 'UNREADABLE'; part: UnreadablePart }
  | { code: 'UNNAMED_SYMBOLS'; table: 'dynamic' | 'macho'; count: number }
  | { code: 'BAD_ENTRY_SIZE'; table: 'program-headers' | 'dynamic-symbols'; size: number }
  | { code: 'BAD_LOAD_COMMAND'; index: number }
  | { code: 'MODULE_UNEXPLAINED'; why: 'legacy-struct-not-found' | 'cxx-without-registration' }
  | { code: 'SLICE_UNKNOWN_CPUTYPE'; slice: number; cputype: number }
  | { code: 'SLICE_OUTSIDE_FILE'; slice: number; arch: string | null; cputype: number }
  | { code: 'SLICE_NESTED'; slice: number }
  | { code: 'SLICE_ARCH_DISAGREES'; slice: number; header: string; universal: string }
  /** A slice's own notes. */
  | { code: 'SLICE_NOTES'; slice: number; notes: BinaryNote[] };

export type BinaryNoteCode = BinaryNote['code'];

/** A bounded, positioned reader over a file or buffer. `read` returns fewer bytes at EOF, never throws. */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
}

/** Why a binary cannot load on a target, as data; the renderer owns the words. */
export type FactsMismatch =
  | { code: 'PLATFORM_MISMATCH'; binaryPlatform: string; targetPlatform: string }
  | { code: 'ARCH_MISMATCH'; binaryArches: string[]; targetArch: string }
  | {
      code: 'LIBC_MISMATCH';
      binaryLibc: Libc;
      targetLibc: Libc;
      /** NEEDED libraries the target cannot provide (glibc's loader on musl; musl's libc on glibc). */
      missingLibraries: string[];
      /** glibc symbols the binary imports that musl does not export: the first MAX_LISTED_SYMBOLS. */
      missingSymbols: string[];
      /** How many such symbols there are in all. */
      missingSymbolCount: number;
    }
  | { code: 'GLIBC_TOO_OLD'; needed: string; available: string }
  /** The binary needs `GLIBCXX_<needed>`; the target's libstdc++.so.6 provides up to `GLIBCXX_<available>`. */
  | { code: 'GLIBCXX_TOO_OLD'; needed: string; available: string }
  /** NEEDED libraries the target's dynamic loader cannot find (judged only where the target's libraries are known). */
  | { code: 'SHARED_LIBRARY_MISSING'; libraries: string[] }
  | { code: 'NAPI_VERSION_TOO_HIGH'; declared: number; available: number }
  | { code: 'ABI_MISMATCH'; binaryAbi: string; targetAbi: string };

export type FactsMismatchCode = FactsMismatch['code'];
