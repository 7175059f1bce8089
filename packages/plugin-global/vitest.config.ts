import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'plugin-global',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
