import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file's content: text, or a copy of a real file (a fixture addon). */
export type FileSpec = string | { copy: string };

export interface FakePackage {
  /** package.json fields; `name` and `version` default from the folder. */
  manifest?: Record<string, unknown>;
  files?: Record<string, FileSpec>;
}

/** This repository's own node_modules: real loader packages (node-gyp-build) to copy into fixtures. */
export const REPO_NODE_MODULES = fileURLToPath(new URL('../../node_modules/', import.meta.url));

/**
 * Writes a project on disk: the root package.json, and packages by location (`node_modules/x`,
 * `skills/db`, `skills/db/node_modules/y`), each with a package.json and files. Returns its folder.
 */
export function writeProject(
  dir: string,
  spec: {
    root?: Record<string, unknown>;
    files?: Record<string, FileSpec>;
    packages?: Record<string, FakePackage>;
  },
): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'fixture-app', version: '1.0.0', private: true, ...spec.root }, null, 2),
  );
  writeFiles(dir, spec.files ?? {});
  for (const [location, pkg] of Object.entries(spec.packages ?? {})) {
    const folder = join(dir, ...location.split('/'));
    const at = location.lastIndexOf('node_modules/');
    const name = at >= 0 ? location.slice(at + 'node_modules/'.length) : location.split('/').pop();
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, 'package.json'),
      JSON.stringify({ name, version: '1.0.0', ...pkg.manifest }, null, 2),
    );
    writeFiles(folder, pkg.files ?? {});
  }
  return dir;
}

function writeFiles(dir: string, files: Record<string, FileSpec>) {
  for (const [rel, content] of Object.entries(files)) {
    const file = join(dir, ...rel.split('/'));
    mkdirSync(dirname(file), { recursive: true });
    if (typeof content === 'string') writeFileSync(file, content);
    else copyFileSync(content.copy, file);
  }
}

/** Copies a real package from this repository's node_modules into a fixture's node_modules. */
export function copyRealPackage(name: string, intoNodeModules: string) {
  cpSync(join(REPO_NODE_MODULES, name), join(intoNodeModules, name), { recursive: true });
}

export function tempDir(prefix: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
