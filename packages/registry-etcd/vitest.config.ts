import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'registry-etcd',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Real etcd members: generous timeouts (files run two at a time).
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
