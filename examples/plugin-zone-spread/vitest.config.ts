import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'example-plugin-zone-spread',
    include: ['src/**/*.test.ts'],
    // Property tests check hundreds to thousands of random clusters: with another test file
    // beside them on a 2-core machine they outrun vitest's 5 s default.
    testTimeout: 60_000,
  },
});
