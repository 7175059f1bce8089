import { createRequire } from 'node:module';
import { definePlugin, Stage } from '@fleetd/core';
import type { ResolvedUnit } from '@fleetd/core';
import { z } from 'zod';
import { KNOWN_FLEET_OPTIONS } from './options.js';
import { combinationProblem, peerProblem } from './rules.js';

export { EXCLUSIONS, combinationProblem, peerProblem } from './rules.js';
export { FLEET_OPTIONS, KNOWN_FLEET_OPTIONS, optionValues, words } from './options.js';
export type { FleetOption } from './options.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export const validationOptions = z
  .object({
    /** Refuse [X-Fleet] keys no plugin knows, as fleet did ("unrecognized requirement"). */
    rejectUnknownOptions: z.boolean().default(true),
    /** [X-Fleet] keys third-party plugins read, accepted on top of fleet's own. */
    extraOptions: z.array(z.string().min(1)).default([]),
  })
  .strict()
  .default({ rejectUnknownOptions: true, extraOptions: [] });

export type ValidationOptions = z.output<typeof validationOptions>;

/** The first key of the unit's [X-Fleet] section that is not in `known`. */
export function unknownOption(unit: Pick<ResolvedUnit, 'fleetOptions'>, known: ReadonlySet<string>): string | undefined {
  for (const name of unit.fleetOptions.keys()) if (!known.has(name)) return name;
  return undefined;
}

/**
 * Refuses, at submit, the [X-Fleet] option combinations fleet refused, and
 * unknown keys: such a unit could never be scheduled as its author meant.
 */
export default definePlugin({
  meta: { name: 'validation', version, core: '^0.1.0' },
  options: validationOptions,
  apply(hooks, options) {
    const known = new Set([...KNOWN_FLEET_OPTIONS, ...options.extraOptions]);
    hooks.validateUnit.tap({ name: 'validation', stage: Stage.EARLY }, (unit) => {
      const unknown = options.rejectUnknownOptions ? unknownOption(unit, known) : undefined;
      if (unknown !== undefined) return `unrecognized [X-Fleet] option ${unknown}`;
      return combinationProblem(unit) ?? peerProblem(unit);
    });
  },
});
