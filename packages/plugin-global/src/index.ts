import { createRequire } from 'node:module';
import { definePlugin, unitOptionValues, withGlobal } from '@fleetd/core';
import type { ResolvedUnit, UnitOptionSpec } from '@fleetd/core';

// The core range is the package's peer range, so that it follows the releases (one place to change).
const { version, peerDependencies } = createRequire(import.meta.url)('../package.json') as { version: string; peerDependencies: { '@fleetd/core': string } };

/** The values fleet reads as true (job.isTruthyValue), compared case-insensitively. */
export const TRUE_VALUES: readonly string[] = Object.freeze(['true', 'yes', '1', 'on', 't']);

const TRUTHY: ReadonlySet<string> = new Set(TRUE_VALUES);

/**
 * Whether `Global` values make a unit global: the last value wins (fleet
 * job.Unit.IsGlobal) and is true when it is true/yes/1/on/t in any case;
 * anything else, or no value, is false.
 */
export function parseGlobal(values: readonly string[]): boolean {
  const last = values.at(-1);
  return last !== undefined && TRUTHY.has(last.toLowerCase());
}

/**
 * The option this plugin owns (fleet had no `X-` spelling for it). A unit
 * with `Global=false` does not set it, so fleet's invalid combinations do
 * not apply to it.
 */
export const GLOBAL_OPTION = Object.freeze({
  name: 'Global',
  description: 'run on every machine the other options accept instead of on one (true, yes, 1, on or t; the last value wins)',
  excludes: Object.freeze(['MachineOf', 'Replaces'] as const),
  isSet: parseGlobal,
}) satisfies UnitOptionSpec;

/** Whether the unit's `[X-Fleet]` options make it global. */
export function isGlobalUnit(unit: Pick<ResolvedUnit, 'fleetOptions'>): boolean {
  return parseGlobal(unitOptionValues(unit, GLOBAL_OPTION));
}

/**
 * fleet's `Global=true`: the unit runs on every machine that every filter
 * accepts, instead of being placed on one. The core evaluates global units
 * per machine with the same narrow and filter taps as placed units.
 */
export default definePlugin({
  meta: { name: 'global', version, core: peerDependencies['@fleetd/core'], unitOptions: [GLOBAL_OPTION] },
  apply(hooks) {
    hooks.resolveUnit.tap((unit) => (isGlobalUnit(unit) ? withGlobal(unit, true) : unit));
  },
});
