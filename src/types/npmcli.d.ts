// Minimal typings for the npm internals we use. Only the members native-guard reads are declared.

declare module '@npmcli/arborist' {
  interface ArboristEdge {
    name: string;
    type: 'prod' | 'dev' | 'optional' | 'peer' | 'peerOptional' | 'workspace';
    spec: string;
    to: ArboristNode | null;
    missing: boolean;
    invalid: boolean;
  }
  interface ArboristNode {
    name: string;
    packageName: string | null;
    version: string;
    location: string;
    path: string;
    realpath: string;
    resolved: string | null;
    integrity: string | null;
    package: Record<string, unknown>;
    isLink: boolean;
    isRoot: boolean;
    isWorkspace: boolean;
    isProjectRoot: boolean;
    target: ArboristNode;
    optional: boolean;
    dev: boolean;
    peer: boolean;
    devOptional: boolean;
    inBundle: boolean;
    extraneous: boolean;
    hasInstallScript: boolean;
    errors: Array<Error & { code?: string; path?: string }>;
    children: Map<string, ArboristNode>;
    edgesOut: Map<string, ArboristEdge>;
    edgesIn: Set<ArboristEdge>;
    isRegistryDependency: boolean;
    inventory: Map<string, ArboristNode>;
    workspaces: Map<string, string> | null;
    parent: ArboristNode | null;
    fsParent: ArboristNode | null;
    root: ArboristNode;
  }
  interface ArboristOptions {
    path: string;
    [option: string]: unknown;
  }
  class Arborist {
    constructor(options: ArboristOptions);
    loadActual(options?: Record<string, unknown>): Promise<ArboristNode>;
    loadVirtual(options?: Record<string, unknown>): Promise<ArboristNode>;
  }
  export default Arborist;
  export type { ArboristNode, ArboristEdge, ArboristOptions };
}

declare module 'npm-install-checks' {
  export function checkPlatform(
    target: { os?: string | string[]; cpu?: string | string[]; libc?: string | string[]; _id?: string },
    force?: boolean,
    environment?: { os?: string; cpu?: string; libc?: string },
  ): void;
  export function checkEngine(
    target: { engines?: Record<string, string>; _id?: string },
    npmVer: string | null,
    nodeVer: string | null,
    force?: boolean,
  ): void;
}

declare module 'node-api-version' {
  export function fromNodeVersion(version: string): number | undefined;
  export function fromElectronVersion(version: string): number | undefined;
}

declare module '@npmcli/config' {
  interface ConfigOptions {
    npmPath: string;
    cwd: string;
    argv: string[];
    definitions: unknown;
    flatten: unknown;
    shorthands: unknown;
    nerfDarts?: unknown;
    env: Record<string, string | undefined>;
    execPath: string;
    platform: string;
    warn?: boolean;
  }
  class Config {
    constructor(options: ConfigOptions);
    load(): Promise<void>;
    get(key: string, where?: string): unknown;
    flat: Record<string, unknown>;
  }
  export default Config;
}

declare module '@npmcli/config/lib/definitions/index.js' {
  const defs: { definitions: unknown; flatten: unknown; shorthands: unknown; nerfDarts: unknown };
  export default defs;
}
