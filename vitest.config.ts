import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'examples/*/vitest.config.ts', 'docs/vitest.config.ts', 'bench/vitest.config.ts', '.ci/vitest.config.mjs'],
    // One test file per core, real-process suites included: vitest's default leaves one core
    // idle (1 worker on 2 cores), and a project with fileParallelism: false would be run after
    // all others, alone. Every suite uses its own directories, ports and instance names.
    maxWorkers: Math.max(2, availableParallelism()),
    // The JSON report lets .ci/run print a plain "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: '.vitest-results/results.json' }]],
  },
});
