import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'cluster-demo',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // A real cluster of processes: generous timeouts (files run two at a time).
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
