import type { ResolvedUnit, UnitRequirements } from './views.js';

/**
 * Values of an `[X-Fleet]` option under any of its spellings (`MachineID`,
 * `X-ConditionMachineID`), in the order the names are given.
 */
export function fleetOptionValues(unit: Pick<ResolvedUnit, 'fleetOptions'>, ...names: readonly string[]): readonly string[] {
  // Most units set none of a plugin's options, and every plugin asks at every resolution: answer without allocating.
  let found: readonly string[] | undefined;
  let values: string[] | undefined;
  for (const name of names) {
    const more = unit.fleetOptions.get(name);
    if (more === undefined || more.length === 0) continue;
    if (found === undefined) found = more;
    else (values ??= [...found]).push(...more);
  }
  return values ?? found ?? NO_VALUES;
}

const NO_VALUES: readonly string[] = Object.freeze([]);

/** For resolveUnit taps: the unit with more requirements attached. */
export function withRequirements(unit: ResolvedUnit, requirements: Partial<UnitRequirements>): ResolvedUnit {
  return { ...unit, requirements: { ...unit.requirements, ...requirements } };
}

/** For resolveUnit taps: the unit with its `[X-Fleet]` options rewritten. */
export function withFleetOptions(unit: ResolvedUnit, fleetOptions: ReadonlyMap<string, readonly string[]>): ResolvedUnit {
  return { ...unit, fleetOptions };
}

/** For resolveUnit taps: the unit marked as global (or not). */
export function withGlobal(unit: ResolvedUnit, global: boolean): ResolvedUnit {
  return { ...unit, global };
}
