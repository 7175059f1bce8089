import type { ClusterView, MachineView, ResolvedUnit } from '@fleetd/core';
import { EPSILON, fits, shortageReason } from './capacity.js';
import type { MachineCapacity } from './capacity.js';
import { requestedBefore } from './ledger.js';
import type { LedgerBook } from './ledger.js';
import type { ResourcesRequirement } from './requests.js';
import type { ResourceTable } from './table.js';

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
  const { slots, amounts } = requirement;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    const used = book.used(machine, cluster, slot);
    if (used + amounts[i]! <= book.available(machine, slot) + EPSILON) continue;
    // Fitting on top of everything counted passes whether or not the unit is among it (amounts are
    // positive), so only a failure asks whether the unit is already counted here: a set lookup per
    // machine would cost more than the whole check.
    const capacity = book.capacity(machine);
    if (machine.units.has(unit.name)) return shrinkVerdict(unit.name, requirement, machine, cluster, table, capacity);
    return shortageReason(table.specs[slot]!, amounts[i]!, capacity, used);
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
