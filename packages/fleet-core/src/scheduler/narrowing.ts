import type { CandidateNarrowing, MachineView } from '../hooks/views.js';
import type { NarrowingSink } from '../hooks/runner.js';
import type { MachineSlot } from './cluster-state.js';

export interface Restriction {
  readonly plugin: number;
  readonly reason: string;
  readonly machines: readonly MachineView[];
}

/**
 * Intersects the restrictions plugins make for one unit without touching the
 * machines outside them: each machine index is stamped with the unit's epoch
 * and counts how many restrictions it is in.
 */
export class Narrowing implements NarrowingSink {
  /** What narrow taps receive: restrict and promise, without the core's bookkeeping methods. */
  readonly facade: CandidateNarrowing = Object.freeze({
    restrict: (machines: Iterable<MachineView>, reason: string): void => this.restrict(machines, reason),
    passesEverywhere: (): void => this.passesEverywhere(),
    scoresNothing: (): void => this.scoresNothing(),
    decideAfter: (waitsFor: (unit: string) => boolean): void => this.decideAfter(waitsFor),
    scoreOrder: (machines: Iterable<MachineView>): void => this.scoreOrder(machines),
  });
  private stamps = new Uint32Array(0);
  private hits = new Uint32Array(0);
  private epoch = 0;
  private current = -1;
  private poisoned = false;
  private first: MachineView[] = [];
  restrictions: Restriction[] = [];
  /** Plugin indexes whose filter promised to pass every machine in this decision. */
  passing: number[] = [];
  /** Plugin indexes whose score promised 0 points on every machine in this decision. */
  scoringNothing: number[] = [];
  /** What plugins asked the unit to be decided after (`decideAfter`), with the asking plugin. */
  waitsFor: { readonly plugin: number; readonly accepts: (unit: string) => boolean }[] = [];
  /** The machines in the order of one plugin's score (`scoreOrder`), and that plugin's index; -1: none promised. */
  ordered: Iterable<MachineView> | undefined = undefined;
  orderedBy = -1;

  /** Prepares for a new unit; `capacity` is the cluster's machine index capacity. */
  reset(capacity: number): this {
    if (this.stamps.length < capacity) {
      this.stamps = new Uint32Array(capacity * 2);
      this.hits = new Uint32Array(capacity * 2);
    }
    this.epoch = (this.epoch + 1) >>> 0;
    if (this.epoch === 0) {
      this.stamps.fill(0);
      this.epoch = 1;
    }
    this.poisoned = false;
    this.current = -1;
    // Emptied in place, not replaced: a decision's lists live only while it is decided.
    this.first.length = 0;
    this.restrictions.length = 0;
    this.passing.length = 0;
    this.scoringNothing.length = 0;
    this.waitsFor.length = 0;
    this.ordered = undefined;
    this.orderedBy = -1;
    return this;
  }

  beginPlugin(pluginIndex: number): void {
    this.current = pluginIndex;
  }

  abortPlugin(pluginIndex: number): void {
    this.poisoned = true;
    // A plugin that threw keeps no promise either.
    this.passing = this.passing.filter((index) => index !== pluginIndex);
    this.scoringNothing = this.scoringNothing.filter((index) => index !== pluginIndex);
    this.waitsFor = this.waitsFor.filter((wait) => wait.plugin !== pluginIndex);
    if (this.orderedBy === pluginIndex) {
      this.ordered = undefined;
      this.orderedBy = -1;
    }
  }

  passesEverywhere(): void {
    if (this.current >= 0 && !this.passing.includes(this.current)) this.passing.push(this.current);
  }

  scoresNothing(): void {
    if (this.current >= 0 && !this.scoringNothing.includes(this.current)) this.scoringNothing.push(this.current);
  }

  decideAfter(waitsFor: (unit: string) => boolean): void {
    if (this.current >= 0 && typeof waitsFor === 'function') this.waitsFor.push({ plugin: this.current, accepts: waitsFor });
  }

  scoreOrder(machines: Iterable<MachineView>): void {
    if (this.current < 0 || machines === null || typeof machines !== 'object' || !(Symbol.iterator in machines)) return;
    this.ordered = machines;
    this.orderedBy = this.current;
  }

  /**
   * Whether a unit some `decideAfter` predicate accepts is among `waiting`
   * (other than `unit`) and not placed. A predicate that throws is reported
   * through `failed` and asks for nothing: the unit is then decided at once.
   */
  waitsForAny(unit: string, waiting: readonly string[], placed: (unit: string) => boolean, failed: (pluginIndex: number, error: unknown) => void): boolean {
    for (const wait of this.waitsFor) {
      try {
        for (const other of waiting) if (other !== unit && !placed(other) && wait.accepts(other)) return true;
      } catch (error) {
        failed(wait.plugin, error);
      }
    }
    return false;
  }

  restrict(machines: Iterable<MachineView>, reason: string): void {
    const list = Array.isArray(machines) ? (machines as readonly MachineView[]) : [...machines];
    const round = this.restrictions.length + 1;
    this.restrictions.push({ plugin: this.current, reason: String(reason), machines: list });
    for (const machine of list) this.hit(machine.index, round, machine);
  }

  /** True when a narrow tap threw for this unit (its error was reported). */
  get failed(): boolean {
    return this.poisoned;
  }

  /** True when some plugin restricted candidates (and none of them threw). */
  get active(): boolean {
    return this.restrictions.length > 0 && !this.poisoned;
  }

  /** How many machines are in every restriction (candidates().length, without building the list). */
  candidateCount(): number {
    const round = this.restrictions.length;
    let count = 0;
    for (const machine of this.first) if (this.hits[machine.index] === round) count++;
    return count;
  }

  /** Whether `machine` is in every restriction; only meaningful while `active`. */
  includes(machine: MachineView): boolean {
    return this.stamps[machine.index] === this.epoch && this.hits[machine.index] === this.restrictions.length;
  }

  /** Machines in every restriction, sorted by ID, for a deterministic tie-break. */
  candidates(): MachineSlot[] {
    const round = this.restrictions.length;
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- the views plugins restrict to are the slots this scheduler handed them
    const inAll = this.first.filter((machine) => this.hits[machine.index] === round) as MachineSlot[];
    // Index lookups hand over lists already sorted by ID; only sort what is not.
    return isSortedById(inAll) ? inAll : inAll.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** The first restriction that leaves `machine` out, for explanations. */
  excluding(machine: MachineView): Restriction | undefined {
    if (!this.active) return undefined;
    const inAll = this.stamps[machine.index] === this.epoch && this.hits[machine.index] === this.restrictions.length;
    if (inAll) return undefined;
    return this.restrictions.find((restriction) => !restriction.machines.includes(machine));
  }

  private hit(index: number, round: number, machine: MachineView): void {
    if (round === 1) {
      if (this.stamps[index] === this.epoch) return;
      this.stamps[index] = this.epoch;
      this.hits[index] = 1;
      this.first.push(machine);
      return;
    }
    if (this.stamps[index] === this.epoch && this.hits[index] === round - 1) this.hits[index] = round;
  }
}

function isSortedById(machines: readonly MachineView[]): boolean {
  for (let i = 1; i < machines.length; i++) {
    if ((machines[i - 1] as MachineView).id > (machines[i] as MachineView).id) return false;
  }
  return true;
}
