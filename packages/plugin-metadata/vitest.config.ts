import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'plugin-metadata',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
