import type { Target } from '../model/target.js';
import {
  ALPINE_BASE_LIBRARIES,
  GLIBC_LOADER,
  isMuslReservedLibrary,
  muslResolves,
  NODE_MUSL_LIBRARIES,
} from './musl.js';
import { compareVersions } from './reader.js';
import type { BinaryFacts, FactsMismatch } from '../model/binary.js';

/** `NAPI_VERSION_EXPERIMENTAL`: Node accepts it at any level (the addon opts into experimental APIs). */
export const NAPI_VERSION_EXPERIMENTAL = 2147483647;

/**
 * Every reason the facts give for `facts` not loading on `target`. Unknowns (a null fact, a
 * target without a libc version) never produce a mismatch: this only reports what is certain.
 * Once platform or arch rule a binary out, libc and Node checks would only add noise.
 */
export function checkFactsAgainstTarget(facts: BinaryFacts, target: Target): FactsMismatch[] {
  const out: FactsMismatch[] = [];
  if (facts.platform !== null && facts.platform !== target.platform) {
    out.push({ code: 'PLATFORM_MISMATCH', binaryPlatform: facts.platform, targetPlatform: target.platform });
  }
  if (facts.arches.length > 0 && !facts.arches.includes(target.arch)) {
    out.push({ code: 'ARCH_MISMATCH', binaryArches: [...facts.arches], targetArch: target.arch });
  }
  if (out.length > 0) return out;

  // A universal file loads the slice for the target's arch; judge that slice.
  const f = facts.slices?.find((s) => s.arch === target.arch) ?? facts;

  // A binary with no libc dependency at all loads on either libc. glibc cannot load a musl binary
  // (it has no libc.musl-*.so.1, and its `libc.so` is a linker script); musl loads a glibc one when
  // everything it needs exists there (see checkGlibcOnMusl).
  if (target.platform === 'linux' && f.libc === 'musl' && target.libc === 'glibc') {
    out.push({
      code: 'LIBC_MISMATCH',
      binaryLibc: 'musl',
      targetLibc: 'glibc',
      missingLibraries: f.needed.filter((n) => MUSL_LIBC.test(n)),
      missingSymbols: [],
      missingSymbolCount: 0,
    });
  } else if (target.platform === 'linux' && f.libc === 'glibc' && target.libc === 'musl') {
    const check = checkGlibcOnMusl(f, target);
    if (check.missingLibraries.length > 0 || check.missingSymbols.length > 0) {
      out.push({
        code: 'LIBC_MISMATCH',
        binaryLibc: 'glibc',
        targetLibc: 'musl',
        missingLibraries: check.missingLibraries,
        missingSymbols: check.missingSymbols.slice(0, MAX_LISTED_SYMBOLS),
        missingSymbolCount: check.missingSymbols.length,
      });
    }
  } else if (
    target.libc === 'glibc' &&
    target.libcVersion !== null &&
    f.glibcVersion !== null &&
    compareVersions(f.glibcVersion, target.libcVersion) > 0
  ) {
    out.push({ code: 'GLIBC_TOO_OLD', needed: f.glibcVersion, available: target.libcVersion });
  }
  // libstdc++.so.6 refuses a GLIBCXX_ version it does not define, just as glibc does (`version
  // GLIBCXX_3.4.31 not found`); only where both sides are known, and only on glibc (musl images
  // ship their own libstdc++, whose version the profiles do not record).
  if (
    target.libc === 'glibc' &&
    f.libc !== 'musl' &&
    target.glibcxxVersion &&
    f.glibcxxVersion !== null &&
    compareVersions(f.glibcxxVersion, target.glibcxxVersion) > 0
  ) {
    out.push({ code: 'GLIBCXX_TOO_OLD', needed: f.glibcxxVersion, available: target.glibcxxVersion });
  }

  // a NEEDED library the target's loader cannot find fails the load ("libodbc.so.2: cannot open
  // shared object file"); judged only where the target's libraries are known, and never for a
  // binary with a RUNPATH (it brings its own folder, often `$ORIGIN/…`) or a musl binary
  if (target.systemLibraries && f.libc !== 'musl' && !(f.runpath ?? []).length) {
    const known = new Set(target.systemLibraries);
    const missing = f.needed.filter((n) => !known.has(n) && !PROCESS_LIBRARY.test(n));
    if (missing.length) out.push({ code: 'SHARED_LIBRARY_MISSING', libraries: missing });
  }

  const usesNapi = f.module.kind === 'napi' || (f.module.kind === 'abi' && f.module.hybrid === true);
  if (
    usesNapi &&
    f.napiVersion !== null &&
    f.napiVersion !== NAPI_VERSION_EXPERIMENTAL &&
    target.napi !== null &&
    f.napiVersion > target.napi
  ) {
    out.push({ code: 'NAPI_VERSION_TOO_HIGH', declared: f.napiVersion, available: target.napi });
  }

  // NODE_MODULE_VERSION numbers come from one registry shared by Node and Electron, so a
  // number names one runtime line; any difference means the runtime will refuse the addon.
  if (f.module.kind === 'abi' && f.module.abi !== null && target.abi !== '' && f.module.abi !== target.abi) {
    out.push({ code: 'ABI_MISMATCH', binaryAbi: f.module.abi, targetAbi: target.abi });
  }
  return out;
}

