import { checkFactsAgainstTarget, NAPI_VERSION_EXPERIMENTAL } from '../binary/compat.js';
import { damagedNotes } from '../binary/damage.js';
import type { BinaryFacts } from '../model/binary.js';
import type { LoadClassification, LoadFailure } from '../model/load.js';
import type { LoadResult } from './jobs.js';
import type { Target } from '../model/target.js';

export interface ClassifyContext {
  /** Absolute path of the file that was loaded (null when the failure is an entry point's). */
  file: string | null;
  /** Binary facts of that file (null when it could not be read or there is none). */
  facts: BinaryFacts | null;
  /** Whether the file exists. */
  exists: boolean;
  /** The Node that loaded it, as a target (abi, napi, arch, platform, libc and glibc version). */
  target: Target;
}

const basename = (p: string) => p.replace(/\\/g, '/').split('/').pop() ?? p;

/** Sonames that only a musl system provides, and only a glibc system provides. */
const MUSL_LIBRARY = /^(?:libc\.musl-[\w-]+\.so(?:\.\d+)*|ld-musl-[\w-]+\.so(?:\.\d+)*)$/;
const GLIBC_LIBRARY =
  /^(?:ld-linux[\w.-]*\.so(?:\.\d+)*|libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1)$/;
/** Symbols glibc exports and musl does not: fortify wrappers, execinfo, glibc's own helpers. */
const GLIBC_ONLY_SYMBOL =
  /^(?:__\w+_chk|__register_atfork|backtrace(?:_symbols(?:_fd)?)?|gnu_get_libc_\w+|__libc_\w+|__xstat\w*|__fxstat\w*|__lxstat\w*|__isoc99_\w+|__cxa_thread_atexit_impl|__stack_chk_guard|secure_getenv|__res_\w+|error_at_line|obstack_\w+)$/;
const NAPI_SYMBOL = /^_?(?:napi|node_api)_\w+$/;

/** The facts-level verdict on a file the loader could not open itself, or null when the facts don't say. */
function fromFacts(ctx: ClassifyContext): LoadClassification | null {
  const damaged = damagedNotes(ctx.facts);
  if (damaged) return { code: 'INVALID_BINARY', notes: damaged, loaderDetail: null };
  if (!ctx.facts) return null;
  const [first] = checkFactsAgainstTarget(ctx.facts, ctx.target);
  if (!first) return null;
  switch (first.code) {
    case 'PLATFORM_MISMATCH':
      return {
        code: 'PLATFORM_MISMATCH',
        binaryPlatform: first.binaryPlatform,
        targetPlatform: first.targetPlatform,
      };
    case 'ARCH_MISMATCH':
      return { code: 'ARCH_MISMATCH', binaryArches: first.binaryArches, targetArch: first.targetArch };
    case 'LIBC_MISMATCH':
      return {
        code: 'LIBC_MISMATCH',
        binaryLibc: first.binaryLibc,
        targetLibc: first.targetLibc,
        library: null,
      };
    case 'GLIBC_TOO_OLD':
      return {
        code: 'GLIBC_TOO_OLD',
        symbolVersion: `GLIBC_${first.needed}`,
        needed: first.needed,
        library: 'libc.so.6',
        available: first.available,
      };
    case 'SHARED_LIBRARY_MISSING':
      return { code: 'SHARED_LIBRARY_MISSING', library: first.libraries[0] ?? null };
    case 'GLIBCXX_TOO_OLD':
      // the loader's own words for it are glibc's (`version GLIBCXX_3.4.31 not found`)
      return {
        code: 'GLIBC_TOO_OLD',
        symbolVersion: `GLIBCXX_${first.needed}`,
        needed: first.needed,
        library: 'libstdc++.so.6',
        available: null,
      };
    case 'NAPI_VERSION_TOO_HIGH':
      return {
        code: 'NAPI_VERSION_TOO_HIGH',
        declared: first.declared,
        available: first.available,
        symbol: null,
      };
    case 'ABI_MISMATCH':
      return { code: 'ABI_MISMATCH', binaryAbi: first.binaryAbi, targetAbi: first.targetAbi };
  }
}

