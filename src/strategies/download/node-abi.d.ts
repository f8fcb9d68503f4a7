// node-abi ships no types. Only getAbi is declared here, with the same signature as any other
// declaration of this module in the project, so the ambient declarations merge cleanly.
declare module 'node-abi' {
  /** Throws for a version node-abi does not know (too new for the installed node-abi). */
  export function getAbi(target: string, runtime?: string): string;
}
