import { createRequire } from 'node:module';
import { definePlugin } from '@fleetd/core';
import type { MachineView, ResolvedUnit } from '@fleetd/core';
import { z } from 'zod';

// The version and the @fleetd/core range come from package.json, so meta stays true
// when a release bumps them: fleetd refuses a plugin whose meta.core excludes its core.
const manifest = createRequire(import.meta.url)('../package.json') as {
  readonly version: string;
  readonly peerDependencies: { readonly '@fleetd/core': string };
};

/** The plugin's options. fleetd validates them before the plugin runs: strict, so a misspelt option is an error. */
export const options = z
  .object({
    /** Most units a machine may run, global units included. */
    maxUnits: z.number().int().positive().default(10),
  })
  .strict();

/** What a user may write in the plugin list (`maxUnits` optional). */
export type Options = z.input<typeof options>;

/** The units on `machine` other than `unit` itself: a placed unit must not count against its own machine. */
export function otherUnits(unit: Pick<ResolvedUnit, 'name'>, machine: Pick<MachineView, 'units' | 'load'>): number {
  return machine.units.has(unit.name) ? machine.load - 1 : machine.load;
}

/**
 * Why a machine cannot take one more unit, or undefined when it can. The same cause gives
 * the same text, so explanations group the machines it rejects.
 */
export function fullReason(others: number, maxUnits: number): string | undefined {
  return others >= maxUnits ? `full: runs ${maxUnits} units, the most maxUnits allows` : undefined;
}

/** Keeps every machine at `maxUnits` units or fewer. Global units run everywhere and are not limited. */
export default definePlugin({
  meta: { name: '{{pluginName}}', version: manifest.version, core: manifest.peerDependencies['@fleetd/core'] },
  options,
  apply(hooks, { maxUnits }) {
    hooks.filter.tap((unit, machine) => (unit.global ? undefined : fullReason(otherUnits(unit, machine), maxUnits)));
  },
});
