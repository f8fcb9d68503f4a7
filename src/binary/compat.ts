import type { Libc, Target } from '../target/types.js';
import { compareVersions } from './reader.js';
import type { BinaryFacts } from './types.js';

/** Why a binary cannot load on a target, as data; the renderer owns the words. */
export type FactsMismatch =
  | { code: 'PLATFORM_MISMATCH'; binaryPlatform: string; targetPlatform: string }
  | { code: 'ARCH_MISMATCH'; binaryArches: string[]; targetArch: string }
  | { code: 'LIBC_MISMATCH'; binaryLibc: Libc; targetLibc: Libc }
  | { code: 'GLIBC_TOO_OLD'; needed: string; available: string }
  | { code: 'NAPI_VERSION_TOO_HIGH'; declared: number; available: number }
  | { code: 'ABI_MISMATCH'; binaryAbi: string; targetAbi: string };

export type FactsMismatchCode = FactsMismatch['code'];

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

  // glibc cannot load a musl binary (no ld-musl / libc.musl) and musl cannot load a glibc one
  // (no libc.so.6); a binary with no libc dependency at all loads on either.
  if (target.platform === 'linux' && f.libc !== null && target.libc !== null && f.libc !== target.libc) {
    out.push({ code: 'LIBC_MISMATCH', binaryLibc: f.libc, targetLibc: target.libc });
  } else if (
    target.libc === 'glibc' &&
    target.libcVersion !== null &&
    f.glibcVersion !== null &&
    compareVersions(f.glibcVersion, target.libcVersion) > 0
  ) {
    out.push({ code: 'GLIBC_TOO_OLD', needed: f.glibcVersion, available: target.libcVersion });
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
