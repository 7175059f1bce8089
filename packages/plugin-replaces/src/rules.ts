import type { ClusterView, MachineView, ResolvedUnit } from '@fleetd/core';
import type { GlobMatcher } from '@fleetd/glob';
import { replacesCyclesOf } from './cycles.js';
import type { ReplacesCycles } from './cycles.js';
import { REPLACES_PENALTY, replacesReasons, replacesUnit } from './replaces.js';
import type { ReplacesLookup, ReplacingUnit } from './replaces.js';

/** Why `unit` may not run on `machine` because of a unit there, per rule. */
interface Blockers {
  /** The first unit by name that replaces `unit` one way and is on no cycle with it. */
  replacedBy: string | undefined;
  /** The first unit by name on a Replaces cycle with `unit`, linked to it by an edge, that keeps it off this machine. */
  cycleWith: string | undefined;
}

/** Reused by every call (no call nests in another): the filter runs per unit and machine, so it allocates nothing. */
const scratch: Blockers = { replacedBy: undefined, cycleWith: undefined };

function blockersOn(unit: ReplacingUnit, machine: Pick<MachineView, 'units'>, cluster: ReplacesLookup, replacers: ReadonlySet<string> | undefined): Blockers {
  const blockers = scratch;
  blockers.replacedBy = undefined;
  blockers.cycleWith = undefined;
  let cycles: ReplacesCycles | undefined;
  const own = unit.requirements.replaces !== undefined;
  // A unit placed here with a cycle partner (a new file added the edge) yields only to one before it by name, so exactly one of them moves.
  const placedHere = own && cluster.placementOf(unit.name) === machine;
  // Only units with Replaces can block: walk the machine's units, or, when fewer, the index of those units.
  const fewer = replacers !== undefined && replacers.size < machine.units.size;
  for (const name of fewer ? replacers : machine.units) {
    if (name === unit.name) continue;
    if (fewer ? !machine.units.has(name) : replacers !== undefined && !replacers.has(name)) continue;
    const other = cluster.unit(name);
    if (other === undefined) continue;
    const replacesIt = replacesUnit(other, unit.name);
    const replacedByIt = own && replacesUnit(unit, name);
    if (replacesIt === replacedByIt) continue; // no edge, or a pair replacing each other (ignored, as fleet)
    if (own && (cycles ??= replacesCyclesOf(cluster, replacers)).sameCycle(unit.name, name)) {
      if ((!placedHere || name < unit.name) && (blockers.cycleWith === undefined || name < blockers.cycleWith)) blockers.cycleWith = name;
    } else if (replacesIt && (blockers.replacedBy === undefined || name < blockers.replacedBy)) {
      blockers.replacedBy = name;
    }
  }
  return blockers;
}

/**
 * The filter's verdict for `unit` on `machine`, or undefined when it may run
 * there: `replaced by Y` when a unit there replaces it one way (and is on no
 * cycle with it); `on a Replaces cycle with Y` when a unit there shares a
 * cycle of one-way Replaces with it and an edge (a unit placed here yields
 * only to partners before it by name). Every unit in `machine.units` counts.
 *
 * `replacers`, when given, names every unit with Replaces (the plugin passes
 * `cluster.unitsWithRequirement('replaces')`): only those are looked up, and
 * the cycle index is shared by every call given the same set.
 */
export function replacesVerdict(
  unit: ReplacingUnit,
  machine: Pick<MachineView, 'units'>,
  cluster: ReplacesLookup,
  replacers?: ReadonlySet<string>,
): string | undefined {
  const blockers = blockersOn(unit, machine, cluster, replacers);
  if (blockers.replacedBy !== undefined) return replacesReasons.replacedBy(blockers.replacedBy);
  if (blockers.cycleWith !== undefined) return replacesReasons.onCycleWith(blockers.cycleWith);
  return undefined;
}

/** The first unit on `machine` that replaces `unit` one way and is on no Replaces cycle with it, or undefined. */
export function replacedOn(
  unit: ReplacingUnit,
  machine: Pick<MachineView, 'units'>,
  cluster: ReplacesLookup,
  replacers?: ReadonlySet<string>,
): string | undefined {
  return blockersOn(unit, machine, cluster, replacers).replacedBy;
}

