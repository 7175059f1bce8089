import type { GlobMatcher } from '@fleetd/glob';
import { MAX_CYCLE_SEARCH, replacesUnit } from './replaces.js';
import type { ReplacesLookup, ReplacingUnit } from './replaces.js';

/** Marks a unit found on no cycle. */
const NONE = -1;

/**
 * The cycles of one-way Replaces edges among a fixed set of units: which
 * units are on a common cycle (one strongly connected component of the
 * graph "A replaces B and B does not replace A"). Only units with Replaces
 * can be on a cycle, so the graph's nodes are those units.
 *
 * Found lazily with Tarjan's algorithm, iteratively (no recursion), from the
 * unit asked about, through at most MAX_CYCLE_SEARCH units per search; units
 * past the bound are left out of that search, so a longer cycle is seen only
 * in part. Every answer is remembered (components are numbered, so "on a
 * common cycle" stays symmetric whatever the bound cut), and each unit's
 * edges are computed once.
 */
export class ReplacesCycles {
  private readonly component = new Map<string, number>();
  private readonly edges = new Map<string, readonly string[]>();
  private components = 0;
  private globTargets: readonly string[] | undefined;

  /**
   * `globReach` lists the units a glob may lead to on a cycle: every unit
   * with Replaces (the core's index), or, without it, the units that run.
   */
  constructor(
    private readonly cluster: Pick<ReplacesLookup, 'unit'>,
    private readonly globReach: () => Iterable<string>,
  ) {}

  /** Whether `a` and `b` (two different units) are on a common cycle of one-way Replaces. */
  sameCycle(a: string, b: string): boolean {
    if (a === b) return false;
    const component = this.componentOf(a);
    return component !== NONE && component === this.componentOf(b);
  }

  /** The other units on a common cycle with `name`, by name. */
  membersWith(name: string): string[] {
    const component = this.componentOf(name);
    if (component === NONE) return [];
    const members: string[] = [];
    for (const [other, of] of this.component) if (of === component && other !== name) members.push(other);
    return members.sort();
  }

  private componentOf(name: string): number {
    const known = this.component.get(name);
    if (known !== undefined) return known;
    const unit = this.cluster.unit(name);
    if (unit?.requirements.replaces === undefined) {
      this.component.set(name, NONE);
      return NONE;
    }
    this.search(name);
    return this.component.get(name) ?? NONE;
  }

  /** Tarjan's strongly connected components from `root`, over units no earlier search settled. */
  private search(root: string): void {
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const frames: { name: string; next: number; edges: readonly string[] }[] = [];
    const enter = (name: string): void => {
      index.set(name, index.size);
      low.set(name, index.size - 1);
      stack.push(name);
      onStack.add(name);
      frames.push({ name, next: 0, edges: this.edgesOf(name) });
    };
    enter(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as (typeof frames)[number];
      if (frame.next < frame.edges.length) {
        const target = frame.edges[frame.next++] as string;
        if (this.component.has(target)) continue; // settled by an earlier search: not on a cycle through this one
        if (!index.has(target)) {
          if (index.size < MAX_CYCLE_SEARCH) enter(target);
        } else if (onStack.has(target)) {
          low.set(frame.name, Math.min(low.get(frame.name) as number, index.get(target) as number));
        }
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent !== undefined) low.set(parent.name, Math.min(low.get(parent.name) as number, low.get(frame.name) as number));
      if (low.get(frame.name) === index.get(frame.name)) this.settle(stack, onStack, frame.name);
    }
  }

  /** Pops one strongly connected component off the stack and numbers it (a lone unit is on no cycle). */
  private settle(stack: string[], onStack: Set<string>, head: string): void {
    const members: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      members.push(member);
    } while (member !== head);
    const component = members.length > 1 ? this.components++ : NONE;
    for (const member of members) this.component.set(member, component);
  }

  /** The units with Replaces that `name` replaces one way (they do not replace it back). */
  private edgesOf(name: string): readonly string[] {
    const known = this.edges.get(name);
    if (known !== undefined) return known;
    const unit = this.cluster.unit(name) as ReplacingUnit;
    const targets = new Set<string>();
    const consider = (target: string): void => {
      const other = this.cluster.unit(target);
      if (other?.requirements.replaces !== undefined && !replacesUnit(other, name)) targets.add(target);
    };
    const globs: GlobMatcher[] = [];
    for (const matcher of unit.requirements.replaces?.matchers ?? []) {
      if (matcher.literal === undefined) globs.push(matcher);
      else if (matcher.literal !== name) consider(matcher.literal);
    }
    if (globs.length > 0) {
      for (const target of this.globTargetList()) if (target !== name && globs.some((glob) => glob(target))) consider(target);
    }
    const edges = [...targets];
    this.edges.set(name, edges);
    return edges;
  }

  private globTargetList(): readonly string[] {
    this.globTargets ??= [...this.globReach()];
    return this.globTargets;
  }
}

/** Cycle indexes by the core's index of units with Replaces: the set is rebuilt whenever units change, so it keys one graph. */
const byReplacers = new WeakMap<ReadonlySet<string>, ReplacesCycles>();

/**
 * The cycle index for `cluster`. With `replacers` (every unit with Replaces:
 * `cluster.unitsWithRequirement('replaces')`), globs reach every such unit,
 * and the index is shared by every call given the same set. Without it,
 * globs reach only the units that run (placed, not inactive), and the index
 * is built for this call alone.
 */
export function replacesCyclesOf(cluster: ReplacesLookup, replacers?: ReadonlySet<string>): ReplacesCycles {
  if (replacers === undefined) return new ReplacesCycles(cluster, () => runningUnits(cluster));
  let cycles = byReplacers.get(replacers);
  if (cycles === undefined) {
    cycles = new ReplacesCycles(cluster, () => replacers);
    byReplacers.set(replacers, cycles);
  }
  return cycles;
}

function* runningUnits(cluster: ReplacesLookup): Iterable<string> {
  for (const machine of cluster.machines) {
    for (const name of machine.units) if (cluster.placementOf(name) === machine) yield name;
  }
}

/**
 * The other units on a common cycle of one-way Replaces with `unit` (it
 * replaces each, directly or through others, and each replaces it back the
 * same way; a pair replacing each other directly is no edge), by name; empty
 * when there are none. See `replacesCyclesOf` for what `replacers` changes.
 */
export function replacesCycleMembers(unit: ReplacingUnit, cluster: ReplacesLookup, replacers?: ReadonlySet<string>): string[] {
  if (unit.requirements.replaces === undefined) return [];
  return replacesCyclesOf(cluster, replacers).membersWith(unit.name);
}
