import { createRequire } from 'node:module';
import { definePlugin, fleetOptionValues, unitOptionSpelling, unitOptionValues, withRequirements } from '@fleetd/core';
import type { ClusterView, MachineView, ResolvedUnit, UnitOptionSpec } from '@fleetd/core';
import { compileGlobs, firstMatch, matchesAny, splitPatterns } from '@fleetd/glob';
import type { CompiledGlobs } from '@fleetd/glob';
import { conflictsIndex, indexedConflictOn, matchedByOthers } from './reverse-index.js';

// The core range is the package's peer range, so that it follows the releases (one place to change).
const { version, peerDependencies } = createRequire(import.meta.url)('../package.json') as { version: string; peerDependencies: { '@fleetd/core': string } };

/** `unit.requirements.conflicts`: the unit's Conflicts globs, compiled once per unit version. */
export type ConflictsRequirement = CompiledGlobs;

declare module '@fleetd/core' {
  interface UnitRequirements {
    /** Set by the conflicts plugin only when the unit has at least one Conflicts pattern. */
    readonly conflicts?: ConflictsRequirement;
  }
}

/**
 * The `[X-Fleet]` option this plugin owns, with fleet's legacy spelling. fleet
 * refused a unit with both Conflicts and Replaces; the validation plugin
 * enforces `excludes` at submit.
 */
export const CONFLICTS_OPTION = Object.freeze({
  name: 'Conflicts',
  aliases: Object.freeze(['X-Conflicts']),
  description: 'never share a machine with units matching these globs (Go path.Match), nor with units whose globs match this one',
  excludes: Object.freeze(['Replaces']),
}) satisfies UnitOptionSpec;

/** fleet read the legacy spelling's values first, so the patterns keep that order. */
const READ_ORDER: readonly string[] = Object.freeze([...CONFLICTS_OPTION.aliases, CONFLICTS_OPTION.name]);

/** The reason texts this plugin gives, identical for identical causes. */
export const conflictsReasons = {
  /** A unit on the machine matches one of the unit's globs, or has a glob matching the unit. */
  conflictWith: (other: string): string => `conflict with ${other}`,
  /**
   * At submit: the unit must share a machine with `peer` (MachineOf) yet may
   * never share one with it (its own glob `pattern`); options as the unit spells them.
   */
  peerMatchesOwnPattern: (machineOf: string, peer: string, conflicts: string, pattern: string): string =>
    `${machineOf} peer ${peer} matches the unit's own ${conflicts} pattern ${pattern}`,
} as const;

/**
 * The unit's Conflicts patterns (`X-Conflicts` then `Conflicts` values, after
 * specifier expansion): several per value, separated by whitespace, over any
 * number of lines; empty values dropped.
 */
export function conflictPatterns(unit: Pick<ResolvedUnit, 'fleetOptions'>): string[] {
  return splitPatterns(fleetOptionValues(unit, ...READ_ORDER));
}

/**
 * fleet's "unresolvable requirements: peer matches conflict": a MachineOf
 * peer that one of the unit's own (compiled) Conflicts globs matches can
 * never be satisfied. `machineOf` is the MachineOf option as an assembled
 * plugin declares it (`context.unitOptions.get('MachineOf')`); when none
 * does, MachineOf means nothing and there is no problem.
 */
export function conflictingPeerProblem(
  unit: Pick<ResolvedUnit, 'fleetOptions' | 'requirements'>,
  machineOf: Pick<UnitOptionSpec, 'name' | 'aliases'> | undefined,
): string | undefined {
  if (machineOf === undefined || unit.requirements.conflicts === undefined) return undefined;
  const match = firstMatch(unit.requirements.conflicts, splitPatterns(unitOptionValues(unit, machineOf)));
  if (match === undefined) return undefined;
  return conflictsReasons.peerMatchesOwnPattern(unitOptionSpelling(unit, machineOf), match.name, unitOptionSpelling(unit, CONFLICTS_OPTION), match.pattern);
}

