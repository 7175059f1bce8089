import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'plugin-replaces',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
