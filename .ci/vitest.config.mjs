import { defineProject } from 'vitest/config';

// The pure parts of the repository's own tooling (release:check's rules), tested without
// packing or installing anything.
export default defineProject({
  test: {
    name: 'ci',
    include: ['**/*.test.mjs'],
  },
});
