import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // integration tests install real packages from the registry and run npm
    testTimeout: 60_000,
    hookTimeout: 600_000,
    pool: 'forks',
  },
});
