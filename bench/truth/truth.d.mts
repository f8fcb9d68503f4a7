// Types for truth.mjs, so test/truth/records.test.ts can use the harness's own rules.
export interface Truth {
  label: string;
  binary?: string;
  why?: string;
}
export interface Prediction {
  outcome: string;
  findings?: { code: string; severity?: string }[];
}
export interface Grade {
  grade: 'right' | 'wrong' | 'not-graded';
  why?: string;
}
export function truthOf(cell: unknown, subjects?: string[], exclude?: string[]): Truth;
export function failedPackage(log: unknown): string | null;
export function grade(truth: Truth | null, prediction: Prediction | null, cell?: unknown): Grade;
/** Per target id: the prediction for the first of `subjects` that the report lists as native. */
export function extract(report: unknown, subjects: string[], targets: string[]): Record<string, Prediction>;
/** Findings that name the check which would turn an `unknown` into an answer. */
export const SETTLING: Set<string>;
