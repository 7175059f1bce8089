import { createRequire } from 'node:module';
import { definePlugin, fleetOptionValues, withRequirements } from '@fleetd/core';
import type { ClusterView, MachineView, ResolvedUnit } from '@fleetd/core';
import { compileGlobs, matchesAny, splitPatterns } from './globs.js';
import type { CompiledGlobs } from './globs.js';

export { compileGlob, GlobSyntaxError, pathMatch } from './glob.js';
export type { GlobMatcher } from './glob.js';
export { compileGlobs, matchesAny, splitPatterns } from './globs.js';
export type { CompiledGlobs } from './globs.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** `unit.requirements.conflicts`: the unit's Conflicts globs, compiled once per unit version. */
export type ConflictsRequirement = CompiledGlobs;

declare module '@fleetd/core' {
  interface UnitRequirements {
    /** Set by the conflicts plugin only when the unit has at least one Conflicts pattern. */
    readonly conflicts?: ConflictsRequirement;
  }
}

/** The two spellings fleet accepts; fleet read the legacy one first. */
export const CONFLICTS_OPTIONS = ['X-Conflicts', 'Conflicts'] as const;

/** The reason texts this plugin gives, identical for identical causes. */
export const conflictsReasons = {
  /** A unit on the machine matches one of the unit's globs, or has a glob matching the unit. */
  conflictWith: (other: string): string => `conflict with ${other}`,
} as const;

/**
 * The unit's Conflicts patterns (`X-Conflicts` then `Conflicts` values, after
 * specifier expansion): several per value, separated by whitespace, over any
 * number of lines; empty values dropped.
 */
export function conflictPatterns(unit: Pick<ResolvedUnit, 'fleetOptions'>): string[] {
  return splitPatterns(fleetOptionValues(unit, ...CONFLICTS_OPTIONS));
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
 * a unit whose globs match it. Malformed globs are refused at submit; a unit
 * that reaches the engine with one anyway is unschedulable (and revoked if
 * placed) with the same message, rather than having the glob silently match
 * nothing as fleet did.
 */
export default definePlugin({
  meta: { name: 'conflicts', version, core: '^0.1.0' },
  apply(hooks) {
    hooks.resolveUnit.tap('conflicts', (unit) => {
      const patterns = conflictPatterns(unit);
      if (patterns.length === 0) return unit;
      return withRequirements(unit, { conflicts: compileGlobs('Conflicts', patterns) });
    });

    // A template is never placed, and its globs may only become well formed once an instance expands %i.
    hooks.validateUnit.tap('conflicts', (unit) => (unit.nameInfo.isTemplate ? undefined : unit.requirements.conflicts?.problem));

    hooks.narrow.tap('conflicts', (unit, cluster, narrowing) => {
      const mine = unit.requirements.conflicts;
      if (mine !== undefined) {
        if (mine.problem !== undefined) narrowing.restrict([], mine.problem);
        return;
      }
      // Without Conflicts of its own, only a unit whose globs match it can conflict with it: when
      // none does, the filter passes every machine and the core need not call it. (Checked only
      // while that costs less than one filter call per machine.)
      const withConflicts = cluster.unitsWithRequirement('conflicts');
      if (withConflicts.size > cluster.machines.length) return;
      for (const other of withConflicts) {
        if (other !== unit.name && matchesAny(cluster.unit(other)?.requirements.conflicts, unit.name)) return;
      }
      narrowing.passesEverywhere?.();
    });

    hooks.filter.tap('conflicts', (unit, machine, cluster) => {
      const problem = unit.requirements.conflicts?.problem;
      if (problem !== undefined) return problem;
      // The core's index of units with Conflicts lets the reverse check skip every other unit without a lookup.
      const other = conflictOn(unit, machine, cluster, cluster.unitsWithRequirement('conflicts'));
      return other === undefined ? undefined : conflictsReasons.conflictWith(other);
    });
  },
});
