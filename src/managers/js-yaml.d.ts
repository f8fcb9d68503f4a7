// The parts of js-yaml the lockfile readers use beyond `load` (declared in src/types/registry.d.ts);
// ambient declarations of one module merge.
declare module 'js-yaml' {
  export function loadAll(text: string, iterator?: null, opts?: Record<string, unknown>): unknown[];
  export const FAILSAFE_SCHEMA: object;
}
