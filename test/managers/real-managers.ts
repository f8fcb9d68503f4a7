// Real package managers for the layout tests: pnpm, Yarn 1, Yarn Berry and Bun installed from the
// registry with npm into .cache/managers/<key>/ once, and reused by every later run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { realNode } from '../helpers/node-binary.js';

const CACHE = fileURLToPath(new URL('../../.cache/managers/', import.meta.url));

export type ManagerKey = 'pnpm10' | 'pnpm11' | 'yarn1' | 'yarn4' | 'bun';

const SPECS: Record<ManagerKey, { spec: string; bin: string[] }> = {
  pnpm10: { spec: 'pnpm@10', bin: ['node_modules', 'pnpm', 'bin', 'pnpm.cjs'] },
  // pnpm 11 runs on Node >= 22.13 only: it runs on the registry's Node 22 (test/helpers/node-binary.ts)
  pnpm11: { spec: 'pnpm@11', bin: ['node_modules', 'pnpm', 'bin', 'pnpm.mjs'] },
  yarn1: { spec: 'yarn@1', bin: ['node_modules', 'yarn', 'bin', 'yarn.js'] },
  yarn4: { spec: '@yarnpkg/cli-dist@4', bin: ['node_modules', '@yarnpkg', 'cli-dist', 'bin', 'yarn.js'] },
  // the `bun` package's postinstall only copies this executable into place: take it directly
  bun: {
    spec: `@oven/bun-${process.platform}-${process.arch}@1`,
    bin: ['node_modules', '@oven', `bun-${process.platform}-${process.arch}`, 'bin', 'bun'],
  },
};

export interface RealManager {
  key: ManagerKey;
  /** The command and leading arguments that run it (`node …/pnpm.cjs`, or bun's executable). */
  command: string[];
}

/** A manager from the cache (installed from the registry on first use), or the reason there is none. */
export function realManager(key: ManagerKey): { manager: RealManager | null; reason: string } {
  const { spec, bin } = SPECS[key];
  const dir = join(CACHE, key);
  const entry = join(dir, ...bin);
  if (!existsSync(join(dir, '.complete'))) {
    mkdirSync(CACHE, { recursive: true });
    const tmp = mkdtempSync(join(CACHE, `.${key}-`));
    try {
      writeFileSync(join(tmp, 'package.json'), '{"private":true}\n');
      execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-save', spec], {
        cwd: tmp,
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 10 * 60_000,
      });
      writeFileSync(join(tmp, '.complete'), spec);
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      const e = err as { stderr?: Buffer; message: string };
      return {
        manager: null,
        reason: `cannot install ${spec}: ${String(e.stderr ?? e.message).split('\n')[0]}`,
      };
    }
  }
  if (key === 'pnpm11') {
    const node = realNode(22);
    if (!node.path) return { manager: null, reason: node.reason };
    return { manager: { key, command: [node.path, entry] }, reason: '' };
  }
  const command = key === 'bun' ? [entry] : [process.execPath, entry];
  return { manager: { key, command }, reason: '' };
}
