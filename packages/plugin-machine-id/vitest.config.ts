import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'plugin-machine-id',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