/** Whether a path in a loader message names the addon itself rather than one of its dependencies. */
function isTheFile(named: string, ctx: ClassifyContext): boolean {
  if (!ctx.file) return false;
  const a = named.replace(/\\/g, '/');
  const b = ctx.file.replace(/\\/g, '/');
  return a === b || a.endsWith('/' + basename(b)) || b.endsWith(a);
}

/** The file itself could not be opened or mapped: missing, another arch or platform, or damaged. */
function fileProblem(ctx: ClassifyContext, detail: string): LoadClassification {
  if (!ctx.exists) return { code: 'BINARY_MISSING', loaderMessage: 'file' };
  return fromFacts(ctx) ?? { code: 'INVALID_BINARY', notes: [], loaderDetail: detail };
}

/** A library the addon needs is not on this system: another libc's, or simply missing. */
function libraryProblem(library: string, ctx: ClassifyContext): LoadClassification {
  const name = basename(library);
  const targetLibc = ctx.target.libc;
  const otherLibc = !!ctx.facts?.libc && !!targetLibc && ctx.facts.libc !== targetLibc;
  if (
    otherLibc ||
    (MUSL_LIBRARY.test(name) && targetLibc !== 'musl') ||
    (GLIBC_LIBRARY.test(name) && targetLibc === 'musl')
  ) {
    return {
      code: 'LIBC_MISMATCH',
      binaryLibc: ctx.facts?.libc ?? (MUSL_LIBRARY.test(name) ? 'musl' : 'glibc'),
      targetLibc,
      library: name,
    };
  }
  return { code: 'SHARED_LIBRARY_MISSING', library: name };
}

/** A symbol the loader could not resolve: a Node-API function the Node lacks, or glibc-only code on musl. */
function symbolProblem(symbol: string, ctx: ClassifyContext): LoadClassification {
  const bare = symbol.replace(/@.*$/, '');
  if (NAPI_SYMBOL.test(bare)) {
    const declared = ctx.facts?.napiVersion ?? null;
    return {
      code: 'NAPI_VERSION_TOO_HIGH',
      declared: declared === NAPI_VERSION_EXPERIMENTAL ? null : declared,
      available: ctx.target.napi,
      symbol: bare.replace(/^_/, ''),
    };
  }
  if (ctx.target.libc === 'musl' && (GLIBC_ONLY_SYMBOL.test(bare) || ctx.facts?.libc === 'glibc')) {
    return { code: 'LIBC_MISMATCH', binaryLibc: 'glibc', targetLibc: 'musl', library: null };
  }
  return { code: 'LOAD_FAILED', symbol: bare };
}

