import type { ManifestFacts } from '../model/package.js';

/** Top-level entries that say a package builds, bundles or ships a binary. */
export const isNativeEntry = (entry: string): boolean =>
  entry === 'binding.gyp' ||
  entry === 'binding.gyp/' ||
  entry === 'prebuilds/' ||
  entry === 'CMakeLists.txt' ||
  entry.endsWith('.node');

const stringList = (value: unknown): string[] | undefined => {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return undefined;
};

const stringMap = (value: unknown): Record<string, string> => {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
};

const plainObject = (value: unknown): Record<string, unknown> | undefined =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

/**
 * Keeps only what native-guard reads. Any field may be missing or of the wrong type in a real
 * package.json, so every field is checked rather than trusted.
 */
export function manifestFacts(pkg: Record<string, unknown> | null | undefined): ManifestFacts {
  const p = pkg ?? {};
  const scripts = plainObject(p.scripts) ?? {};
  const pick = (name: string) => (typeof scripts[name] === 'string' ? (scripts[name] as string) : undefined);
  const facts: ManifestFacts = {
    scripts: {},
    dependencies: stringMap(p.dependencies),
    optionalDependencies: stringMap(p.optionalDependencies),
  };
  for (const name of ['preinstall', 'install', 'postinstall'] as const) {
    const script = pick(name);
    if (script !== undefined) facts.scripts[name] = script;
  }
  if (typeof p.gypfile === 'boolean') facts.gypfile = p.gypfile;
  const binary = plainObject(p.binary);
  if (binary) facts.binary = binary;
  const os = stringList(p.os);
  if (os) facts.os = os;
  const cpu = stringList(p.cpu);
  if (cpu) facts.cpu = cpu;
  const libc = stringList(p.libc);
  if (libc) facts.libc = libc;
  if (typeof p.main === 'string') facts.main = p.main;
  const config = plainObject(p.config);
  if (config) facts.config = config;
  if (p.repository !== undefined) facts.repository = p.repository;
  // engines.node decides whether a source build is promised on a target's Node (bounded: it is package text)
  const node = plainObject(p.engines)?.node;
  if (typeof node === 'string' && node.length <= 256) facts.engines = { node };
  return facts;
}
