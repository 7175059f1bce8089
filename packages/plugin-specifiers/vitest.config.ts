import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'plugin-specifiers',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
