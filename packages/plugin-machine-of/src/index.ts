import { createRequire } from 'node:module';
import { definePlugin, parseUnitName, Stage, unitOptionSpelling, withRequirements } from '@fleetd/core';
import type { ClusterView, MachineView, ResolvedUnit } from '@fleetd/core';
import { machineOfCycle } from './cycle.js';
import { MACHINE_OF_OPTION, machineOfPeers } from './requirement.js';
import type { MachineOfRequirement } from './requirement.js';

export { machineOfCycle, MAX_CYCLE_SEARCH } from './cycle.js';
export type { PeerLookup } from './cycle.js';
export { MACHINE_OF_OPTION, machineOfPeers } from './requirement.js';
export type { MachineOfRequirement } from './requirement.js';

// The core range is the package's peer range, so that it follows the releases (one place to change).
const { version, peerDependencies } = createRequire(import.meta.url)('../package.json') as { version: string; peerDependencies: { '@fleetd/core': string } };

/**
 * The reasons this plugin gives, one phrase per cause, identical for
 * identical causes (summaries group rejections by text).
 */
export const machineOfReasons = {
  /** A peer names no submitted unit. */
  notSubmitted: (peer: string): string => `MachineOf peer ${peer} is not submitted`,
  /** A peer is submitted but placed nowhere (yet): not loaded, or itself unschedulable. */
  waiting: (peer: string): string => `waiting for ${peer} to be placed`,
  /** The peer runs, elsewhere. */
  notTheMachineOf: (peer: string): string => `not the machine of ${peer}`,
  /** `cycle` runs from the unit back to itself. */
  cycle: (cycle: readonly string[]): string => `MachineOf cycle: ${cycle.join(' → ')}`,
} as const;

/**
 * The problem with a unit's MachineOf values that makes them unsatisfiable
 * whatever the cluster looks like, or undefined: a value that is no valid
 * unit name, a template (never placed), the unit itself. Templates are not
 * checked: their values only mean something once an instance expands `%i`.
 */
export function machineOfProblem(unit: Pick<ResolvedUnit, 'name' | 'nameInfo' | 'fleetOptions'>): string | undefined {
  if (unit.nameInfo.isTemplate) return undefined;
  const option = unitOptionSpelling(unit, MACHINE_OF_OPTION);
  for (const peer of machineOfPeers(unit)) {
    let isTemplate: boolean;
    try {
      isTemplate = parseUnitName(peer).isTemplate;
    } catch (error) {
      return `${option}: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (isTemplate) return `${option} peer ${peer} is a template, which is never placed`;
    if (peer === unit.name) return `${option} names the unit itself`;
  }
  return undefined;
}

/**
 * Why a unit that has MachineOf peers cannot go to `machine`, given that some
 * peer is not there. Causes that hold on every machine come first, in peer
 * order (not submitted, not placed), then the first placed peer that runs
 * elsewhere, then the first global peer that does not run here: the order in
 * which `narrow` restricts, so both always give the same reason.
 */
function absentReason(peers: MachineOfRequirement, machine: MachineView, cluster: ClusterView): string {
  for (const peer of peers) {
    const peerUnit = cluster.unit(peer);
    if (peerUnit === undefined) return machineOfReasons.notSubmitted(peer);
    if (peerUnit.global) continue;
    const where = cluster.placementOf(peer);
    if (where === undefined || !where.units.has(peer)) return machineOfReasons.waiting(peer);
  }
  for (const peer of peers) {
    if (!machine.units.has(peer) && cluster.unit(peer)?.global !== true) return machineOfReasons.notTheMachineOf(peer);
  }
  for (const peer of peers) {
    if (!machine.units.has(peer)) return machineOfReasons.notTheMachineOf(peer);
  }
  return machineOfReasons.notTheMachineOf(peers[0] ?? '');
}

/**
 * fleet's `MachineOf` (`X-ConditionMachineOf`): every named unit must already
 * run on the candidate machine (placed and not inactive, or a global unit
 * running there). A follower is checked against one machine: `narrow`
 * restricts it to its peer's placement. When the peer moves, the core's
 * re-check of the follower's placement fails here, so the follower is revoked
 * and placed next to the peer again. Cycles (A → B → A) are unschedulable.
 */
export default definePlugin({
  meta: { name: 'machine-of', version, core: peerDependencies['@fleetd/core'], unitOptions: [MACHINE_OF_OPTION] },
  apply(hooks) {
    hooks.resolveUnit.tap((unit) => {
      const peers = machineOfPeers(unit);
      return peers.length === 0 ? unit : withRequirements(unit, { 'machine-of': peers });
    });

    hooks.validateUnit.tap((unit) => machineOfProblem(unit));

    hooks.narrow.tap((unit, cluster, narrowing) => {
      const peers = unit.requirements['machine-of'];
      // No peers: the filter passes every machine, so the core need not call it.
      if (peers === undefined) return narrowing.passesEverywhere?.();
      const cycle = machineOfCycle(unit, cluster);
      if (cycle !== undefined) return narrowing.restrict([], machineOfReasons.cycle(cycle));
      for (const peer of peers) {
        const peerUnit = cluster.unit(peer);
        if (peerUnit === undefined) return narrowing.restrict([], machineOfReasons.notSubmitted(peer));
        // Where a global unit runs has no index in the view: the filter checks it per machine.
        if (peerUnit.global) continue;
        const where = cluster.placementOf(peer);
        if (where === undefined || !where.units.has(peer)) return narrowing.restrict([], machineOfReasons.waiting(peer));
      }
      // Every non-global peer runs somewhere: restrict to its machine, in peer order (absentReason's order).
      for (const peer of peers) {
        const where = cluster.unit(peer)?.global === true ? undefined : cluster.placementOf(peer);
        if (where !== undefined) narrowing.restrict([where], machineOfReasons.notTheMachineOf(peer));
      }
    });

    // Cheap (set lookups) and rejects all machines but one: run it early.
    hooks.filter.tap({ stage: Stage.EARLY }, (unit, machine, cluster) => {
      const peers = unit.requirements['machine-of'];
      if (peers === undefined) return undefined;
      // Checked even when every peer is here: units placed before they became a cycle must be revoked.
      const cycle = machineOfCycle(unit, cluster);
      if (cycle !== undefined) return machineOfReasons.cycle(cycle);
      for (const peer of peers) {
        if (!machine.units.has(peer)) return absentReason(peers, machine, cluster);
      }
      return undefined;
    });
  },
});
