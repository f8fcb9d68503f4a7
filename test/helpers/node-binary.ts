import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/fetch-node.mjs', import.meta.url));

/**
 * A real Node binary of a major (scripts/fetch-node.mjs: the registry's node-<platform>-<arch>,
 * cached in .cache/node). Returns its path, or the reason there is none (no registry access, a
 * platform without such a package) so that tests can say why they skip.
 */
export function realNode(major: number): { path: string | null; reason: string } {
  try {
    const path = execFileSync(process.execPath, [SCRIPT, String(major)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15 * 60_000,
    }).trim();
    return { path, reason: '' };
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return {
      path: null,
      reason: `no Node ${major} binary: ${(e.stderr || e.message).trim().split('\n')[0]}`,
    };
  }
}
