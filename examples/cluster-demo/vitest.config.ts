import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'cluster-demo',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // A real cluster of processes: generous timeouts, one file at a time on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 90_000,
    fileParallelism: false,
  },
});
