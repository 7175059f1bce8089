import type { ClusterView, MachineView, ResolvedUnit } from '@fleetd/core';
import { fits, shortageReason } from './capacity.js';
import type { MachineCapacity } from './capacity.js';
import { requestedBefore } from './ledger.js';
import type { LedgerBook } from './ledger.js';
import type { ResourcesRequirement } from './requests.js';
import type { ResourceTable } from './table.js';

/** How the score ranks machines a unit fits on: `spread` prefers the emptiest, `binpack` the fullest. */
export type Strategy = 'spread' | 'binpack';

/** The most points a machine gets; the least is 0. */
export const MAX_POINTS = 10;

/**
 * Whether the unit's requests fit on the machine, or the reason for the first
 * resource (in checking order) that does not. Every unit on the machine
 * counts (placed non-inactive units and global units running there). A unit
 * already counted there (its placement being re-checked, a global unit
 * already running) is not counted twice: on a machine that can no longer
 * hold all its units (its capacity or reservation shrank), it stays if it fits
 * with the units whose names sort before it, so the last units by name move.
 */
export function resourceVerdict(
  unit: Pick<ResolvedUnit, 'name'>,
  requirement: ResourcesRequirement,
  machine: MachineView,
  cluster: ClusterView,
  book: LedgerBook,
  table: ResourceTable,
): string | undefined {
  const ledger = book.ledger(machine, cluster);
  const capacity = ledger.capacity!;
  const { slots, amounts } = requirement;
  const counted = machine.units.has(unit.name);
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    const amount = amounts[i]!;
    const others = counted ? ledger.used[slot]! - amount : ledger.used[slot]!;
    if (fits(capacity, slot, others, amount)) continue;
    if (counted) return shrinkVerdict(unit.name, requirement, machine, cluster, table, capacity);
    return shortageReason(table.specs[slot]!, amount, capacity, others);
  }
  return undefined;
}

/** The verdict for a unit counted on a machine its units no longer fit on: it keeps its place if it fits after the units before it by name. */
function shrinkVerdict(
  name: string,
  requirement: ResourcesRequirement,
  machine: MachineView,
  cluster: ClusterView,
  table: ResourceTable,
  capacity: MachineCapacity,
): string | undefined {
  const before = requestedBefore(name, machine, cluster, table.specs.length);
  const { slots, amounts } = requirement;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    if (!fits(capacity, slot, before[slot]!, amounts[i]!)) return shortageReason(table.specs[slot]!, amounts[i]!, capacity, before[slot]!);
  }
  return undefined;
}

/**
 * Points for a machine the unit fits on, from 0 to MAX_POINTS: `spread` gives
 * 10 × the mean, over the requested resources, of the fraction of the
 * machine's available capacity left free once the unit is placed; `binpack`
 * 10 × the mean fraction used.
 */
export function resourceScore(
  unit: Pick<ResolvedUnit, 'name'>,
  requirement: ResourcesRequirement,
  machine: MachineView,
  cluster: ClusterView,
  book: LedgerBook,
  strategy: Strategy,
): number {
  const ledger = book.ledger(machine, cluster);
  const available = ledger.capacity!.available;
  const { slots, amounts } = requirement;
  const counted = machine.units.has(unit.name);
  let sum = 0;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    const total = available[slot]!;
    const after = counted ? ledger.used[slot]! : ledger.used[slot]! + amounts[i]!;
    const used = total > 0 ? Math.min(1, Math.max(0, after / total)) : 1;
    sum += strategy === 'spread' ? 1 - used : used;
  }
  return slots.length === 0 ? 0 : (MAX_POINTS * sum) / slots.length;
}
