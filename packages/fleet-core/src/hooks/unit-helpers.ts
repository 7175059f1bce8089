import type { ResolvedUnit, UnitRequirements } from './views.js';

/**
 * Values of an `[X-Fleet]` option under any of its spellings (`MachineID`,
 * `X-ConditionMachineID`), in the order the names are given.
 */
export function fleetOptionValues(unit: Pick<ResolvedUnit, 'fleetOptions'>, ...names: readonly string[]): readonly string[] {
  if (names.length === 1) return unit.fleetOptions.get(names[0] as string) ?? [];
  const values: string[] = [];
  for (const name of names) values.push(...(unit.fleetOptions.get(name) ?? []));
  return values;
}

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
