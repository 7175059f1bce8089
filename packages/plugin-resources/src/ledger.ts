import type { ClusterView, Machine, MachineView, ResolvedUnit } from '@fleetd/core';
import { EPSILON, machineCapacity } from './capacity.js';
import type { MachineCapacity } from './capacity.js';
import { MAX_POINTS, pointsOf, roundPoints } from './points.js';
import type { Strategy } from './points.js';
import type { ResourcesRequirement } from './requests.js';
import type { ResourceTable } from './table.js';

/** Requests whose points on every machine a book keeps at most (then it starts over). */
const MAX_POINTS_CACHES = 64;
/** Entry changes a book logs before caches that far behind are computed again whole. */
const MAX_LOG = 4096;

/** A unit's requests as the ledger reads them. */
type Requests = Pick<ResourcesRequirement, 'slots' | 'amounts'>;

/**
 * What each machine of one cluster view offers and what its units request in
 * total, per resource slot, by machine index. An entry is current while the
 * machine's record and its `unitsVersion` are those it was computed at (a
 * machine that leaves and one that takes its index have different records);
 * then reading it costs two comparisons, and recomputing it O(units on the
 * machine).
 *
 * The numbers live in flat typed arrays rather than in an object per
 * machine, because the scheduler reads every machine for every unit:
 * `data` holds `[unitsVersion, then per slot: used, available]` at
 * `index × stride`, and `scoring`, all the score reads, per slot
 * `[used / available, 1 / available]` at `index × 2 × slots` (the divisions
 * done once per change, and a few machines to a cache line).
 */
export class LedgerBook {
  private readonly slotCount: number;
  private readonly stride: number;
  private data = new Float64Array(0);
  private scoring = new Float64Array(0);
  private readonly records: (Machine | undefined)[] = [];
  private readonly capacities: (MachineCapacity | undefined)[] = [];
  /** Per slot, the least any machine has free (available − used): a request within it fits everywhere. */
  private readonly minFree: Float64Array;
  /** The cluster version `minFree` and every entry describe (NaN: none, or a view without a version). */
  private version = Number.NaN;
  /** The unit the last narrow was about (unless global), its requests, and whether it was placed then. */
  private narrowed: string | undefined;
  private narrowedRequests: Requests | undefined;
  private narrowedWasPlaced = false;
  private narrowedSlots: ArrayLike<number> = [];
  private narrowedAmounts: ArrayLike<number> = [];
  /** `pointsOf` for the narrowed unit as a line: points = pointsAtZero + pointsPerFraction × (sum of fractions used). */
  private pointsAtZero = 0;
  private pointsPerFraction = 0;
  /**
   * The machines whose entry changed, in order: the changes after the first
   * `logBase` ones. Points kept per request (`pointsCaches`) are brought up to
   * date by recomputing only the machines logged since.
   */
  private log: number[] = [];
  private logBase = 0;
  /** Each request's points on every machine, by a key of its amounts, and how many changes they include. */
  private readonly pointsCaches = new Map<string, { points: Float64Array; seen: number }>();

  constructor(private readonly table: ResourceTable) {
    this.slotCount = table.specs.length;
    this.stride = 1 + 2 * this.slotCount;
    this.minFree = new Float64Array(this.slotCount);
  }

  /** What the machine's units request of the slot, summed; the entry is brought up to date first. */
  used(machine: MachineView, cluster: ClusterView, slot: number): number {
    return this.data[this.entry(machine, cluster) + 1 + 2 * slot]!;
  }

  /** What units placed by fleetd may use of the slot on the machine (capacity − reservation); call after `used` for the same machine. */
  available(machine: MachineView, slot: number): number {
    return this.data[machine.index * this.stride + 2 + 2 * slot]!;
  }

  /** The machine's capacity as its facts announce it; call after `used` for the same machine. */
  capacity(machine: MachineView): MachineCapacity {
    return this.capacities[machine.index]!;
  }

  /**
   * Whether the requests fit on every machine of the cluster, on top of
   * everything counted there: the filter would then pass them all, so the
   * plugin promises so in narrow and the core calls no filter per machine.
   * O(resources) in the scheduler's loop (see `catchUp`).
   */
  fitsEverywhere(unit: ResolvedUnit, requests: Requests, cluster: ClusterView, strategy: Strategy): boolean {
    this.catchUp(cluster);
    this.narrowed = unit.global ? undefined : unit.name;
    this.narrowedRequests = requests;
    this.narrowedSlots = requests.slots;
    this.narrowedAmounts = requests.amounts;
    const count = requests.slots.length;
    // pointsOf's line: MAX_POINTS at no fraction used for spread, 0 for binpack; the slope shares MAX_POINTS among the requests.
    this.pointsAtZero = count === 0 || strategy === 'binpack' ? 0 : MAX_POINTS;
    this.pointsPerFraction = count === 0 ? 0 : ((strategy === 'spread' ? -1 : 1) * MAX_POINTS) / count;
    this.narrowedWasPlaced = this.narrowed !== undefined && cluster.placementOf(this.narrowed) !== undefined;
    const { slots, amounts } = requests;
    for (let i = 0; i < slots.length; i++) if (amounts[i]! > this.minFree[slots[i]!]! + EPSILON) return false;
    return true;
  }

