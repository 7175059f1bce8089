/** What the load order needs of a machine: its position among the machines sorted by ID, and its load. */
export interface LoadOrderedMachine {
  readonly index: number;
  readonly load: number;
}

/**
 * Every machine by load, the least loaded first, equal loads in ID order:
 * least-loaded's score order, so a plain unit's decision walks the first few
 * machines instead of scoring all of them. One bucket per load holds the
 * machines' ranks (positions in ID order), ascending. A placement moves one
 * machine up one bucket; when many loads changed at once (a global unit goes
 * on every machine) or machines came or went, the order is rebuilt the next
 * time it is read, in one pass.
 */
export class LoadOrder<Machine extends LoadOrderedMachine> {
  private buckets: number[][] = [];
  /** By machine index: the load it is filed under; its rank in ID order. */
  private filedLoad = new Int32Array(0);
  private rankOf = new Int32Array(0);
  private stale = true;
  private readonly moved: Machine[] = [];
  /** No machine has a lower load than this (the buckets below are empty). */
  private lowest = 0;

  /** `byId`: the cluster's machines sorted by ID, read at each rebuild. */
  constructor(private readonly byId: () => readonly Machine[]) {}

  /** Machines came or went: ranks shift, so the order is rebuilt when next read. */
  invalidate(): void {
    this.stale = true;
    this.moved.length = 0;
  }

  /** `machine`'s load changed; applied when the order is next read. */
  loadChanged(machine: Machine): void {
    if (this.stale) return;
    // Past this many, one rebuild costs less than moving each machine on its own.
    if (this.moved.length >= 16 + (this.byId().length >>> 3)) return this.invalidate();
    this.moved.push(machine);
  }

  /** The machines in load order; valid until a load or the machines change. */
  machines(): Iterable<Machine> {
    this.refresh();
    while (this.lowest < this.buckets.length && (this.buckets[this.lowest] as number[]).length === 0) this.lowest++;
    return new LoadOrderWalk(this.buckets, this.byId(), this.lowest);
  }

  private refresh(): void {
    if (this.stale) return this.rebuild();
    const byId = this.byId();
    for (const machine of this.moved) {
      // A machine that left since (its index may even be another's now): start over.
      if (byId[this.rankOf[machine.index] as number] !== machine) return this.rebuild();
      this.move(machine);
    }
    this.moved.length = 0;
  }

  private rebuild(): void {
    const byId = this.byId();
    const capacity = byId.reduce((highest, machine) => Math.max(highest, machine.index + 1), 0);
    if (this.filedLoad.length < capacity) {
      this.filedLoad = new Int32Array(capacity * 2);
      this.rankOf = new Int32Array(capacity * 2);
    }
    this.buckets = [];
    this.lowest = 0;
    for (let rank = 0; rank < byId.length; rank++) {
      const machine = byId[rank] as Machine;
      this.rankOf[machine.index] = rank;
      this.filedLoad[machine.index] = machine.load;
      this.bucket(machine.load).push(rank);
    }
    this.stale = false;
    this.moved.length = 0;
  }

  private move(machine: Machine): void {
    const from = this.filedLoad[machine.index] as number;
    const to = machine.load;
    if (from === to) return;
    const rank = this.rankOf[machine.index] as number;
    const source = this.bucket(from);
    source.splice(insertionPoint(source, rank), 1);
    const target = this.bucket(to);
    target.splice(insertionPoint(target, rank), 0, rank);
    this.filedLoad[machine.index] = to;
    if (to < this.lowest) this.lowest = to;
  }

  private bucket(load: number): number[] {
    while (this.buckets.length <= load) this.buckets.push([]);
    return this.buckets[load] as number[];
  }
}

/**
 * One walk over the buckets from the lowest load. A plain iterator, not a
 * generator: a decision walks a few machines, and a generator's frame and
 * per-bucket array iterators cost more than that walk.
 */
class LoadOrderWalk<Machine> implements Iterable<Machine>, Iterator<Machine> {
  private rank = 0;
  private readonly step = { done: false, value: undefined as Machine | undefined };

  constructor(
    private readonly buckets: readonly (readonly number[])[],
    private readonly byId: readonly Machine[],
    private bucket: number,
  ) {}

  [Symbol.iterator](): Iterator<Machine> {
    return this;
  }

  next(): IteratorResult<Machine> {
    while (this.bucket < this.buckets.length) {
      const ranks = this.buckets[this.bucket] as readonly number[];
      if (this.rank < ranks.length) {
        // One result object for the whole walk: for-of reads it before asking for the next.
        this.step.value = this.byId[ranks[this.rank++] as number];
        return this.step as IteratorResult<Machine>;
      }
      this.bucket++;
      this.rank = 0;
    }
    this.step.done = true;
    this.step.value = undefined;
    return this.step as IteratorResult<Machine>;
  }
}

/** Where `rank` is, or would go, in an ascending list. */
function insertionPoint(ranks: readonly number[], rank: number): number {
  let low = 0;
  let high = ranks.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((ranks[middle] as number) < rank) low = middle + 1;
    else high = middle;
  }
  return low;
}
