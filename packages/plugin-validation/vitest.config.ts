import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'plugin-validation',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
