import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'bench',
    // chaos/: the chaos suite's own tests (its 60-second run included).
    include: ['*.test.ts', 'chaos/*.test.ts'],
    // The quick run schedules a few thousand units in a child process: seconds, not milliseconds.
    testTimeout: 120_000,
  },
});
