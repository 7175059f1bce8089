import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'example-scheduling-demo',
    include: ['src/**/*.test.ts'],
  },
});
