import type { ClusterView, MachineView, ResolvedUnit } from '@fleetd/core';
import type { ZoneSpreadRequirement } from './group.js';

/** The requirement key (and plugin name) the group is stored under. */
export const REQUIREMENT = 'zone-spread';

/** A machine's zone; machines without the key share one zone of their own (undefined). */
export function zoneOf(machine: Pick<MachineView, 'metadata'>, key: string): string | undefined {
  return machine.metadata[key];
}

/** How a zone reads in reasons: `zone b`, or `machines without zone`. */
export function describeZone(key: string, zone: string | undefined): string {
  return zone === undefined ? `machines without ${key}` : `${key} ${zone}`;
}

/**
 * How many units of `group` run in `zone`, not counting `unit` itself (so a
 * placed unit re-checked, or explained, does not count against itself).
 * Only units that use a group are visited, through the core's requirement
 * index: O(grouped units), no allocation. Global units are never counted:
 * they run everywhere and are not placed by this plugin's choice.
 */
export function groupCountInZone(
  unit: Pick<ResolvedUnit, 'name'>,
  group: ZoneSpreadRequirement['group'],
  zone: string | undefined,
  key: string,
  cluster: Pick<ClusterView, 'unitsWithRequirement' | 'unit' | 'placementOf'>,
): number {
  let count = 0;
  for (const other of cluster.unitsWithRequirement(REQUIREMENT)) {
    if (other === unit.name) continue;
    const machine = cluster.placementOf(other);
    // A placement of an inactive unit waits for revocation; the machine does not run it.
    if (machine === undefined || !machine.units.has(other) || zoneOf(machine, key) !== zone) continue;
    if (cluster.unit(other)?.requirements[REQUIREMENT]?.group === group) count++;
  }
  return count;
}

/**
 * The filter's reason when a zone is full: "zone b already runs 2 of group
 * web (maxPerZone 2)", or "machines without zone already run 2 ...".
 */
export function zoneFullReason(key: string, zone: string | undefined, count: number, group: string, maxPerZone: number): string {
  const verb = zone === undefined ? 'run' : 'runs';
  return `${describeZone(key, zone)} already ${verb} ${count} of group ${group} (maxPerZone ${maxPerZone})`;
}
