import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'dashboard',
    // Pure logic of the page (store, filter and sort, routing, ...) and the built assets;
    // the page in a real browser is tested in examples/cluster-demo.
    include: ['ui/**/*.test.ts', 'src/**/*.test.ts'],
  },
});
