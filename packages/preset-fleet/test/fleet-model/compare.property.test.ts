// The reference model of fleet's engine loop and fleetd's scheduler, run to a
// fixed point on the same random clusters (README.md explains the model).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clusterArbitrary } from './cluster-arbitrary.js';
import { compareRuns } from './compare.js';

/** Fixed, so a failure reproduces; fast-check prints the seed and the shrunk cluster. */
const SEED = 160016;

/** Clusters per property: about 3 s each on an idle 2-core machine. */
const RUNS = 600;
/** A busy shared machine is several times slower; the default 5 s would fail a passing run. */
const TIMEOUT_MS = 60_000;

describe('fleet reference model against fleetd', () => {
  it('without Replaces: identical placements, unit by unit, at every fixed point', async () => {
    await fc.assert(
      fc.asyncProperty(clusterArbitrary(false), async (cluster) => {
        const run = await compareRuns(cluster);
        expect(run.refusedByOneSide).toEqual([]);
        expect(run.pluginErrors).toEqual([]);
        for (const phase of run.phases) {
          expect(phase.model.settled, `${phase.name}: the model settles`).toBe(true);
          expect(phase.fleetd.settled, `${phase.name}: fleetd settles`).toBe(true);
          expect(phase.fleetd.placements, `${phase.name}: placements`).toEqual(phase.model.placements);
          expect(phase.fleetd.globals, `${phase.name}: global units`).toEqual(phase.model.globals);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, TIMEOUT_MS);
});
