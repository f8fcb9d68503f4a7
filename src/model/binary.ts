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
  /** Why a fact could not be established (null when the file parsed cleanly). */
  reason: string | null;
}

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
