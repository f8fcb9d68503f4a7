import { resolve } from 'node:path';
import { checkFactsAgainstTarget } from './binary/compat.js';
import type { FactsMismatch } from './binary/compat.js';
import { inspectFile } from './binary/facts.js';
import type { BinaryFacts } from './binary/types.js';
import type { Target } from './target/types.js';

export interface InspectedFile extends BinaryFacts {
  /** The path as given. */
  file: string;
  /** Per target given, why the file would not load there (empty: nothing rules it out). */
  mismatches?: Array<{ target: string } & FactsMismatch>;
}

export interface InspectReport {
  schemaVersion: 1;
  files: InspectedFile[];
}

/** Binary facts of each file, in the order given, one entry per path (unreadable ones included). */
export function inspect(files: string[], options: { cwd?: string; targets?: Target[] } = {}): InspectReport {
  const cwd = options.cwd ?? process.cwd();
  const cache = new Map<string, BinaryFacts>();
  return {
    schemaVersion: 1,
    files: files.map((file) => {
      const abs = resolve(cwd, file);
      let facts = cache.get(abs);
      if (!facts) {
        facts = inspectFile(abs);
        cache.set(abs, facts);
      }
      const entry: InspectedFile = { file, ...facts };
      if (options.targets) {
        entry.mismatches = facts.format
          ? options.targets.flatMap((t) =>
              checkFactsAgainstTarget(facts, t).map((m) => ({ target: t.id, ...m })),
            )
          : [];
      }
      return entry;
    }),
  };
}
