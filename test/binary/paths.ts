import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Addons built here by scripts/build-fixture-addons.sh (sources beside them). */
export const ADDONS = fileURLToPath(new URL('../../fixtures/addons/bin/', import.meta.url));
/** Prebuilds copied from registry packages (see fixtures/binaries/README.md). */
export const BINARIES = fileURLToPath(new URL('../../fixtures/binaries/', import.meta.url));

export function addon(name: string): string {
  return `${ADDONS}${name}.node`;
}

export function binary(name: string): string {
  return `${BINARIES}${name}.node`;
}

/** Every committed fixture file, addons first. */
export function allFixtureFiles(): string[] {
  const list = (dir: string) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.node'))
      .sort()
      .map((f) => dir + f);
  return [...list(ADDONS), ...list(BINARIES)];
}
