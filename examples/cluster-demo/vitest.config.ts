import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'cluster-demo',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    // Three-machine clusters of real processes, each file CPU-heavy for a minute or more:
    // one at a time (a lock), beside the other projects' files (the root config spreads them).
    setupFiles: ['./test/one-cluster-at-a-time.ts'],
  },
});
