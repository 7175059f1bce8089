import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'example-configs',
    include: ['test/**/*.test.ts'],
  },
});
