// Types of big-binaries.mjs, for the tests that share it with the bench.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface PaddedElf {
  before: Buffer;
  pad: number;
  after: Buffer;
  size: number;
}
export interface BigPackage {
  name: string;
  version: string;
  tgz: Buffer;
  binarySize?: number;
}
export interface Registry {
  url: string;
  close(): Promise<void>;
}
export function paddedElf(elf: Buffer, pad: number): PaddedElf;
export function packageTarball(files: Record<string, string | Buffer | PaddedElf>): Promise<Buffer>;
export function bigAddonPackages(elf: Buffer, count: number, pad: number): Promise<BigPackage[]>;
export function integrityOf(tgz: Buffer): string;
export function startRegistry(
  packages: BigPackage[],
  handle?: (req: IncomingMessage, res: ServerResponse) => boolean,
): Promise<Registry>;
export function writeLockfileProject(
  dir: string,
  registryUrl: string,
  packages: BigPackage[],
  npmrc?: string[],
): Promise<void>;
