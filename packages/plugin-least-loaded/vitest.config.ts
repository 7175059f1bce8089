import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'plugin-least-loaded',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