  /**
   * Points for the machine (`pointsOf`) of any unit, from the machine's
   * current entry; the unit is taken as not yet counted there. For a score
   * asked outside the scheduler's narrow-then-score sequence.
   */
  points(requests: Requests, machine: MachineView, cluster: ClusterView, strategy: Strategy): number {
    this.entry(machine, cluster);
    const base = machine.index * 2 * this.slotCount;
    const scoring = this.scoring;
    const { slots, amounts } = requests;
    let fractions = 0;
    for (let i = 0; i < slots.length; i++) {
      const at = base + 2 * slots[i]!;
      fractions += scoring[at]! + amounts[i]! * scoring[at + 1]!;
    }
    return pointsOf(fractions, slots.length, strategy);
  }

  /**
   * The points of the unit the last `fitsEverywhere` was about, on the
   * machine at `index`: the scheduler scores a unit on every machine right
   * after narrowing it, before anything changes, so the entries are current
   * (see `catchUp`) and are read without checking each. (A score asked later
   * would only be dated: it never lets a unit past the filter.)
   */
  narrowedPoints(index: number): number {
    const { narrowedSlots: slots, narrowedAmounts: amounts, scoring } = this;
    const base = index * 2 * this.slotCount;
    let fractions = 0;
    for (let i = 0; i < slots.length; i++) {
      const at = base + 2 * slots[i]!;
      fractions += scoring[at]! + amounts[i]! * scoring[at + 1]!;
    }
    // pointsOf(fractions, count, strategy) as one multiply-add; on a machine the unit fits on, each fraction is at most 1.
    return roundPoints(this.pointsAtZero + this.pointsPerFraction * fractions);
  }

  /**
   * `narrowedPoints` on every machine, by machine index (indexes of machines
   * that left hold points nobody asks for), so that the score tap only reads
   * an array. Kept per request (`key`: units of one template request the
   * same): only the machines whose entry changed since it was last asked for
   * are computed again, usually the one the last decision placed a unit on.
   */
  narrowedPointsByIndex(key: string): Float64Array {
    let cache = this.pointsCaches.get(key);
    const machines = this.records.length;
    if (cache === undefined || cache.points.length < machines || cache.seen < this.logBase) {
      if (cache === undefined && this.pointsCaches.size >= MAX_POINTS_CACHES) this.pointsCaches.clear();
      cache = { points: new Float64Array(Math.max(machines, this.data.length / this.stride)), seen: 0 };
      this.pointsCaches.set(key, cache);
      for (let index = 0; index < machines; index++) cache.points[index] = this.narrowedPoints(index);
    } else {
      for (let at = cache.seen - this.logBase; at < this.log.length; at++) {
        const index = this.log[at]!;
        cache.points[index] = this.narrowedPoints(index);
      }
    }
    cache.seen = this.logBase + this.log.length;
    return cache.points;
  }

  /** Logs that the machine's entry changed (see `log`). */
  private changed(index: number): void {
    this.log.push(index);
    if (this.log.length > MAX_LOG) {
      // Caches further behind than the log reaches are computed again whole.
      this.logBase += this.log.length;
      this.log = [];
    }
  }

  /** Where the machine's entry starts in `data`, brought up to date first. */
  private entry(machine: MachineView, cluster: ClusterView): number {
    const index = machine.index;
    const base = index * this.stride;
    if (this.records[index] === machine.machine && this.data[base] === machine.unitsVersion) return base;
    return this.refresh(machine, cluster);
  }

  /**
   * Brings `minFree` and every entry up to date with the cluster. The
   * cluster's version counts every change (a placement is one): when it moved
   * by one since the last narrow and that narrow's unit has since been placed,
   * that placement is the only change, so only its machine's entry changes.
   * That is the scheduler's loop, a placement per decision. Anything else (a
   * new round, revocations, an explanation, a view without a version) reads
   * every machine once.
   */
  private catchUp(cluster: ClusterView): void {
    const version = cluster.version;
    const known = typeof version === 'number';
    if (known && version === this.version) return;
    if (!(known && version === this.version + 1 && this.followPlacement(cluster))) this.readAll(cluster);
    this.version = known ? version : Number.NaN;
  }

