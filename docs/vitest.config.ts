import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'docs',
    include: ['check/**/*.test.ts'],
    // One TypeScript program for every ```ts block and a real API server: a few seconds each.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
