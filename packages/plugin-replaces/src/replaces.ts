import { unitOptionSpelling, unitOptionValues } from '@fleetd/core';
import type { ClusterView, MachineView, ResolvedUnit, UnitOptionSpec } from '@fleetd/core';
import { compileGlobs, firstMatch, matchesAny, splitPatterns } from '@fleetd/glob';
import type { CompiledGlobs, GlobMatcher } from '@fleetd/glob';

/** `unit.requirements.replaces`: the unit's Replaces globs, compiled once per unit version. */
export type ReplacesRequirement = CompiledGlobs;

declare module '@fleetd/core' {
  interface UnitRequirements {
    /** Set by the replaces plugin only when the unit has at least one Replaces pattern. */
    readonly replaces?: ReplacesRequirement;
  }
}

/** The `[X-Fleet]` option this plugin owns; fleet knows one spelling (no legacy `X-` form). */
export const REPLACES_OPTION = Object.freeze({
  name: 'Replaces',
  description: 'take the machine of the units matching these globs (Go path.Match), which move elsewhere',
}) satisfies UnitOptionSpec;

/**
 * How many units a cycle search visits at most. Replaces chains are a few
 * units long; past the bound the search reports no cycle.
 */
export const MAX_CYCLE_SEARCH = 1024;

/** What the helpers below read from a unit. */
export type ReplacingUnit = Pick<ResolvedUnit, 'name' | 'requirements'>;
/** What the helpers below read from the cluster (a `ClusterView` has it). */
export type ReplacesLookup = Pick<ClusterView, 'machines' | 'unit' | 'placementOf'>;

/** The reason texts this plugin gives, identical for identical causes. */
export const replacesReasons = {
  /** A unit on the machine replaces this one: it must run elsewhere. */
  replacedBy: (unit: string): string => `replaced by ${unit}`,
  /** The unit replaces a placed unit, so it may only go to that unit's machine (or another replaced unit's). */
  takesMachineOf: (unit: string): string => `takes the machine of ${unit}`,
  /** The unit is on a Replaces cycle with a unit that runs: only one of a cycle runs. */
  cycleWith: (unit: string): string => `in a Replaces cycle with ${unit}`,
  /**
   * At submit: the unit must share a machine with `peer` (MachineOf) yet
   * would push it off that machine (its own glob `pattern`); options as the unit spells them.
   */
  peerMatchesOwnPattern: (machineOf: string, peer: string, replaces: string, pattern: string): string =>
    `${machineOf} peer ${peer} matches the unit's own ${replaces} pattern ${pattern}`,
} as const;

/**
 * The unit's Replaces patterns (after specifier expansion): several per
 * value, separated by whitespace, over any number of lines; empty values dropped.
 */
export function replacePatterns(unit: Pick<ResolvedUnit, 'fleetOptions'>): string[] {
  return splitPatterns(unitOptionValues(unit, REPLACES_OPTION));
}

/** Compiles a unit's Replaces patterns; what `resolveUnit` stores, or undefined for a unit without any. */
export function replacesRequirement(unit: Pick<ResolvedUnit, 'fleetOptions'>): ReplacesRequirement | undefined {
  const patterns = replacePatterns(unit);
  return patterns.length === 0 ? undefined : compileGlobs(REPLACES_OPTION.name, patterns);
}

/**
 * fleet's "unresolvable requirements: peer matches replaces": a MachineOf
 * peer that one of the unit's own (compiled) Replaces globs matches can never
 * be satisfied. `machineOf` is the MachineOf option as an assembled plugin
 * declares it (`context.unitOptions.get('MachineOf')`); when none does,
 * MachineOf means nothing and there is no problem.
 */
export function replacedPeerProblem(
  unit: Pick<ResolvedUnit, 'fleetOptions' | 'requirements'>,
  machineOf: Pick<UnitOptionSpec, 'name' | 'aliases'> | undefined,
): string | undefined {
  if (machineOf === undefined || unit.requirements.replaces === undefined) return undefined;
  const match = firstMatch(unit.requirements.replaces, splitPatterns(unitOptionValues(unit, machineOf)));
  if (match === undefined) return undefined;
  return replacesReasons.peerMatchesOwnPattern(unitOptionSpelling(unit, machineOf), match.name, unitOptionSpelling(unit, REPLACES_OPTION), match.pattern);
}

/** Whether `unit` replaces the unit called `name`: one of its (compiled) globs matches it. A unit never replaces itself. */
export function replacesUnit(unit: ReplacingUnit, name: string): boolean {
  return name !== unit.name && matchesAny(unit.requirements.replaces, name);
}

/**
 * The unit on `machine` that replaces `unit` (first by name when several
 * do), or undefined. Every unit in `machine.units` counts, the unit itself
 * excepted. O(units on the machine).
 *
 * `replacers`, when given, names every unit that may have Replaces (the
 * plugin passes `cluster.unitsWithRequirement('replaces')`): only those are looked up,
 * and when they are fewer than the units on the machine only they are checked.
 */
export function replacedOn(
  unit: Pick<ResolvedUnit, 'name'>,
  machine: Pick<MachineView, 'units'>,
  cluster: Pick<ClusterView, 'unit'>,
  replacers?: ReadonlySet<string>,
): string | undefined {
  let found: string | undefined;
  const fewer = replacers !== undefined && replacers.size < machine.units.size;
  for (const other of fewer ? replacers : machine.units) {
    if (other === unit.name || (found !== undefined && other >= found)) continue;
    if (fewer ? !machine.units.has(other) : replacers !== undefined && !replacers.has(other)) continue;
    const otherUnit = cluster.unit(other);
    if (otherUnit !== undefined && replacesUnit(otherUnit, unit.name)) found = other;
  }
  return found;
}

