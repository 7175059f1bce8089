import { unitOptionSpelling, unitOptionValues } from '@fleetd/core';
import type { ClusterView, ResolvedUnit, UnitOptionSpec } from '@fleetd/core';
import { compileGlobs, firstMatch, matchesAny, splitPatterns } from '@fleetd/glob';
import type { CompiledGlobs } from '@fleetd/glob';

/** `unit.requirements.replaces`: the unit's Replaces globs, compiled once per unit version. */
export type ReplacesRequirement = CompiledGlobs;

declare module '@fleetd/core' {
  interface UnitRequirements {
    /** Set by the replaces plugin only when the unit has at least one Replaces pattern. */
    readonly replaces?: ReplacesRequirement;
    /**
     * Set (true) by the replaces plugin only when the unit names a MachineOf peer (as an
     * assembled plugin declares MachineOf): its index tells whether any unit follows another.
     */
    readonly replacesFollows?: true;
  }
}

/** The `[X-Fleet]` option this plugin owns; fleet knows one spelling (no legacy `X-` form). */
export const REPLACES_OPTION = Object.freeze({
  name: 'Replaces',
  description: 'never share a machine with the units matching these globs (Go path.Match): they move away where this unit arrives',
}) satisfies UnitOptionSpec;

/**
 * How many units a cycle search visits at most. Replaces chains are a few
 * units long; past the bound a cycle is seen only in part.
 */
export const MAX_CYCLE_SEARCH = 1024;

/**
 * The points a replacing unit loses on a machine running a unit it would
 * push away: more than least-loaded's `-load` can ever differ by, so such a
 * machine is taken only when no other machine passes the unit's filters, and
 * both units run wherever they can run apart. (fleet placed the replacer
 * least loaded, then moved one of the two off the shared machine.)
 */
export const REPLACES_PENALTY = 1_000_000;

/** What the helpers read from a unit. */
export type ReplacingUnit = Pick<ResolvedUnit, 'name' | 'requirements'>;
/** What the helpers read from the cluster (a `ClusterView` has it). */
export type ReplacesLookup = Pick<ClusterView, 'machines' | 'unit' | 'placementOf'>;

/** The reason texts this plugin gives, identical for identical causes. */
export const replacesReasons = {
  /** A unit on the machine replaces this one (one way, not on a cycle with it): it must run elsewhere. */
  replacedBy: (unit: string): string => `replaced by ${unit}`,
  /** The unit and a unit on the machine are on one Replaces cycle: they run apart, and neither pushes the other. */
  onCycleWith: (unit: string): string => `on a Replaces cycle with ${unit}`,
  /** A unit on the machine is one the unit would push away, and that move would lead back to the unit (`path`, that unit first). */
  pushLoop: (path: readonly string[]): string => `would push ${path[0] ?? ''}, whose move leads back to it (${path.join(' → ')})`,
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
 * Whether `unit` replaces `other` one way: it replaces `other`, and `other`
 * does not replace it back. A pair that replace each other is ignored both
 * ways, as fleet's `hasReplace` ignored it: they may share a machine.
 */
export function replacesOneWay(unit: ReplacingUnit, other: ReplacingUnit): boolean {
  return replacesUnit(unit, other.name) && !replacesUnit(other, unit.name);
}
