import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'bench',
    include: ['*.test.ts'],
    // The quick run schedules a few thousand units in a child process: seconds, not milliseconds.
    testTimeout: 120_000,
  },
});
