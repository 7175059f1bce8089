import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'example-plugin-zone-spread',
    include: ['src/**/*.test.ts'],
  },
});