/** The code for an error message thrown by `process.dlopen` or `require`. */
export function classifyMessage(
  message: string,
  errorCode: string | null,
  ctx: ClassifyContext,
): LoadClassification {
  let m: RegExpExecArray | null;

  // "…was compiled against a different Node.js version using NODE_MODULE_VERSION 137. This version
  // of Node.js requires NODE_MODULE_VERSION 115."
  if (
    (m = /NODE_MODULE_VERSION (\d+)\.\s+This version of Node\.js requires\s+NODE_MODULE_VERSION (\d+)/.exec(
      message,
    ))
  ) {
    return { code: 'ABI_MISMATCH', binaryAbi: m[1]!, targetAbi: m[2]! };
  }
  // "… requires Node-API version 10, but this version of Node.js only supports version 9 add-ons."
  if (
    (m = /requires Node-API version (\d+), but this version of Node\.js only supports version (\d+)/.exec(
      message,
    ))
  ) {
    return { code: 'NAPI_VERSION_TOO_HIGH', declared: Number(m[1]), available: Number(m[2]), symbol: null };
  }
  // glibc: "/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found (required by /app/x.node)"
  if ((m = /(?:^|\s)(\S+): version [`']((GLIBC|GLIBCXX|CXXABI)_([\d.]+))' not found/.exec(message))) {
    const library = basename(m[1]!);
    return {
      code: 'GLIBC_TOO_OLD',
      symbolVersion: m[2]!,
      needed: m[4]!,
      library,
      available: m[3] === 'GLIBC' ? ctx.target.libcVersion : null,
    };
  }
  // glibc: "libvips-cpp.so.42: cannot open shared object file: No such file or directory"; for the
  // addon itself the same words mean it could not be mapped (another arch, or a missing file)
  if ((m = /(?:^|\n)([^\n]*?): cannot open shared object file: ([^\n]*)/.exec(message))) {
    return isTheFile(m[1]!, ctx) ? fileProblem(ctx, m[2]!) : libraryProblem(m[1]!, ctx);
  }
  // musl: "Error loading shared library libstdc++.so.6: No such file or directory (needed by /app/x.node)"
  if (
    (m = /Error loading shared library ([^:\n]+): ([^\n(]*?)(?:\s*\(needed by [^)]*\))?(?:\n|$)/.exec(
      message,
    ))
  ) {
    return isTheFile(m[1]!, ctx) ? fileProblem(ctx, m[2]!.trim()) : libraryProblem(m[1]!, ctx);
  }
  // musl: "Error relocating /app/x.node: __strncpy_chk: symbol not found"
  if ((m = /Error relocating [^:\n]+: ([^:\s]+): symbol not found/.exec(message)))
    return symbolProblem(m[1]!, ctx);
  // musl: "Error relocating /app/x.node: unsupported relocation type 1026" (another architecture)
  if (/Error relocating [^:\n]+: unsupported relocation type/.test(message)) return fileProblem(ctx, message);
  // glibc: "undefined symbol: node_api_create_buffer_from_arraybuffer"
  if ((m = /undefined symbol: (\S+)/.exec(message))) return symbolProblem(m[1]!, ctx);
  // macOS: "Symbol not found: _napi_create_buffer"
  if ((m = /Symbol not found: (\S+)/.exec(message))) return symbolProblem(m[1]!.replace(/^_/, ''), ctx);
  // macOS: "(mach-o file, but is an incompatible architecture (have 'arm64', need 'x86_64'))"
  if (/incompatible architecture/.test(message)) {
    const facts = fromFacts(ctx);
    if (facts?.code === 'ARCH_MISMATCH') return facts;
    const have = /have '([^']+)'/.exec(message)?.[1];
    return {
      code: 'ARCH_MISMATCH',
      binaryArches: have ? [have === 'x86_64' ? 'x64' : have] : (ctx.facts?.arches ?? []),
      targetArch: ctx.target.arch,
    };
  }
  // macOS: "Library not loaded: @rpath/libvips-cpp.8.16.0.dylib"
  if ((m = /Library not loaded: (\S+)/.exec(message)))
    return { code: 'SHARED_LIBRARY_MISSING', library: basename(m[1]!) };
  // glibc: "wrong ELF class: ELFCLASS32"; "ELF file's machine ... does not match"; Windows: "is not a valid Win32 application"
  if (
    /wrong ELF class|ELF file's machine|machine type|not a valid Win32 application|ELF file OS ABI invalid/.test(
      message,
    )
  ) {
    return fileProblem(ctx, message.split('\n')[0]!);
  }
  // the file, or a dependency, is not a loadable object: "invalid ELF header", "file too short",
  // "Exec format error", macOS "not a mach-o file"
  if (
    (m =
      /(?:^|\n)([^\n]*?): (invalid ELF header|file too short|Exec format error|[^\n]*not a mach-o file[^\n]*|ELF load command[^\n]*)/.exec(
        message,
      ))
  ) {
    if (isTheFile(m[1]!, ctx) || !ctx.file) return fileProblem(ctx, m[2]!);
    // a dependency that is not a binary: on glibc, `libc.so` is a linker script, and a musl build
    // linked against plain `libc.so` ends up here
    return libraryProblem(m[1]!, ctx);
  }
  // Windows: "The specified module could not be found." (the file or a DLL it needs)
  if (/The specified module could not be found/.test(message)) {
    return ctx.exists
      ? { code: 'SHARED_LIBRARY_MISSING', library: null }
      : { code: 'BINARY_MISSING', loaderMessage: 'file' };
  }
  // Windows: "The specified procedure could not be found." (an import node.exe does not export)
  if (/The specified procedure could not be found/.test(message)) {
    return fromFacts(ctx) ?? { code: 'LOAD_FAILED', symbol: null };
  }
  // what packages say when they find no binary to load
  if (/Could not locate the bindings file/.test(message))
    return { code: 'BINARY_MISSING', loaderMessage: 'bindings' };
  if (/No native build was found/.test(message))
    return { code: 'BINARY_MISSING', loaderMessage: 'node-gyp-build' };
  // require-addon (sodium-native 4): "Cannot find addon '.' imported from 'file:///…'", with the candidates
  if (errorCode === 'ADDON_NOT_FOUND' || /Cannot find addon '/.test(message))
    return { code: 'BINARY_MISSING', loaderMessage: 'require-addon' };
  if ((errorCode === 'MODULE_NOT_FOUND' || /Cannot find module/.test(message)) && /\.node\b/.test(message)) {
    return { code: 'BINARY_MISSING', loaderMessage: 'module-not-found' };
  }
  if (/(?:No such file or directory|ENOENT|no such file)/.test(message) && !ctx.exists && ctx.file) {
    return { code: 'BINARY_MISSING', loaderMessage: 'file' };
  }
  // anything else ("Module did not self-register", an error thrown by the addon's init): the facts
  // may still know better (an ABI-specific addon for another Node can fail this way)
  return fromFacts(ctx) ?? { code: 'LOAD_FAILED', symbol: null };
}

/** The code for a loader that died while loading: the facts explain most crashes. */
export function classifyDeath(
  failure: Extract<LoadFailure, { kind: 'died' }>,
  ctx: ClassifyContext,
): LoadClassification {
  // the dynamic loader's lazy binding ends the process on a missing function:
  // "node: symbol lookup error: /app/x.node: undefined symbol: napi_foo"
  const symbol =
    /undefined symbol: (\S+)/.exec(failure.stderr)?.[1] ??
    /Symbol not found: (\S+)/.exec(failure.stderr)?.[1];
  if (symbol) {
    const verdict = symbolProblem(symbol.replace(/^_(?=napi|node_api)/, ''), ctx);
    if (verdict.code !== 'LOAD_FAILED') return verdict;
  }
  // a damaged file (mapped past its end: SIGBUS), or one the facts say cannot work here (Node
  // 20 and 22 crash instead of throwing on a Node-API version they lack)
  const facts = fromFacts(ctx);
  if (facts) return facts;
  return {
    code: 'LOAD_CRASHED',
    signal: failure.signal,
    exitCode: failure.exitCode,
    exitCalled: failure.exitCalled,
  };
}

export function classifyFailure(failure: LoadFailure, ctx: ClassifyContext): LoadClassification {
  switch (failure.kind) {
    case 'threw':
      return classifyMessage(failure.message, failure.errorCode, ctx);
    case 'died':
      return classifyDeath(failure, ctx);
    case 'timeout':
      return { code: 'LOAD_TIMEOUT', timeoutMs: failure.timeoutMs };
    case 'violation':
      return { code: 'LOAD_PROTOCOL_VIOLATION', reason: failure.reason, excerpt: failure.excerpt };
  }
}

/** A loader outcome as the failure classifyFailure reads, with its raw message and code; null when it loaded. */
export function failureOf(
  r: LoadResult,
): { failure: LoadFailure; message: string; errorCode: string | null } | null {
  switch (r.status) {
    case 'loaded':
      return null;
    case 'threw':
      return {
        failure: { kind: 'threw', message: r.error.message, errorCode: r.error.code },
        message: r.error.message,
        errorCode: r.error.code,
      };
    case 'died': {
      const message = r.uncaught?.message ?? stderrTail(r.stderr);
      return {
        failure: {
          kind: 'died',
          signal: r.signal,
          exitCode: r.exitCode,
          exitCalled: r.exitCalled,
          stderr: r.stderr,
        },
        message,
        errorCode: r.uncaught?.code ?? null,
      };
    }
    case 'timeout':
      return {
        failure: { kind: 'timeout', timeoutMs: r.timeoutMs },
        message: stderrTail(r.stderr),
        errorCode: null,
      };
    case 'violation':
      return {
        failure: { kind: 'violation', reason: r.reason, excerpt: r.excerpt },
        message: stderrTail(r.stderr),
        errorCode: null,
      };
  }
}

/** The last lines of what a dying loader wrote to stderr. */
function stderrTail(stderr: string): string {
  const lines = stderr.trim().split('\n');
  return lines.slice(-12).join('\n');
}
