import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'plugin-disconnect',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
