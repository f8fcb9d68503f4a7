// The Node verify loads with: the `--node` given, and that Node as a Target.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CodedError } from '../model/errors.js';
import type { VerifyErrorFact } from '../model/errors.js';
import { armvFor, napiFor, UV_MAJOR } from '../targets/abi.js';
import type { LibcFacts, Target } from '../model/target.js';
import type { NodeFacts } from '../probe/jobs.js';

/**
 * The Node that verify loads with, as a Target, from what a loader running under it reported: its
 * own versions, ABI, Node-API level and arch (no table can be more right than the binary itself),
 * and this machine's libc, which is what the dynamic loader will use.
 */
export function targetFromNode(
  facts: NodeFacts,
  libc: LibcFacts | null,
  options: { id: string; isHost: boolean; env: Record<string, string | undefined> },
): Target {
  const runtime = facts.versions.electron ? 'electron' : 'node';
  const version = facts.versions.electron ?? facts.versions.node;
  const napi = Number(facts.versions.napi);
  const arch = facts.arch;
  return {
    id: options.id,
    runtime,
    version,
    abi: facts.versions.modules,
    napi: Number.isInteger(napi) && napi > 0 ? napi : napiFor(version, runtime),
    platform: facts.platform,
    arch,
    libc: facts.platform === 'linux' ? (libc?.family ?? null) : null,
    libcVersion: facts.platform === 'linux' && libc?.family ? libc.version : null,
    // node-gyp-build reads ARM_VERSION first, then the arch, then Node's own build config
    armv: options.env.ARM_VERSION || (arch === 'arm64' ? '8' : facts.armVersion) || armvFor(arch),
    uv: facts.versions.uv?.split('.')[0] || UV_MAJOR,
    // verify loads what is installed; whether this machine could compile is check's question
    toolchain: { python: false, make: false, cxx: false, known: false },
    isHost: options.isHost,
  };
}

/** A `--node` that is no Node binary; report/error-words.ts words it. */
export class VerifyError extends CodedError<'verify'> {
  constructor(fact: VerifyErrorFact, code: string) {
    super('verify', fact, code);
    this.name = 'VerifyError';
  }
}

/** `--node`: a Node binary, or a folder holding `bin/node` (an unpacked Node distribution). */
export function resolveNodeBinary(spec: string, cwd: string): string {
  const path = resolve(cwd, spec);
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new VerifyError({ why: 'no-such-node', spec }, 'ENODE');
  }
  if (stat.isDirectory()) {
    for (const candidate of [join(path, 'bin', 'node'), join(path, 'node.exe'), join(path, 'node')]) {
      if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    }
    throw new VerifyError({ why: 'node-folder-without-bin', spec }, 'ENODE');
  }
  return path;
}
