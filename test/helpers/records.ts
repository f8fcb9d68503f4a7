import type { ManifestFacts, PackageRecord } from '../../src/model/package.js';

/** A manifest with nothing in it but what is given. */
export const manifestOf = (m: Partial<ManifestFacts> = {}): ManifestFacts => ({
  scripts: {},
  dependencies: {},
  optionalDependencies: {},
  ...m,
});

/** An installed, hoisted, non-dev package with a binding.gyp and nothing else, as the strategy tests build it by hand. */
export function packageRecord(
  name: string,
  version: string,
  extra: Partial<PackageRecord> = {},
): PackageRecord {
  return {
    name,
    version,
    id: `${name}@${version}`,
    location: `node_modules/${name}`,
    path: `/p/node_modules/${name}`,
    manifest: manifestOf(),
    rootEntries: ['binding.gyp', 'package.json'],
    dependencies: [],
    isRoot: false,
    isWorkspace: false,
    optional: false,
    dev: false,
    inBundle: false,
    installed: true,
    ...extra,
  };
}
