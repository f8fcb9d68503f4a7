import { checkPlatform } from 'npm-install-checks';
import type { Target } from '../model/target.js';

export interface PlatformConstraints {
  os?: string[];
  cpu?: string[];
  libc?: string[];
}

/**
 * Would npm install a package with these os/cpu/libc fields on the target? Decided by
 * npm-install-checks, the code behind npm's own EBADPLATFORM, with the target passed in as the
 * environment.
 */
export function npmWouldInstall(c: PlatformConstraints, target: Target): boolean {
  try {
    checkPlatform({ os: c.os, cpu: c.cpu, libc: c.libc }, false, {
      os: target.platform,
      cpu: target.arch,
      // given no libc, npm-install-checks asks the running machine (for linux only), so a linux
      // target always passes its own
      libc: target.libc ?? (target.platform === 'linux' ? 'glibc' : undefined),
    });
    return true;
  } catch {
    return false;
  }
}
