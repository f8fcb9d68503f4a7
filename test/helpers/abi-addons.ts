import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getAbi } from 'node-abi';

/**
 * The ABI-specific fixture addons (legacy-abi, abi-init), built once per Node ABI by
 * scripts/build-fixture-addons.sh into fixtures/addons/abi/<abi>/ (fixtures/addons/README.md).
 * A build loads only on the Node with its ABI, so a test that loads one picks it here: the build
 * for the Node running the tests, or one for another ABI to get ABI_MISMATCH on purpose.
 */
export const ABI_ADDONS = fileURLToPath(new URL('../../fixtures/addons/abi/', import.meta.url));

export type AbiAddon = 'legacy-abi' | 'abi-init';

/** The ABIs there is a build for, lowest first ('115', '127', …). */
export const BUILT_ABIS: readonly string[] = readdirSync(ABI_ADDONS)
  .filter((d) => /^\d+$/.test(d))
  .sort((a, b) => Number(a) - Number(b));

/** The ABI of the Node running the tests. */
export const HOST_ABI = process.versions.modules;

/**
 * Why the running Node has no ABI-specific build (for a test's skip message), or '' when it has
 * one. A new Node major needs its line in scripts/build-fixture-addons.sh and a rebuild.
 */
export const NO_BUILD_FOR_HOST = BUILT_ABIS.includes(HOST_ABI)
  ? ''
  : `no ABI-specific fixture addons for Node ${process.versions.node} (ABI ${HOST_ABI}; built for ${BUILT_ABIS.join(', ')}): add its major to ABI_MAJORS in scripts/build-fixture-addons.sh`;

/** The file of an ABI-specific fixture addon built for `abi` (default: the running Node's). */
export function abiAddon(name: AbiAddon, abi: string = HOST_ABI): string {
  const file = `${ABI_ADDONS}${abi}/${name}.node`;
  if (!existsSync(file))
    throw new Error(`no ${name} built for ABI ${abi} (built for ${BUILT_ABIS.join(', ')})`);
  return file;
}

/**
 * An ABI with a build that is not `abi` (default: the running Node's): the lowest other one, so
 * the choice is the same on every run. Loading its build here is ABI_MISMATCH.
 */
export function otherAbi(abi: string = HOST_ABI): string {
  const other = BUILT_ABIS.find((a) => a !== abi);
  if (!other) throw new Error(`no fixture build for an ABI other than ${abi}`);
  return other;
}

/** The NODE_MODULE_VERSION of a Node major, from node-abi's registry (not from the fixtures). */
export function abiOfNodeMajor(major: number): string {
  return getAbi(`${major}.0.0`, 'node');
}

/**
 * Another supported Node major than the running one, for verify --node: 22, or 24 when the tests
 * run on 22.
 */
export function otherNodeMajor(): number {
  return Number(process.versions.node.split('.')[0]) === 22 ? 24 : 22;
}
