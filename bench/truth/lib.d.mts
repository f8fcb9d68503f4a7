// Types for the parts of lib.mjs that test/truth/records.test.ts uses.
export const HERE: string;
export const ROOT: string;
export const RECORDS: string;
export function recordKey(name: string, version: string): string;
export function makeSlimBin(dir: string): string;
