import { unitOptionValues } from '@fleetd/core';
import type { ResolvedUnit, UnitOptionSpec } from '@fleetd/core';

/** The units a unit must share its machine with: exact names, deduplicated, in file order. */
export type MachineOfRequirement = readonly string[];

declare module '@fleetd/core' {
  interface UnitRequirements {
    /** Set by the machine-of plugin only when the unit names at least one peer. */
    readonly 'machine-of'?: MachineOfRequirement;
  }
}

/** The `[X-Fleet]` option this plugin owns, under fleet's two spellings (the current one first). */
export const MACHINE_OF_OPTION = Object.freeze({
  name: 'MachineOf',
  aliases: Object.freeze(['X-ConditionMachineOf']),
  description: 'run only on the machine where every named unit runs, and follow it when it moves',
}) satisfies UnitOptionSpec;

/**
 * The unit's MachineOf peers (`MachineOf` and legacy `X-ConditionMachineOf`
 * values, after specifier expansion): exact unit names, split on whitespace
 * (a unit name never contains any), empty values dropped, each name once, in
 * the order written (`MachineOf` before `X-ConditionMachineOf`).
 */
export function machineOfPeers(unit: Pick<ResolvedUnit, 'fleetOptions'>): MachineOfRequirement {
  const peers: string[] = [];
  for (const value of unitOptionValues(unit, MACHINE_OF_OPTION)) {
    for (const name of value.split(/\s+/)) {
      if (name !== '' && !peers.includes(name)) peers.push(name);
    }
  }
  return peers;
}
