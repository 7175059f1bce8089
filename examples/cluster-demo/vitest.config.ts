import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'cluster-demo',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Three-machine clusters of real processes, each file CPU-heavy for a minute or more:
    // run alone, after every other project (two at once made them miss their deadlines).
    testTimeout: 60_000,
    hookTimeout: 90_000,
    fileParallelism: false,
  },
});
