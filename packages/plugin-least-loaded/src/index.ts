import { createRequire } from 'node:module';
import { definePlugin } from '@fleetd/core';
import type { MachineView } from '@fleetd/core';

// The core range is the package's peer range, so that it follows the releases (one place to change).
const { version, peerDependencies } = createRequire(import.meta.url)('../package.json') as { version: string; peerDependencies: { '@fleetd/core': string } };

/** Points for a machine: minus the units it runs (placed non-inactive units plus global units), O(1). */
export function loadScore(machine: Pick<MachineView, 'load'>): number {
  return -machine.load;
}

/**
 * fleet's scheduling rule: prefer the machine running the fewest units. Ties
 * go to the lower machine ID, which the core's deterministic tie-break does.
 */
export default definePlugin({
  meta: { name: 'least-loaded', version, core: peerDependencies['@fleetd/core'] },
  apply(hooks) {
    // Points fall as load rises, and ties go by ID: the core's load order is this score's order,
    // so it need only walk the least loaded machines until enough of them pass the filters.
    hooks.narrow.tap((_unit, cluster, narrowing) => {
      if (cluster.machinesByLoad !== undefined) narrowing.scoreOrder?.(cluster.machinesByLoad());
    });
    hooks.score.tap((_unit, machine) => loadScore(machine));
  },
});