/**
 * The first unit by name on `machine` that `unit` would push away, or
 * undefined: it replaces that unit one way, on no cycle with it. Exact names
 * are looked up; globs are matched against the machine's units.
 */
export function pushedOn(
  unit: ReplacingUnit,
  machine: Pick<MachineView, 'units'>,
  cluster: ReplacesLookup,
  replacers?: ReadonlySet<string>,
): string | undefined {
  let found: string | undefined;
  eachPushed(unit, machine, cluster, replacers, (name) => {
    if (found === undefined || name < found) found = name;
  });
  return found;
}

/** Calls `visit` with every unit on `machine` that `unit` would push away. */
function eachPushed(
  unit: ReplacingUnit,
  machine: Pick<MachineView, 'units'>,
  cluster: ReplacesLookup,
  replacers: ReadonlySet<string> | undefined,
  visit: (name: string) => void,
): void {
  const replaces = unit.requirements.replaces;
  if (replaces === undefined) return;
  let globs = false;
  for (const matcher of replaces.matchers) {
    if (matcher.literal === undefined) globs = true;
    else if (matcher.literal !== unit.name && machine.units.has(matcher.literal) && pushes(unit, matcher.literal, cluster, replacers)) visit(matcher.literal);
  }
  if (!globs) return;
  for (const name of machine.units) {
    if (name !== unit.name && !isLiteral(replaces.matchers, name) && matchesGlob(replaces.matchers, name) && pushes(unit, name, cluster, replacers))
      visit(name);
  }
}

/** Whether one of the unit's exact names is `name` (already visited as such). */
function isLiteral(matchers: readonly GlobMatcher[], name: string): boolean {
  for (const matcher of matchers) if (matcher.literal === name) return true;
  return false;
}

/** Whether `unit` (which replaces the unit called `name`) would push it: one way, and on no cycle with it. */
function pushes(unit: ReplacingUnit, name: string, cluster: ReplacesLookup, replacers: ReadonlySet<string> | undefined): boolean {
  const other = cluster.unit(name);
  if (other !== undefined && replacesUnit(other, unit.name)) return false; // a pair replacing each other
  return other?.requirements.replaces === undefined || !replacesCyclesOf(cluster, replacers).sameCycle(unit.name, name);
}

function matchesGlob(matchers: readonly GlobMatcher[], name: string): boolean {
  for (const matcher of matchers) if (matcher.literal === undefined && matcher(name)) return true;
  return false;
}

/**
 * The score: 0 on a machine where `unit` would push nothing away;
 * `-REPLACES_PENALTY` where it would push placed units (they move elsewhere
 * when they can); twice that where it would push a global unit, which has no
 * other machine to go to and simply runs on one machine fewer.
 */
export function replacesScore(unit: ReplacingUnit, machine: Pick<MachineView, 'units'>, cluster: ReplacesLookup, replacers?: ReadonlySet<string>): number {
  let score = 0;
  eachPushed(unit, machine, cluster, replacers, (name) => {
    score = Math.min(score, cluster.placementOf(name) === machine ? -REPLACES_PENALTY : -2 * REPLACES_PENALTY);
  });
  return score;
}

/**
 * Whether `unit` would push the unit called `name` if they met: what a
 * replacing unit waits for (`decideAfter`) before it chooses a machine.
 */
export function wouldPush(unit: ReplacingUnit, name: string, cluster: ReplacesLookup, replacers?: ReadonlySet<string>): boolean {
  return replacesUnit(unit, name) && pushes(unit, name, cluster, replacers);
}

/** Whether no unit with Replaces replaces `unit` (which has none itself): then it may run anywhere, as far as this plugin goes. */
export function replacedByNone(unit: Pick<ResolvedUnit, 'name'>, cluster: Pick<ClusterView, 'unit'>, replacers: Iterable<string>): boolean {
  for (const name of replacers) {
    const other = cluster.unit(name);
    if (other !== undefined && replacesUnit(other, unit.name)) return false;
  }
  return true;
}
