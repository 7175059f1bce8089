import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'plugin-conflicts',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
