import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'create-plugin',
    include: ['src/**/*.test.ts'],
  },
});
