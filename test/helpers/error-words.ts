import { errorWords } from '../../src/report/error-words.js';

/** The words the CLI prints for what `fn` throws (report/error-words.ts); fails when it throws nothing or an uncoded error. */
export function thrownWords(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return wordsOf(err);
  }
  throw new Error('expected a throw');
}

/** The words the CLI prints for the error `promise` rejects with. */
export async function rejectedWords(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return wordsOf(err);
  }
  throw new Error('expected a rejection');
}

function wordsOf(err: unknown): string {
  const words = errorWords(err);
  if (words === null) throw err;
  return words;
}
