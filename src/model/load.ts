/**
 * What loading a binary in a child process can come to: how a package finds it at run time, and
 * why it did not load, as codes with the numbers that matter (the renderers own the words).
 */
import type { BinaryNote } from './binary.js';
import type { Libc } from './target.js';

/**
 * How a package finds its binary when the app runs (not how the install got it): the loader it
 * calls, mirrored for the verifying Node.
 */
export type RuntimeLoader =
  | 'node-gyp-build'
  | 'bindings'
  | 'node-pre-gyp'
  | 'pkg-prebuilds'
  | 'platform-package'
  | 'shipped-binary'
  | 'build-output'
  | 'entry-point';

/**
 * What was wrong on the result channel while a job ran: a line that is not JSON (`garbled`), one
 * without the key only the loader knows (`forged`: an addon writing on the loader's descriptor), one
 * with the key for another job or out of turn (`out-of-order`), or a line longer than any the loader
 * writes (`too-long`: an addon flooding the channel).
 */
export type ProtocolViolation = 'garbled' | 'forged' | 'out-of-order' | 'too-long';

/**
 * Why a binary did not load, as a code with the numbers that matter. Pure: built from the loader's
 * message (or exit status), the binary's facts and the Node that loaded it.
 */
export type LoadClassification =
  | { code: 'ABI_MISMATCH'; binaryAbi: string | null; targetAbi: string }
  | { code: 'LIBC_MISMATCH'; binaryLibc: Libc | null; targetLibc: Libc | null; library: string | null }
  | { code: 'SHARED_LIBRARY_MISSING'; library: string | null }
  | {
      code: 'GLIBC_TOO_OLD';
      /** The version tag the loader could not find: `GLIBC_2.38`, `GLIBCXX_3.4.30`, `CXXABI_1.3.15`. */
      symbolVersion: string;
      /** `2.38` for GLIBC tags; the tag's version otherwise. */
      needed: string;
      /** The library that lacks it (`libc.so.6`, `libstdc++.so.6`). */
      library: string | null;
      /** The machine's glibc version (for GLIBC tags), when known. */
      available: string | null;
    }
  | { code: 'ARCH_MISMATCH'; binaryArches: string[]; targetArch: string }
  | { code: 'PLATFORM_MISMATCH'; binaryPlatform: string; targetPlatform: string }
  /**
   * `notes`: what the file's own headers show is wrong (empty, truncated, not a binary); else
   * `loaderDetail`, the loader's own text after the file name (foreign text: print it inert).
   */
  | { code: 'INVALID_BINARY'; notes: BinaryNote[]; loaderDetail: string | null }
  | {
      code: 'NAPI_VERSION_TOO_HIGH';
      /** The Node-API version the binary declares, when its facts say. */
      declared: number | null;
      available: number | null;
      /** A Node-API function the Node lacks, when the loader named one. */
      symbol: string | null;
    }
  | {
      code: 'BINARY_MISSING';
      loaderMessage: 'bindings' | 'node-gyp-build' | 'require-addon' | 'module-not-found' | 'file';
    }
  | { code: 'LOAD_CRASHED'; signal: string | null; exitCode: number | null; exitCalled: boolean }
  | { code: 'LOAD_TIMEOUT'; timeoutMs: number }
  | { code: 'LOAD_FAILED'; symbol: string | null }
  | {
      code: 'LOAD_PROTOCOL_VIOLATION';
      /** What was wrong with what the loader's result channel carried while the binary loaded. */
      reason: ProtocolViolation;
      /** The start of the offending line, as it came (package-made: print it escaped). */
      excerpt: string;
    };

export type LoadFailureCode = LoadClassification['code'];

/** The failure as the loader saw it. */
export type LoadFailure =
  | { kind: 'threw'; message: string; errorCode: string | null }
  | { kind: 'died'; signal: string | null; exitCode: number | null; exitCalled: boolean; stderr: string }
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'violation'; reason: ProtocolViolation; excerpt: string };