/**
 * Libraries every glibc image Node runs in has: glibc's own (libc6), libgcc-s1, libstdc++6 and
 * zlib1g, which Debian's slim images and every Node image carry.
 */
const BASE_GLIBC_LIBRARY =
  /^(?:lib(?:c|m|pthread|dl|rt|resolv|util|anl|crypt)\.so\.\d+|libstdc\+\+\.so\.6|libgcc_s\.so\.1|libz\.so\.1)$/;

/**
 * The NEEDED libraries of a glibc binary whose presence on the target is not known: the target has
 * no library list (an arm64 or image target), and the binary needs more than the base every glibc
 * image has (node-hid's prebuild: libusb-1.0.so.0, libudev.so.1). Empty where the list is known
 * (SHARED_LIBRARY_MISSING judges it) or the binary brings its own folder (RUNPATH).
 */
export function uncheckedLibraries(f: BinaryFacts, target: Target): string[] {
  if (target.systemLibraries || target.platform !== 'linux' || target.libc !== 'glibc') return [];
  if (f.format !== 'elf' || f.libc === 'musl' || (f.runpath ?? []).length) return [];
  return f.needed.filter((n) => !BASE_GLIBC_LIBRARY.test(n) && !PROCESS_LIBRARY.test(n));
}

/** Libraries the Node process itself already holds: a distro Node's libnode, and the loader. */
const PROCESS_LIBRARY = /^(?:libnode\.so(?:\.\d+)*|ld-linux[\w.-]*\.so\.\d+|node(?:\.exe)?)$/;

/** LIBC_MISMATCH lists this many missing symbols and counts the rest. */
export const MAX_LISTED_SYMBOLS = 10;

/** musl's libc under the names musl binaries NEED: Alpine's soname, or upstream's plain `libc.so`. */
const MUSL_LIBC = /^(?:libc\.musl-[\w-]+\.so\.1|libc\.so)$/;

/** What musl's dynamic linker would make of a glibc-linked binary, split into certain and unknown. */
export interface GlibcOnMusl {
  /** NEEDED libraries the target certainly lacks. */
  missingLibraries: string[];
  /** Imports bound to a glibc version that musl does not export (LFS64 names it remaps count as exported). */
  missingSymbols: string[];
  /**
   * NEEDED libraries whose presence cannot be judged: the binary has a RUNPATH (typically
   * `$ORIGIN/…`, a folder shipped beside it), or the target is not a known image.
   */
  unjudgedLibraries: string[];
  /** C imports bound to no glibc version: Node, libstdc++ or another library may define them. */
  unjudgedSymbols: string[];
}

/**
 * Whether musl's dynamic linker can load a glibc-linked ELF file. musl answers `libc.so.6`,
 * `libm.so.6`, `libpthread.so.0`, … with itself and ignores symbol versions, so such a file loads
 * when every other library it NEEDs exists and every symbol it imports resolves. Certain gaps are
 * glibc's own loader (`ld-linux-*.so.*`, on every musl target), a library missing from a
 * `node:*-alpine` image (when no RUNPATH could supply it), and a symbol bound to a glibc version
 * that musl does not export. Everything else is reported as unjudged, never as missing.
 *
 * How it fails: with RTLD_NOW (or a file linked `-z now`) dlopen fails with "symbol not found".
 * Node dlopens with RTLD_LAZY, for which musl defers unresolved function (PLT/GOT) relocations
 * instead of failing (ldso/dynlink.c, do_relocs and prepare_lazy, since 1.1.17): the addon loads
 * and crashes when it first calls the missing function. Either way it does not work.
 */
export function checkGlibcOnMusl(f: BinaryFacts, target: Target): GlibcOnMusl {
  const out: GlibcOnMusl = {
    missingLibraries: [],
    missingSymbols: [],
    unjudgedLibraries: [],
    unjudgedSymbols: [],
  };
  const image = target.image?.distro === 'alpine';
  const hasRunpath = (f.runpath ?? []).length > 0;
  for (const name of f.needed) {
    if (isMuslReservedLibrary(name) || NODE_MUSL_LIBRARIES.has(name)) continue;
    if (GLIBC_LOADER.test(name)) out.missingLibraries.push(name);
    else if (image && ALPINE_BASE_LIBRARIES.has(name)) continue;
    else if (image && !hasRunpath) out.missingLibraries.push(name);
    else out.unjudgedLibraries.push(name);
  }
  for (const entry of f.cImports ?? []) {
    const at = entry.indexOf('@GLIBC_');
    if (at < 0) out.unjudgedSymbols.push(entry);
    else if (!muslResolves(entry.slice(0, at), target.libcVersion))
      out.missingSymbols.push(entry.slice(0, at));
  }
  return out;
}
