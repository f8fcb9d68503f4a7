// node-abi ships no types; only what native-guard uses is declared (targets/ and the download planners).
declare module 'node-abi' {
  export interface AbiTarget {
    runtime: string;
    target: string;
    abi: string;
    lts: boolean;
  }
  /** Throws for a version node-abi does not know (too new for the installed node-abi). */
  export function getAbi(target: string, runtime?: string): string;
  export const allTargets: AbiTarget[];
  /** Lines node-abi announces before their first release. */
  export const futureTargets: AbiTarget[];
}
