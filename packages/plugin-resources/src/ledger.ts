import type { ClusterView, Machine, MachineView } from '@fleetd/core';
import { machineCapacity } from './capacity.js';
import type { MachineCapacity } from './capacity.js';
import type { ResourceTable } from './table.js';

/**
 * What one machine's units request in total, per resource slot, with the
 * machine's capacity: valid while the machine's `unitsVersion` and record are
 * those it was computed at.
 */
export class MachineLedger {
  view: MachineView | undefined;
  machine: Machine | undefined;
  version = -1;
  capacity: MachineCapacity | undefined;
  readonly used: Float64Array;

  constructor(slots: number) {
    this.used = new Float64Array(slots);
  }
}

/**
 * The ledgers of one cluster view, by machine index. The engine's state,
 * each dry run's and each agent's global evaluation are different views of
 * different clusters, so each gets its own book (a WeakMap lets a view's
 * book go with it).
 */
export class LedgerBook {
  private readonly ledgers: (MachineLedger | undefined)[] = [];

  constructor(private readonly table: ResourceTable) {}

  /** The machine's ledger, brought up to date: O(resources) when nothing changed, O(units on the machine) after a change. */
  ledger(machine: MachineView, cluster: ClusterView): MachineLedger {
    let ledger = this.ledgers[machine.index];
    if (ledger === undefined) {
      ledger = new MachineLedger(this.table.specs.length);
      this.ledgers[machine.index] = ledger;
    }
    if (ledger.view === machine && ledger.machine === machine.machine && ledger.version === machine.unitsVersion) return ledger;
    return this.refresh(ledger, machine, cluster);
  }

  private refresh(ledger: MachineLedger, machine: MachineView, cluster: ClusterView): MachineLedger {
    if (ledger.machine !== machine.machine || ledger.capacity === undefined) ledger.capacity = machineCapacity(machine.machine.facts, this.table);
    ledger.view = machine;
    ledger.machine = machine.machine;
    ledger.version = machine.unitsVersion;
    const used = ledger.used;
    used.fill(0);
    for (const name of machine.units) {
      const requirement = cluster.unit(name)?.requirements.resources;
      if (requirement === undefined) continue;
      const { slots, amounts } = requirement;
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i]!;
        used[slot] = used[slot]! + amounts[i]!;
      }
    }
    return ledger;
  }
}

/** The book of each cluster view, with the last one at hand (a scheduler asks about one view many times in a row). */
export class LedgerBooks {
  private readonly books = new WeakMap<ClusterView, LedgerBook>();
  private lastView: ClusterView | undefined;
  private lastBook: LedgerBook | undefined;

  constructor(private readonly table: ResourceTable) {}

  of(cluster: ClusterView): LedgerBook {
    if (cluster === this.lastView) return this.lastBook as LedgerBook;
    let book = this.books.get(cluster);
    if (book === undefined) {
      book = new LedgerBook(this.table);
      this.books.set(cluster, book);
    }
    this.lastView = cluster;
    this.lastBook = book;
    return book;
  }
}

/**
 * What the machine's units whose names sort before `name` request, per slot:
 * the units a machine that shrank keeps, in name order, when it cannot keep
 * them all. O(units on the machine); asked only for a unit already counted
 * on an over-committed machine.
 */
export function requestedBefore(name: string, machine: MachineView, cluster: ClusterView, slots: number): Float64Array {
  const used = new Float64Array(slots);
  for (const other of machine.units) {
    if (other >= name) continue;
    const requirement = cluster.unit(other)?.requirements.resources;
    if (requirement === undefined) continue;
    for (let i = 0; i < requirement.slots.length; i++) {
      const slot = requirement.slots[i]!;
      used[slot] = used[slot]! + requirement.amounts[i]!;
    }
  }
  return used;
}
