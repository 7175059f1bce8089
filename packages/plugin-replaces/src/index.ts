import { createRequire } from 'node:module';
import { definePlugin, withRequirements } from '@fleetd/core';
import type { ClusterView, ResolvedUnit } from '@fleetd/core';
import {
  REPLACES_OPTION,
  replacedOn,
  replacedPeerProblem,
  replacesCycle,
  replacesReasons,
  replacesRequirement,
  replacesUnit,
  replaceTargets,
} from './replaces.js';
import type { ReplaceTargets } from './replaces.js';

export {
  MAX_CYCLE_SEARCH,
  REPLACES_OPTION,
  replacedOn,
  replacedPeerProblem,
  replacePatterns,
  replacesCycle,
  replacesReasons,
  replacesRequirement,
  replacesUnit,
  replaceTargets,
} from './replaces.js';
export type { ReplacesLookup, ReplacesRequirement, ReplaceTargets, ReplacingUnit } from './replaces.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** What an unplaced unit with Replaces may do right now: computed once per scheduling decision. */
interface Decision {
  readonly cycleWith: string | undefined;
  readonly targets: ReplaceTargets;
}

const noTargets: ReplaceTargets = Object.freeze({ first: undefined, machines: new Map() });

function decide(unit: ResolvedUnit, cluster: ClusterView): Decision {
  const cycleWith = replacesCycle(unit, cluster, cluster.unitsWithRequirement('replaces'));
  return { cycleWith, targets: cycleWith === undefined ? replaceTargets(unit, cluster) : noTargets };
}

/** Whether the Replaces placement rules (take the replaced unit's machine, one per cycle) apply: an unplaced, non-global unit. */
function seeksMachine(unit: ResolvedUnit, cluster: ClusterView): boolean {
  return !unit.global && cluster.placementOf(unit.name) === undefined;
}

/**
 * fleet's `Replaces`: the unit takes the machine of the units it replaces
 * (globs, Go `path.Match` semantics), which are pushed to another machine.
 *
 * - No unit runs on a machine where another unit replaces it (`replaced by
 *   U`): the core's re-check revokes a replaced unit from its machine and
 *   places it elsewhere in the same round.
 * - A unit with Replaces that is not placed yet may only go to a machine
 *   running a unit it replaces, when one does (`takes the machine of V`).
 *   Once placed, it stays: it does not chase units that moved away.
 * - Of units that replace each other (mutually, or around a longer cycle),
 *   only one runs (`in a Replaces cycle with U`).
 *
 * At submit it refuses malformed globs and a MachineOf peer matching the
 * unit's own Replaces globs.
 */
export default definePlugin({
  meta: { name: 'replaces', version, core: '^0.1.0', unitOptions: [REPLACES_OPTION] },
  apply(hooks, _options, context) {
    const machineOf = context.unitOptions.get('MachineOf');

    // narrow computes an unplaced unit's decision once (targets may need a
    // pass over every machine's units); the filter then reuses it for every
    // candidate machine of the same decision. The core calls narrow before
    // filtering a unit that is not placed (placing, global units, explain);
    // if it did not, the filter computes the decision itself.
    let last: { readonly unit: ResolvedUnit; readonly cluster: ClusterView; readonly decision: Decision } | undefined;
    const decisionFor = (unit: ResolvedUnit, cluster: ClusterView): Decision => {
      if (last?.unit === unit && last.cluster === cluster) return last.decision;
      const decision = decide(unit, cluster);
      last = { unit, cluster, decision };
      return decision;
    };

    // The core's index of units with Replaces (cluster.unitsWithRequirement)
    // lets a cycle search reach units that are not placed yet, and lets the
    // "replaced by" check skip every other unit without a lookup.
    hooks.resolveUnit.tap((unit) => {
      const replaces = replacesRequirement(unit);
      if (replaces === undefined) return unit;
      return withRequirements(unit, { replaces });
    });

    hooks.validateUnit.tap((unit) => {
      const replaces = unit.requirements.replaces;
      if (replaces === undefined) return undefined;
      // A template is never placed, and its globs may only become well formed once an instance expands %i.
      if (replaces.problem !== undefined && !unit.nameInfo.isTemplate) return replaces.problem;
      return replacedPeerProblem(unit, machineOf);
    });

    hooks.narrow.tap((unit, cluster, narrowing) => {
      last = undefined;
      const replaces = unit.requirements.replaces;
      if (replaces === undefined) {
        // Without Replaces of its own, the filter only rejects a machine where a unit replacing it
        // runs: when no unit replaces it, it passes every machine and the core need not call it.
        // (Checked only while that costs less than one filter call per machine.)
        const replacers = cluster.unitsWithRequirement('replaces');
        if (replacers.size > cluster.machines.length) return;
        for (const other of replacers) {
          const otherUnit = cluster.unit(other);
          if (otherUnit !== undefined && replacesUnit(otherUnit, unit.name)) return;
        }
        return narrowing.passesEverywhere?.();
      }
      if (replaces.problem !== undefined) return narrowing.restrict([], replaces.problem);
      if (!seeksMachine(unit, cluster)) return;
      const { cycleWith, targets } = decisionFor(unit, cluster);
      if (cycleWith !== undefined) return narrowing.restrict([], replacesReasons.cycleWith(cycleWith));
      if (targets.first !== undefined) narrowing.restrict(targets.machines.keys(), replacesReasons.takesMachineOf(targets.first));
    });

    hooks.filter.tap((unit, machine, cluster) => {
      const replaces = unit.requirements.replaces;
      if (replaces !== undefined) {
        if (replaces.problem !== undefined) return replaces.problem;
        if (seeksMachine(unit, cluster)) {
          const { cycleWith, targets } = decisionFor(unit, cluster);
          if (cycleWith !== undefined) return replacesReasons.cycleWith(cycleWith);
          if (targets.first !== undefined && !targets.machines.has(machine)) return replacesReasons.takesMachineOf(targets.first);
        }
      }
      const by = replacedOn(unit, machine, cluster, cluster.unitsWithRequirement('replaces'));
      return by === undefined ? undefined : replacesReasons.replacedBy(by);
    });
  },
});
