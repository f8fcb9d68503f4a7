// What the npm that will run the install changes about the project's own files (the script policy's
// npm 12 verdicts live in tree/script-config.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeFinding } from '../model/findings.js';
import type { Finding } from '../model/findings.js';
import type { NpmVersion } from '../model/prediction.js';

/**
 * npm 12 no longer reads npm-shrinkwrap.json, at the root or inside dependencies (changelog 12.0.0;
 * checked with npm 12.2.3: a project with only npm-shrinkwrap.json fails `npm ci` with EUSAGE "can
 * only install with an existing package-lock.json"). With a package-lock.json beside it npm 12
 * installs from that one, while native-guard's lockfile reading still prefers the shrinkwrap.
 */
export function npmVersionFindings(root: string, npm: NpmVersion | null | undefined): Finding[] {
  if (!npm || npm.major < 12 || !existsSync(join(root, 'npm-shrinkwrap.json'))) return [];
  const packageLock = existsSync(join(root, 'package-lock.json'));
  return [
    makeFinding(
      'NPM_SHRINKWRAP_IGNORED',
      { location: '', ...(packageLock ? { severity: 'warning' as const } : {}) },
      { npmVersion: npm.version, packageLock },
    ),
  ];
}
