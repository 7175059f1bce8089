import { z } from 'zod';

/** The metadata key zones are read from when none is configured. */
export const DEFAULT_KEY = 'zone';

/**
 * The plugin's options. Strict, so a misspelt option (`maxPerzone`) is an
 * error at start-up instead of a limit that silently never applies.
 */
export const zoneSpreadOptions = z
  .object({
    /** Machine metadata key whose values are the zones (`zone`, `rack`, `region`...). */
    key: z.string({ error: 'must be a metadata key (a string)' }).min(1, { error: 'must be a non-empty metadata key' }).default(DEFAULT_KEY),
    /** At most this many units of one group per zone; unset = no limit, spreading is only preferred. */
    maxPerZone: z
      .number({ error: 'must be a positive integer' })
      .int({ error: 'must be a positive integer' })
      .positive({ error: 'must be a positive integer' })
      .optional(),
  })
  .strict();

/** The options `apply` receives: defaults filled in. */
export type ZoneSpreadOptions = z.output<typeof zoneSpreadOptions>;

/** The options a config may write: every field optional. */
export type ZoneSpreadOptionsInput = z.input<typeof zoneSpreadOptions>;
