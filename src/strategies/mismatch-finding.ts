// A binary's mismatch with a target as a finding: the mismatch's fields, where it was found, and
// whether the install falls back to a build (then the finding only explains that build).
import { makeFinding } from '../model/findings.js';
import type { Finding } from '../model/findings.js';
import type { LinkResult, Mismatch } from '../model/prediction.js';

export function mismatchFinding(
  m: Mismatch,
  where: { package: string; location: string; target: string },
  result: Extract<LinkResult, { kind: 'binary' }>,
  fallsBack: boolean,
): Finding {
  const file = result.binary ?? '';
  const base = {
    file,
    strategy: result.strategy,
    fallback: fallsBack ? ('source-build' as const) : ('none' as const),
  };
  // when the install load-tests the prebuild and compiles instead, the mismatch explains the build
  const fields = { ...where, ...(fallsBack ? { severity: 'info' as const } : {}) };
  switch (m.code) {
    case 'LIBC_MISMATCH':
      return makeFinding('LIBC_MISMATCH', fields, {
        ...base,
        binaryLibc: m.binaryLibc,
        targetLibc: m.targetLibc,
        missingLibraries: m.missingLibraries,
        missingSymbols: m.missingSymbols,
        missingSymbolCount: m.missingSymbolCount,
      });
    case 'ARCH_MISMATCH':
      return makeFinding('ARCH_MISMATCH', fields, {
        ...base,
        binaryArches: m.binaryArches,
        targetArch: m.targetArch,
      });
    case 'PLATFORM_MISMATCH':
      return makeFinding('PLATFORM_MISMATCH', fields, {
        ...base,
        binaryPlatform: m.binaryPlatform,
        targetPlatform: m.targetPlatform,
      });
    case 'GLIBC_TOO_OLD':
      return makeFinding('GLIBC_TOO_OLD', fields, { ...base, needed: m.needed, available: m.available });
    case 'SHARED_LIBRARY_MISSING':
      return makeFinding('SHARED_LIBRARY_MISSING', fields, { ...base, libraries: m.libraries });
    case 'GLIBCXX_TOO_OLD':
      return makeFinding('GLIBCXX_TOO_OLD', fields, { ...base, needed: m.needed, available: m.available });
    case 'NAPI_VERSION_TOO_HIGH':
      return makeFinding('NAPI_VERSION_TOO_HIGH', fields, {
        ...base,
        declared: m.declared,
        available: m.available,
      });
    case 'ABI_MISMATCH':
      return makeFinding('ABI_MISMATCH', fields, { ...base, binaryAbi: m.binaryAbi, targetAbi: m.targetAbi });
    case 'INVALID_BINARY':
      return makeFinding('INVALID_BINARY', fields, { ...base, notes: m.notes });
  }
}
