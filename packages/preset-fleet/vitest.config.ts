import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'preset-fleet',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
