import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // integration tests install real packages from the registry and run npm
    testTimeout: 60_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // At least two test files at a time, also on a 2-core machine (vitest's default there is one):
    // most of the suite's time is spent waiting on npm, the registry and child processes, not on
    // this process's CPU. Test files share nothing unlocked (dist/ and the caches under .cache/ are
    // built under a lock).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
