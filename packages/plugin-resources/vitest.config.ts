import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'plugin-resources',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The property test checks hundreds of random clusters: with another test file beside it
    // on a 2-core machine it outruns vitest's 5 s default.
    testTimeout: 60_000,
  },
});
