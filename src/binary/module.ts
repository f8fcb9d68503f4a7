import type { BinaryNote, ModuleKind } from '../model/binary.js';

/** What the symbol tables say about registration, in format-neutral names (no Mach-O underscore). */
export interface SymbolSummary {
  /** `N` from an exported `node_register_module_v<N>`. */
  registerAbi: string | null;
  exportsNapiRegister: boolean;
  exportsNapiVersion: boolean;
  /** Imports `napi_*` / `node_api_*` (including the deprecated `napi_module_register`). */
  importsNapi: boolean;
  /** Imports `node_module_register`: the legacy `NODE_MODULE` constructor registration. */
  importsLegacyRegister: boolean;
  /** Imports a V8 or node C++ symbol, which ties the binary to one V8/node ABI. */
  importsNodeCxx: boolean;
}

export const NAPI_REGISTER = 'napi_register_module_v1';
export const NAPI_VERSION_EXPORT = 'node_api_module_get_api_version_v1';
const ABI_REGISTER = /^node_register_module_v(\d{1,5})$/;

/**
 * Itanium-mangled names in namespace `v8` or `node` (`_ZN2v86Object3NewE…`, `_ZNK2v85Value…`,
 * vtables `_ZTVN4node…`). `4Napi` (node-addon-api) is a different, header-only namespace.
 */
const ITANIUM_NODE_CXX = /^_Z(?:T[VIS])?N[rVKRO]*(?:2v8|4node)[0-9A-Z]/;
/** MSVC-decorated names whose innermost namespace is `v8` or `node` (`?GetCurrent@Isolate@v8@@…`). */
const MSVC_NODE_CXX = /^\?[^@]*@(?:[^@]+@)*(?:v8|node)@@/;

/**
 * The static `node_module _module` NODE_MODULE defines, as local symbol tables name it: GCC mangles
 * it `_ZL7_module`, Clang `_Z7_module`, and C builds keep `_module`.
 */
export const LEGACY_MODULE_SYMBOL = /^(?:_ZL?7)?_module$/;

export function isNodeCxxSymbol(name: string): boolean {
  return ITANIUM_NODE_CXX.test(name) || MSVC_NODE_CXX.test(name);
}

export function isNapiImport(name: string): boolean {
  return name.startsWith('napi_') || name.startsWith('node_api_');
}

const NODE_C_IMPORT = /^(?:napi_|node_api_|uv_|node_)/;

/**
 * An import the C library (or another shared object) must provide: not Node's own C API
 * (Node-API, libuv, `node_*`), which the executable exports, and not C++-mangled (`_Z…`).
 */
export function isCLibraryImport(name: string): boolean {
  return !NODE_C_IMPORT.test(name) && !name.startsWith('_Z');
}

export class SymbolCollector {
  readonly summary: SymbolSummary = {
    registerAbi: null,
    exportsNapiRegister: false,
    exportsNapiVersion: false,
    importsNapi: false,
    importsLegacyRegister: false,
    importsNodeCxx: false,
  };

  addExport(name: string): void {
    const s = this.summary;
    if (name === NAPI_REGISTER) s.exportsNapiRegister = true;
    else if (name === NAPI_VERSION_EXPORT) s.exportsNapiVersion = true;
    else {
      const m = ABI_REGISTER.exec(name);
      // Several ABIs in one file are not a real pattern; keep the highest, which is deterministic.
      if (m && (s.registerAbi === null || Number(m[1]) > Number(s.registerAbi))) s.registerAbi = m[1]!;
    }
  }

  addImport(name: string): void {
    const s = this.summary;
    if (name === 'node_module_register') s.importsLegacyRegister = true;
    else if (isNapiImport(name)) s.importsNapi = true;
    else if (!s.importsNodeCxx && isNodeCxxSymbol(name)) s.importsNodeCxx = true;
  }
}

/**
 * How Node will register the addon, following the order of Node's own loader: a legacy
 * constructor (`node_module_register`), then `node_register_module_v<ABI>`, then
 * `napi_register_module_v1`. Any V8/node C++ import makes a Node-API addon ABI-bound (a hybrid).
 */
export function classifyModule(s: SymbolSummary, legacyAbi: string | null): ModuleKind {
  const napi = s.exportsNapiRegister || s.importsNapi;
  if (s.registerAbi !== null || s.importsLegacyRegister) {
    const abi = s.registerAbi ?? legacyAbi;
    return napi ? { kind: 'abi', abi, hybrid: true } : { kind: 'abi', abi };
  }
  if (napi) return s.importsNodeCxx ? { kind: 'abi', abi: null, hybrid: true } : { kind: 'napi' };
  if (s.importsNodeCxx) return { kind: 'abi', abi: null };
  return { kind: 'unknown' };
}

/** Why `classifyModule` could not name an ABI, or null when there is nothing to explain. */
export function explainModule(s: SymbolSummary, legacyAbi: string | null): BinaryNote | null {
  if (s.registerAbi !== null) return null;
  if (s.importsLegacyRegister && legacyAbi === null) {
    return { code: 'MODULE_UNEXPLAINED', why: 'legacy-struct-not-found' };
  }
  if (!s.importsLegacyRegister && !s.exportsNapiRegister && !s.importsNapi && s.importsNodeCxx) {
    return { code: 'MODULE_UNEXPLAINED', why: 'cxx-without-registration' };
  }
  return null;
}

/**
 * Finds the static `node::node_module` struct that `NODE_MODULE(...)` passes to
 * `node_module_register` in a stripped binary, from where the loader relocates its pointers:
 *
 *   int nm_version; unsigned nm_flags; void* nm_dso_handle (NULL); const char* nm_filename;
 *   register_func; context_register_func; const char* nm_modname; void* nm_priv; node_module* nm_link (NULL)
 *
 * `pointerSlots` holds every address the dynamic loader (or PE base relocations) writes a pointer
 * to. A start address S qualifies when the filename and modname slots are relocated, exactly one
 * register slot is, and the always-NULL dso/link slots are neither relocated nor non-zero. The
 * struct's first int is then the NODE_MODULE_VERSION the addon was compiled for.
 */
export function findLegacyModuleVersion(
  pointerSlots: ReadonlySet<number>,
  ptrSize: 4 | 8,
  readU32: (address: number) => number | null,
  readWord: (address: number) => number | null,
): string | null {
  const p = ptrSize;
  const at = {
    dso: 8,
    filename: 8 + p,
    register: 8 + 2 * p,
    contextRegister: 8 + 3 * p,
    modname: 8 + 4 * p,
    link: 8 + 6 * p,
  };
  const found = new Set<number>();
  for (const slot of pointerSlots) {
    if (found.size > 1) break;
    const s = slot - at.filename;
    if (s < 0 || !pointerSlots.has(s + at.modname)) continue;
    if (pointerSlots.has(s + at.register) === pointerSlots.has(s + at.contextRegister)) continue;
    if (pointerSlots.has(s + at.dso) || pointerSlots.has(s + at.link)) continue;
    if (readWord(s + at.dso) !== 0 || readWord(s + at.link) !== 0) continue;
    const version = readU32(s);
    const flags = readU32(s + 4);
    // NODE_MODULE_VERSION has been 1..~150 so far; flags are 0, or kLinked (2) for linked bindings.
    if (version === null || version < 1 || version > 9999 || flags === null || flags > 0xff) continue;
    found.add(version);
  }
  return found.size === 1 ? String([...found][0]) : null;
}