/**
 * The unit on `machine` that `unit` conflicts with, in either direction (one
 * of the unit's globs matches it, or one of its globs matches the unit), or
 * undefined. Every unit in `machine.units` counts (placed non-inactive units
 * and global units running there) except the unit itself. When several
 * conflict, the first by name is returned, so the reason does not depend on
 * the order units arrived in. O(units on the machine), no allocation.
 *
 * `withConflicts`, when given, names every unit that may have Conflicts (the
 * plugin passes `cluster.unitsWithRequirement('conflicts')`): other units are then not
 * looked up, and a unit without Conflicts of its own only checks those
 * (when they are fewer than the units on the machine).
 */
export function conflictOn(
  unit: Pick<ResolvedUnit, 'name' | 'requirements'>,
  machine: Pick<MachineView, 'units'>,
  cluster: Pick<ClusterView, 'unit'>,
  withConflicts?: ReadonlySet<string>,
): string | undefined {
  const mine = unit.requirements.conflicts;
  let found: string | undefined;
  if (mine === undefined && withConflicts !== undefined && withConflicts.size < machine.units.size) {
    for (const other of withConflicts) {
      if (other === unit.name || (found !== undefined && other >= found) || !machine.units.has(other)) continue;
      if (matchesAny(cluster.unit(other)?.requirements.conflicts, unit.name)) found = other;
    }
    return found;
  }
  for (const other of machine.units) {
    if (other === unit.name || (found !== undefined && other >= found)) continue;
    if (matchesAny(mine, other)) {
      found = other;
    } else if (withConflicts === undefined || withConflicts.has(other)) {
      if (matchesAny(cluster.unit(other)?.requirements.conflicts, unit.name)) found = other;
    }
  }
  return found;
}

/**
 * fleet's `Conflicts` (legacy `X-Conflicts`): a unit never shares a machine
 * with a unit matching one of its globs (Go `path.Match` semantics), nor with
 * a unit whose globs match it. Malformed globs, and MachineOf peers matching
 * the unit's own globs, are refused at submit; a unit that reaches the engine
 * with a malformed glob anyway is unschedulable (and revoked if placed) with
 * the same message, rather than having the glob silently match nothing as
 * fleet did.
 */
export default definePlugin({
  meta: { name: 'conflicts', version, core: peerDependencies['@fleetd/core'], unitOptions: [CONFLICTS_OPTION] },
  apply(hooks, _options, context) {
    const machineOf = context.unitOptions.get('MachineOf');

    hooks.resolveUnit.tap((unit) => {
      const patterns = conflictPatterns(unit);
      if (patterns.length === 0) return unit;
      return withRequirements(unit, { conflicts: compileGlobs(CONFLICTS_OPTION.name, patterns) });
    });

    hooks.validateUnit.tap((unit) => {
      const conflicts = unit.requirements.conflicts;
      if (conflicts === undefined) return undefined;
      // A template is never placed, and its globs may only become well formed once an instance expands %i.
      if (conflicts.problem !== undefined && !unit.nameInfo.isTemplate) return conflicts.problem;
      return conflictingPeerProblem(unit, machineOf);
    });

    hooks.narrow.tap((unit, cluster, narrowing) => {
      const mine = unit.requirements.conflicts;
      if (mine !== undefined) {
        if (mine.problem !== undefined) narrowing.restrict([], mine.problem);
        return;
      }
      // Without Conflicts of its own, only a unit whose globs match it can conflict with it: when
      // none does, the filter passes every machine and the core need not call it. The index
      // answers that with a few lookups, however many units have Conflicts.
      if (!matchedByOthers(unit.name, conflictsIndex(cluster))) narrowing.passesEverywhere?.();
    });

    hooks.filter.tap((unit, machine, cluster) => {
      const problem = unit.requirements.conflicts?.problem;
      if (problem !== undefined) return problem;
      // The reverse check (a unit there whose glob matches this one) asks the index, not every unit there.
      const other = indexedConflictOn(unit, machine, conflictsIndex(cluster));
      return other === undefined ? undefined : conflictsReasons.conflictWith(other);
    });
  },
});