  /**
   * Counts the last narrowed unit on the machine it has been placed on since,
   * adding its requests to the entry (current until then, one version behind)
   * without reading the machine's other units; false when it was not placed.
   */
  private followPlacement(cluster: ClusterView): boolean {
    if (this.narrowed === undefined || this.narrowedWasPlaced || this.narrowedRequests === undefined) return false;
    const machine = cluster.placementOf(this.narrowed);
    if (machine === undefined) return false;
    const index = machine.index;
    const base = index * this.stride;
    if (this.records[index] === machine.machine && this.data[base] === machine.unitsVersion - 1) {
      this.data[base] = machine.unitsVersion;
      this.add(index, this.narrowedRequests);
      this.changed(index);
    } else {
      this.entry(machine, cluster);
    }
    this.lowerMinFree(index);
    return true;
  }

  private readAll(cluster: ClusterView): void {
    this.minFree.fill(Number.POSITIVE_INFINITY);
    const machines = cluster.machines;
    for (let m = 0; m < machines.length; m++) {
      const machine = machines[m]!;
      this.entry(machine, cluster);
      this.lowerMinFree(machine.index);
    }
  }

  private lowerMinFree(index: number): void {
    const { data, minFree } = this;
    const base = index * this.stride + 1;
    for (let slot = 0; slot < this.slotCount; slot++) minFree[slot] = Math.min(minFree[slot]!, data[base + 2 * slot + 1]! - data[base + 2 * slot]!);
  }

  /** Adds requests to the machine's entry, and its fractions. */
  private add(index: number, requests: Requests): void {
    const data = this.data;
    const base = index * this.stride + 1;
    const { slots, amounts } = requests;
    for (let i = 0; i < slots.length; i++) {
      const at = base + 2 * slots[i]!;
      data[at] = data[at]! + amounts[i]!;
    }
    this.updateFractions(index);
  }

  private updateFractions(index: number): void {
    const { data, scoring } = this;
    const base = index * this.stride + 1;
    const at = index * 2 * this.slotCount;
    for (let slot = 0; slot < this.slotCount; slot++) {
      const used = data[base + 2 * slot]!;
      const available = data[base + 2 * slot + 1]!;
      // A machine without any of a resource is full of it: nothing requesting it fits there anyway.
      scoring[at + 2 * slot] = available > 0 ? used / available : 1;
      scoring[at + 2 * slot + 1] = available > 0 ? 1 / available : 0;
    }
  }

  private refresh(machine: MachineView, cluster: ClusterView): number {
    const index = machine.index;
    this.reserve(index);
    const data = this.data;
    const base = index * this.stride;
    if (this.records[index] !== machine.machine || this.capacities[index] === undefined) {
      const capacity = machineCapacity(machine.machine.facts, this.table);
      this.capacities[index] = capacity;
      this.records[index] = machine.machine;
      for (let slot = 0; slot < this.slotCount; slot++) data[base + 2 + 2 * slot] = capacity.available[slot]!;
    }
    data[base] = machine.unitsVersion;
    for (let slot = 0; slot < this.slotCount; slot++) data[base + 1 + 2 * slot] = 0;
    for (const name of machine.units) {
      const requirement = cluster.unit(name)?.requirements.resources;
      if (requirement === undefined) continue;
      const { slots, amounts } = requirement;
      for (let i = 0; i < slots.length; i++) {
        const at = base + 1 + 2 * slots[i]!;
        data[at] = data[at]! + amounts[i]!;
      }
    }
    this.updateFractions(index);
    this.changed(index);
    return base;
  }

  /** Grows the arrays to hold machine `index` (doubling, so growing stays rare). */
  private reserve(index: number): void {
    while (this.records.length <= index) {
      // Pushed one by one, so the arrays never have holes (which would slow every read).
      this.records.push(undefined);
      this.capacities.push(undefined);
    }
    if (this.data.length >= (index + 1) * this.stride) return;
    const machines = Math.max(16, (this.data.length / this.stride) * 2, index + 1);
    const grow = (from: Float64Array, length: number): Float64Array<ArrayBuffer> => {
      const to = new Float64Array(length);
      to.set(from);
      return to;
    };
    this.data = grow(this.data, machines * this.stride);
    this.scoring = grow(this.scoring, machines * 2 * this.slotCount);
  }
}

/**
 * The book of each cluster view, with the last one at hand (a scheduler asks
 * about one view many times in a row). The engine's state, each dry run's and
 * each agent's global evaluation are different views of different clusters,
 * so each gets its own book; a WeakMap lets a view's book go with it.
 */
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
