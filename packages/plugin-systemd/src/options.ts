/**
 * The plugin's options, as fleetd's configuration gives them.
 */
import { z } from 'zod';
import { DEFAULT_JOB_TIMEOUT_MS, DEFAULT_START_SETTLE_MS } from './driver.js';

/** fleet's units directory. */
export const DEFAULT_UNITS_DIRECTORY = '/run/fleet/units';

export const systemdOptions = z
  .object({
    /** D-Bus address of the manager's bus (`unix:path=...`); the system bus when absent. */
    busAddress: z.string().min(1).optional(),
    /** Where unit files are written. */
    unitsDirectory: z.string().min(1).default(DEFAULT_UNITS_DIRECTORY),
    /** Longest wait for a D-Bus call or a start/stop job, in ms. */
    jobTimeoutMs: z.number().int().positive().default(DEFAULT_JOB_TIMEOUT_MS),
    /** How long start() watches a Type=simple service for an immediate failure, in ms (0: off). */
    startSettleMs: z.number().int().nonnegative().default(DEFAULT_START_SETTLE_MS),
  })
  .strict()
  .default({ unitsDirectory: DEFAULT_UNITS_DIRECTORY, jobTimeoutMs: DEFAULT_JOB_TIMEOUT_MS, startSettleMs: DEFAULT_START_SETTLE_MS });

export type SystemdPluginOptions = z.output<typeof systemdOptions>;
export type SystemdPluginInput = z.input<typeof systemdOptions>;
