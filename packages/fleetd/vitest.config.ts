import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'fleetd',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Real daemons, etcd members and systemd instances: generous timeouts (files run two at a time).
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
