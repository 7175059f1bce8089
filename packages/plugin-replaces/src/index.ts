import { createRequire } from 'node:module';
import { definePlugin, unitOptionValues, withRequirements } from '@fleetd/core';
import type { ClusterView, MachineView, ResolvedUnit } from '@fleetd/core';
import { cachedPushLoops } from './loops.js';
import type { MachineOfOption } from './loops.js';
import { REPLACES_OPTION, replacedPeerProblem, replacesReasons, replacesRequirement } from './replaces.js';
import { replacedByNone, replacesScore, replacesVerdict, wouldPush } from './rules.js';

export {
  MAX_CYCLE_SEARCH,
  REPLACES_OPTION,
  REPLACES_PENALTY,
  replacedPeerProblem,
  replacePatterns,
  replacesOneWay,
  replacesReasons,
  replacesRequirement,
  replacesUnit,
} from './replaces.js';
export type { ReplacesLookup, ReplacesRequirement, ReplacingUnit } from './replaces.js';
export { replacesCycleMembers } from './cycles.js';
export { pushedOn, replacedOn, replacesScore, replacesVerdict, wouldPush } from './rules.js';
export { pushLoops } from './loops.js';
export type { MachineOfOption } from './loops.js';

// The core range is the package's peer range, so that it follows the releases (one place to change).
const { version, peerDependencies } = createRequire(import.meta.url)('../package.json') as { version: string; peerDependencies: { '@fleetd/core': string } };

/**
 * The push-loop rule: a unit (not placed on `machine`) is not placed next to
 * a unit it would push whose move leads back to it (`would push X, whose move
 * leads back to it (X → … → unit)`). Once placed, it stays: the unit it
 * replaces moves (the replaced-unit rule), and what follows does not bring
 * it back, since it is then not placed there.
 */
function loopVerdict(unit: ResolvedUnit, machine: MachineView, cluster: ClusterView, machineOf: MachineOfOption | undefined): string | undefined {
  if (cluster.placementOf(unit.name) === machine) return undefined;
  for (const [target, path] of cachedPushLoops(unit, cluster, machineOf, cluster.unitsWithRequirement('replaces'))) {
    if (machine.units.has(target)) return replacesReasons.pushLoop(path);
  }
  return undefined;
}

/**
 * fleet's `Replaces`: a unit and the units its globs match (Go `path.Match`)
 * never share a machine.
 *
 * - The replaced unit moves: it is not placed, and does not stay, on a machine
 *   where a unit replacing it runs (`replaced by Y`); the core's re-check
 *   revokes it there and places it elsewhere in the same round.
 * - The replacing unit is decided after the units it replaces that still
 *   wait for a machine (`decideAfter`), and a machine where one of them runs
 *   scores `-REPLACES_PENALTY`: it is taken only when no other machine
 *   passes, and then the replaced unit moves. A placed unit stays.
 * - A pair replacing each other is ignored, as fleet did; units on a longer
 *   cycle of one-way Replaces are only kept apart (`on a Replaces cycle with Y`),
 *   without pushing each other, so none chases another around the cycle.
 * - A replacing unit is not placed next to a unit it would push whose move
 *   leads back to it (through MachineOf followers and further pushes).
 *
 * At submit it refuses malformed globs and a MachineOf peer matching the
 * unit's own Replaces globs.
 */
export default definePlugin({
  meta: { name: 'replaces', version, core: peerDependencies['@fleetd/core'], unitOptions: [REPLACES_OPTION] },
  apply(hooks, _options, context) {
    const machineOf = context.unitOptions.get('MachineOf');

    // The core's index of units with Replaces (cluster.unitsWithRequirement)
    // lets the filter look up only those units on a machine, lets globs reach
    // units that are not placed yet, and keys the cycle and loop caches.
    hooks.resolveUnit.tap((unit) => {
      const replaces = replacesRequirement(unit);
      // Marked so the push-loop search can tell at once when no unit follows another (then there is no loop).
      const follows = machineOf !== undefined && unitOptionValues(unit, machineOf).length > 0;
      if (replaces === undefined && !follows) return unit;
      return withRequirements(unit, { ...(replaces === undefined ? {} : { replaces }), ...(follows ? { replacesFollows: true as const } : {}) });
    });

    hooks.validateUnit.tap((unit) => {
      const replaces = unit.requirements.replaces;
      if (replaces === undefined) return undefined;
      // A template is never placed, and its globs may only become well formed once an instance expands %i.
      if (replaces.problem !== undefined && !unit.nameInfo.isTemplate) return replaces.problem;
      return replacedPeerProblem(unit, machineOf);
    });

    hooks.narrow.tap((unit, cluster, narrowing) => {
      if (unit.requirements.replaces !== undefined) {
        const problem = unit.requirements.replaces.problem;
        if (problem !== undefined) return narrowing.restrict([], problem);
        const replacers = cluster.unitsWithRequirement('replaces');
        return narrowing.decideAfter?.((name) => wouldPush(unit, name, cluster, replacers));
      }
      // Without Replaces of its own a unit scores 0 everywhere: the core need not call the score.
      narrowing.scoresNothing?.();
      // And the filter only rejects a machine where a unit replacing it runs: when no unit replaces
      // it, it passes every machine and the core need not call it either.
      // (Checked only while that costs less than one filter call per machine.)
      const replacers = cluster.unitsWithRequirement('replaces');
      if (replacers.size <= cluster.machines.length && replacedByNone(unit, cluster, replacers)) narrowing.passesEverywhere?.();
    });

    hooks.filter.tap((unit, machine, cluster) => {
      const replaces = unit.requirements.replaces;
      if (replaces?.problem !== undefined) return replaces.problem;
      const verdict = replacesVerdict(unit, machine, cluster, cluster.unitsWithRequirement('replaces'));
      if (verdict !== undefined || replaces === undefined) return verdict;
      return loopVerdict(unit, machine, cluster, machineOf);
    });

    hooks.score.tap((unit, machine, cluster) => {
      if (unit.requirements.replaces === undefined) return 0;
      return replacesScore(unit, machine, cluster, cluster.unitsWithRequirement('replaces'));
    });
  },
});