/** The placed (non-global, non-inactive) units a unit replaces, by machine. */
export interface ReplaceTargets {
  /** The first replaced unit by name, or undefined when the unit replaces nothing that is placed. */
  readonly first: string | undefined;
  /** Each machine running a replaced unit, with the first such unit there by name. */
  readonly machines: ReadonlyMap<MachineView, string>;
}

/** Where a non-global unit runs: its placement, if the unit is not inactive there. */
function runningOn(cluster: Pick<ClusterView, 'placementOf'>, name: string): MachineView | undefined {
  const where = cluster.placementOf(name);
  return where !== undefined && where.units.has(name) ? where : undefined;
}

/**
 * The placed units `unit` replaces. A pattern without wildcards is a name
 * lookup; real globs are matched against the units running on each machine
 * (one pass over `machine.units` for all of them: the view has no list of
 * every unit), skipping global units, which are never placed.
 */
export function replaceTargets(unit: ReplacingUnit, cluster: ReplacesLookup): ReplaceTargets {
  const machines = new Map<MachineView, string>();
  let first: string | undefined;
  const add = (name: string, where: MachineView): void => {
    const there = machines.get(where);
    if (there === undefined || name < there) machines.set(where, name);
    if (first === undefined || name < first) first = name;
  };
  const globs: GlobMatcher[] = [];
  for (const matcher of unit.requirements.replaces?.matchers ?? []) {
    if (matcher.literal === undefined) {
      globs.push(matcher);
      continue;
    }
    const where = matcher.literal === unit.name ? undefined : runningOn(cluster, matcher.literal);
    if (where !== undefined) add(matcher.literal, where);
  }
  if (globs.length > 0) {
    for (const machine of cluster.machines) {
      for (const name of machine.units) {
        if (name !== unit.name && anyMatches(globs, name) && cluster.placementOf(name) === machine) add(name, machine);
      }
    }
  }
  return { first, machines };
}

function anyMatches(globs: readonly GlobMatcher[], name: string): boolean {
  for (let i = 0; i < globs.length; i++) if ((globs[i] as GlobMatcher)(name)) return true;
  return false;
}

/**
 * A running unit on a Replaces cycle with `unit` (`unit` replaces it,
 * directly or through other units, and it replaces `unit` the same way),
 * first by name, or undefined. Only one unit of a cycle may run: the others
 * would each push the next one off its machine forever.
 *
 * The search walks Replaces edges forward from `unit` through units that have
 * Replaces themselves (only those can lead back), then keeps the units that
 * lead back to `unit`. An exact name reaches any submitted unit. A glob
 * reaches the units named in `replacers` (the plugin passes the core's index of
 * units with Replaces), or without it only the units that run somewhere (the
 * view has no list of every unit): a cycle whose link is a glob to a unit
 * not placed yet then goes unnoticed until that unit runs. Names in
 * `replacers` that are no longer submitted, or no longer have Replaces, are
 * skipped. Bounded by MAX_CYCLE_SEARCH units, no recursion.
 */
export function replacesCycle(unit: ReplacingUnit, cluster: ReplacesLookup, replacers?: Iterable<string>): string | undefined {
  if (unit.requirements.replaces === undefined) return undefined;
  let candidates: readonly string[] | undefined;
  const globReachable = (): readonly string[] => {
    if (candidates !== undefined) return candidates;
    const names: string[] = [];
    if (replacers !== undefined) {
      for (const name of replacers) names.push(name);
    } else {
      for (const machine of cluster.machines) {
        for (const name of machine.units) if (cluster.placementOf(name) === machine) names.push(name);
      }
    }
    candidates = names;
    return names;
  };

  // Forward: every unit with Replaces that `unit` reaches.
  const reached: ReplacingUnit[] = [];
  const seen = new Set<string>([unit.name]);
  const visit = (name: string): void => {
    if (seen.has(name) || seen.size > MAX_CYCLE_SEARCH) return;
    seen.add(name);
    const next = cluster.unit(name);
    if (next?.requirements.replaces !== undefined) reached.push(next);
  };
  for (let head = -1; head < reached.length; head++) {
    const from = head < 0 ? unit : (reached[head] as ReplacingUnit);
    let hasGlob = false;
    for (const matcher of from.requirements.replaces?.matchers ?? []) {
      if (matcher.literal === undefined) hasGlob = true;
      else if (matcher.literal !== from.name) visit(matcher.literal);
    }
    if (hasGlob) for (const name of globReachable()) if (replacesUnit(from, name)) visit(name);
  }
  if (reached.length === 0) return undefined;

  // Backward: those of them that lead back to `unit`.
  const leadsBack: ReplacingUnit[] = [];
  const pending = reached.filter((candidate) => {
    if (!replacesUnit(candidate, unit.name)) return true;
    leadsBack.push(candidate);
    return false;
  });
  for (let grew = leadsBack.length > 0; grew; ) {
    grew = false;
    for (let i = pending.length - 1; i >= 0; i--) {
      const candidate = pending[i] as ReplacingUnit;
      if (leadsBack.some((target) => replacesUnit(candidate, target.name))) {
        leadsBack.push(candidate);
        pending.splice(i, 1);
        grew = true;
      }
    }
  }
  let found: string | undefined;
  for (const member of leadsBack) {
    if ((found === undefined || member.name < found) && runningOn(cluster, member.name) !== undefined) found = member.name;
  }
  return found;
}
