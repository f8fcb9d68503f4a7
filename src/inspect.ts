import { resolve } from 'node:path';
import { checkFactsAgainstTarget } from './binary/compat.js';
import { inspectFile } from './binary/facts.js';
import type { BinaryFacts } from './model/binary.js';
import type { InspectReport, InspectedFile } from './model/reports.js';
import type { Target } from './model/target.js';

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
