import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'registry-etcd',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Real etcd members: generous timeouts, and files run one at a time on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
