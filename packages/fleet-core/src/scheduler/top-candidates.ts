import type { CandidateScore } from './decisions.js';
import type { MachineSlot } from './cluster-state.js';

/**
 * The K best machines of one decision with their per-plugin points, kept in
 * preallocated arrays so scoring every candidate allocates nothing. Equal
 * totals keep the earlier machine (lower ID) first: the deterministic tie-break.
 */
export class TopCandidates {
  size = 0;
  private readonly slots: (MachineSlot | undefined)[];
  private readonly totals: Float64Array;
  private readonly points: Float64Array;

  constructor(
    private readonly capacity: number,
    private readonly pluginCount: number,
  ) {
    this.slots = new Array<MachineSlot | undefined>(capacity).fill(undefined);
    this.totals = new Float64Array(capacity);
    this.points = new Float64Array(capacity * pluginCount);
  }

  reset(): void {
    this.size = 0;
  }

  /** Holds as many machines as it keeps. */
  get full(): boolean {
    return this.size === this.capacity;
  }

  get best(): MachineSlot | undefined {
    return this.size > 0 ? this.slots[0] : undefined;
  }

  offer(slot: MachineSlot, total: number, byPlugin: Float64Array): void {
    const last = this.capacity - 1;
    if (this.size === this.capacity && !(total > (this.totals[last] as number))) return;
    let position = this.size === this.capacity ? last : this.size;
    while (position > 0 && total > (this.totals[position - 1] as number)) {
      this.copy(position - 1, position);
      position--;
    }
    this.slots[position] = slot;
    this.totals[position] = total;
    // A plain loop: subarray() would allocate a view on every insertion, and with per-machine scores insertions are frequent.
    const offset = position * this.pluginCount;
    for (let plugin = 0; plugin < this.pluginCount; plugin++) this.points[offset + plugin] = byPlugin[plugin] as number;
    if (this.size < this.capacity) this.size++;
  }

  materialize(pluginNames: readonly string[]): CandidateScore[] {
    const result: CandidateScore[] = [];
    for (let rank = 0; rank < this.size; rank++) {
      const byPlugin: Record<string, number> = {};
      for (let plugin = 0; plugin < this.pluginCount; plugin++) {
        const points = this.points[rank * this.pluginCount + plugin] as number;
        if (points !== 0) byPlugin[pluginNames[plugin] as string] = points;
      }
      result.push({ machine: (this.slots[rank] as MachineSlot).id, total: this.totals[rank] as number, byPlugin });
    }
    return result;
  }

  private copy(from: number, to: number): void {
    this.slots[to] = this.slots[from];
    this.totals[to] = this.totals[from] as number;
    this.points.copyWithin(to * this.pluginCount, from * this.pluginCount, (from + 1) * this.pluginCount);
  }
}
