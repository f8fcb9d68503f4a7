// The words for package managers and their layouts: the report header's "by pnpm 10.34.9
// (isolated)", and why a layout could not be read.
import type { PackageManagerInfo } from '../model/package.js';
import { inert } from './inert.js';

const NAMES: Record<PackageManagerInfo['name'], string> = {
  npm: 'npm',
  pnpm: 'pnpm',
  'yarn-classic': 'Yarn',
  'yarn-berry': 'Yarn',
  bun: 'Bun',
};

const LINKERS: Record<PackageManagerInfo['linker'], string> = {
  hoisted: 'node_modules',
  isolated: 'isolated store',
  pnp: "Plug'n'Play",
};

/** `pnpm 10.34.9, isolated store`, `Yarn 4.18.1, Plug'n'Play`, `Yarn 1`, `npm`. */
export function managerWords(pm: PackageManagerInfo): string {
  const version = pm.version
    ? ` ${inert(pm.version)}`
    : pm.name === 'yarn-classic'
      ? ' 1'
      : pm.name === 'yarn-berry'
        ? ' 2+'
        : '';
  const linker = pm.name === 'npm' || pm.name === 'yarn-classic' ? '' : `, ${LINKERS[pm.linker]}`;
  return `${NAMES[pm.name]}${version}${linker}`;
}

/** The header's words for the manager: nothing for npm (what native-guard has always read). */
export function managerNote(pm: PackageManagerInfo | undefined): string {
  return pm && pm.name !== 'npm' ? ` by ${managerWords(pm)}` : '';
}

/** LAYOUT_UNREADABLE's reasons. */
export const LAYOUT_WORDS: Record<string, string> = {
  'no-data': 'holds no package map native-guard can read (no RAW_RUNTIME_STATE)',
  syntax: 'its package map is not valid JSON',
  shape: 'its package map has no packageRegistryData list',
  'too-large': 'its package map is larger than native-guard reads',
  unreadable: 'cannot be read',
  'not-installed': "the project uses Yarn Plug'n'Play but has no .pnp.cjs: it is not installed",
  'unsupported-linker': 'the linker of this package manager is not one native-guard reads',
};
