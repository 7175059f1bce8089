import { createRequire } from 'node:module';
import { definePlugin, Stage } from '@fleetd/core';
import { z } from 'zod';
import { exclusionProblem } from './exclusions.js';
import { validationReasons } from './reasons.js';
import { closestOption, unrecognizedOption } from './unknown.js';

export { exclusionProblem } from './exclusions.js';
export { validationReasons } from './reasons.js';
export { closestOption, MAX_SUGGESTION_DISTANCE, unrecognizedOption } from './unknown.js';

// The core range is the package's peer range, so that it follows the releases (one place to change).
const { version, peerDependencies } = createRequire(import.meta.url)('../package.json') as { version: string; peerDependencies: { '@fleetd/core': string } };

export const validationOptions = z
  .strictObject(
    {
      /** Refuse [X-Fleet] keys no assembled plugin declares, as fleet did ("unrecognized requirement"). */
      rejectUnknownOptions: z.boolean().default(true),
    },
    {
      // The option lists of earlier versions are gone: the plugin that reads an option declares it.
      error: (issue) =>
        issue.code === 'unrecognized_keys' && issue.keys.includes('extraOptions')
          ? 'extraOptions is gone: a plugin declares the [X-Fleet] options it reads in meta.unitOptions'
          : undefined,
    },
  )
  .default({ rejectUnknownOptions: true });

export type ValidationOptions = z.output<typeof validationOptions>;

/**
 * Enforces at submit what the assembled plugins declare about `[X-Fleet]`
 * options (`meta.unitOptions`): a key no plugin declares is refused (fleet's
 * "unrecognized requirement"), with the closest declared spelling, and so is
 * a unit setting two options one of them `excludes` (fleet's invalid
 * combinations, stated by the options' owners). It owns no option and knows
 * none by name.
 */
export default definePlugin({
  meta: { name: 'validation', version, core: peerDependencies['@fleetd/core'] },
  options: validationOptions,
  apply(hooks, options, context) {
    const table = context.unitOptions;
    // Early, so a typo or a forbidden combination is reported before what other plugins make of the options.
    hooks.validateUnit.tap({ stage: Stage.EARLY }, (unit) => {
      const unknown = options.rejectUnknownOptions ? unrecognizedOption(unit, table) : undefined;
      if (unknown !== undefined) return validationReasons.unrecognized(unknown, closestOption(unknown, table));
      return exclusionProblem(unit, table);
    });
  },
});
