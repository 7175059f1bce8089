import { availableParallelism } from 'node:os';
import { BaseSequencer } from 'vitest/node';
import type { TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/** The project whose files each run a three-machine cluster, one at a time (examples/cluster-demo/test/one-cluster-at-a-time.ts). */
const CLUSTER_PROJECT = 'cluster-demo';

/**
 * vitest's order, with the cluster files spread evenly among the others: taken
 * one after another, the second would wait for the first's lock and hold a
 * worker idle. Spread, one worker runs a cluster while the other runs files of
 * other projects (they took 4 minutes alone at the end of the run).
 */
class SpreadClusterFiles extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const clusters = sorted.filter((file) => file.project.name === CLUSTER_PROJECT);
    const others = sorted.filter((file) => file.project.name !== CLUSTER_PROJECT);
    if (clusters.length === 0) return sorted;
    const spacing = Math.max(1, Math.floor(others.length / clusters.length));
    const spread: TestSpecification[] = [];
    others.forEach((file, index) => {
      // The first cluster after the first two files (the longest suites, the chaos run among them).
      if (index % spacing === Math.min(2, spacing - 1) && clusters.length > 0) spread.push(clusters.shift() as TestSpecification);
      spread.push(file);
    });
    return [...spread, ...clusters];
  }
}

export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'examples/*/vitest.config.ts', 'docs/vitest.config.ts', 'bench/vitest.config.ts', '.ci/vitest.config.mjs'],
    // One test file per core, real-process suites included: vitest's default leaves one core
    // idle (1 worker on 2 cores), and a project with fileParallelism: false would be run after
    // all others, alone. Every suite uses its own directories, ports and instance names.
    maxWorkers: Math.max(2, availableParallelism()),
    sequence: { sequencer: SpreadClusterFiles },
    // The JSON report lets .ci/run print a plain "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: '.vitest-results/results.json' }]],
  },
});
