import { fleetOptionValues } from '@fleetd/core';
import type { ResolvedUnit } from '@fleetd/core';

/** The units a unit must share its machine with: exact names, deduplicated, in file order. */
export type MachineOfRequirement = readonly string[];

declare module '@fleetd/core' {
  interface UnitRequirements {
    /** Set by the machine-of plugin only when the unit names at least one peer. */
    readonly 'machine-of'?: MachineOfRequirement;
  }
}

/** The two spellings fleet accepts, current one first. */
export const MACHINE_OF_OPTIONS = ['MachineOf', 'X-ConditionMachineOf'] as const;

/**
 * The unit's MachineOf peers (`MachineOf` and legacy `X-ConditionMachineOf`
 * values, after specifier expansion): exact unit names, split on whitespace
 * (a unit name never contains any), empty values dropped, each name once, in
 * the order written (`MachineOf` before `X-ConditionMachineOf`).
 */
export function machineOfPeers(unit: Pick<ResolvedUnit, 'fleetOptions'>): MachineOfRequirement {
  const peers: string[] = [];
  for (const value of fleetOptionValues(unit, ...MACHINE_OF_OPTIONS)) {
    for (const name of value.split(/\s+/)) {
      if (name !== '' && !peers.includes(name)) peers.push(name);
    }
  }
  return peers;
}

/** The spelling the unit used, for messages that quote the user's own words. */
export function machineOfSpelling(unit: Pick<ResolvedUnit, 'fleetOptions'>): (typeof MACHINE_OF_OPTIONS)[number] {
  return unit.fleetOptions.has('MachineOf') ? 'MachineOf' : 'X-ConditionMachineOf';
}
