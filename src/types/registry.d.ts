// Minimal typings for the npm registry clients native-guard uses. Only the members it calls are declared.

declare module 'pacote' {
  type Options = Record<string, unknown>;
  const pacote: {
    manifest(spec: string, opts?: Options): Promise<Record<string, unknown>>;
    tarball: {
      stream<T>(
        spec: string,
        handler: (stream: NodeJS.ReadableStream) => Promise<T>,
        opts?: Options,
      ): Promise<T>;
    };
  };
  export default pacote;
}

declare module 'npm-registry-fetch' {
  const fetch: {
    pickRegistry(spec: unknown, opts?: Record<string, unknown>): string;
  };
  export default fetch;
}

declare module 'make-fetch-happen' {
  interface FetchResponse {
    status: number;
    url: string;
    headers: { get(name: string): string | null };
    body: NodeJS.ReadableStream & { resume(): void; destroy(err?: Error): void };
  }
  function fetch(url: string, opts?: Record<string, unknown>): Promise<FetchResponse>;
  export default fetch;
  export type { FetchResponse };
}

declare module 'js-yaml' {
  export function load(text: string, opts?: Record<string, unknown>): unknown;
}

declare module 'npm-package-arg' {
  interface Result {
    type: string;
    name: string | null;
    registry?: boolean;
  }
  function npa(spec: string, where?: string): Result;
  namespace npa {
    function resolve(name: string, spec: string, where?: string): Result;
  }
  export default npa;
}

declare module '@npmcli/arborist/lib/script-allowed.js' {
  /** true: allowed; false: denied; null: no entry matches (unreviewed). */
  export function isScriptAllowed(node: unknown, policy: Record<string, boolean> | null): boolean | null;
  export function isExactVersionDisjunction(spec: string): boolean;
}
