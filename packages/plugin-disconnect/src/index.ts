import { createRequire } from 'node:module';
import { definePlugin, unitOptionSpelling, unitOptionValues } from '@fleetd/core';
import type { GraceMs, ResolvedUnit, UnitOptionSpec } from '@fleetd/core';
import { z } from 'zod';
import { parseStopAfter } from './duration.js';
import type { StopAfter } from './duration.js';

export { MAX_GRACE_MS, OFF_VALUES, parseStopAfter } from './duration.js';
export type { ParsedStopAfter, StopAfter } from './duration.js';

// The core range is the package's peer range, so that it follows the releases (one place to change).
const { version, peerDependencies } = createRequire(import.meta.url)('../package.json') as { version: string; peerDependencies: { '@fleetd/core': string } };

/** The option this plugin owns: how long the unit may keep running on a machine whose fleetd is cut off. */
export const STOP_AFTER_DISCONNECT_OPTION = Object.freeze({
  name: 'StopAfterDisconnect',
  description:
    "stop the unit when this machine's fleetd has not renewed its presence for this long (a time span such as 90s or 2min; off: never), so it does not run twice once the engine places it elsewhere",
}) satisfies UnitOptionSpec;

/** The unit's own `StopAfterDisconnect` (the last value wins, as systemd's assignments do), or undefined when it sets none or an invalid one. */
export function unitStopAfter(unit: Pick<ResolvedUnit, 'fleetOptions'>): StopAfter | undefined {
  const last = unitOptionValues(unit, STOP_AFTER_DISCONNECT_OPTION).at(-1);
  if (last === undefined) return undefined;
  const parsed = parseStopAfter(last);
  return parsed.ok ? parsed.value : undefined;
}

/** The problem with the unit's `StopAfterDisconnect` values, naming the option, or undefined when they are all time spans. */
export function stopAfterProblem(unit: Pick<ResolvedUnit, 'fleetOptions'>): string | undefined {
  for (const value of unitOptionValues(unit, STOP_AFTER_DISCONNECT_OPTION)) {
    const parsed = parseStopAfter(value);
    if (!parsed.ok) return `[X-Fleet] ${unitOptionSpelling(unit, STOP_AFTER_DISCONNECT_OPTION)}: ${parsed.problem}`;
  }
  return undefined;
}

const stopAfter = z.custom<string>((value) => typeof value === 'string' && parseStopAfter(value).ok, {
  error: (issue) => {
    if (typeof issue.input !== 'string') return `must be a time span string such as "90s" or "off", got ${JSON.stringify(issue.input)}`;
    const parsed = parseStopAfter(issue.input);
    return parsed.ok ? undefined : parsed.problem;
  },
});

export const disconnectOptions = z
  .strictObject(
    {
      /**
       * This machine's default for units placed on it that set no
       * StopAfterDisconnect: a time span (`"90s"`), or `"off"` (the default:
       * an agent cut off from etcd stops nothing).
       */
      stopAfter: stopAfter.default('off'),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown option ${issue.keys.join(', ')}; the only option is stopAfter` : undefined) },
  )
  .default({ stopAfter: 'off' });

export type DisconnectOptions = z.output<typeof disconnectOptions>;

/**
 * The grace of a unit: its own StopAfterDisconnect wins (off: never
 * stopped); without one, a placed unit gets the machine's `stopAfter`. A
 * global unit gets no default: it runs on every eligible machine anyway, so
 * no copy of it starts elsewhere while this machine is cut off.
 */
export function graceOf(unit: Pick<ResolvedUnit, 'fleetOptions' | 'global'>, machineDefault: StopAfter, previous: GraceMs): GraceMs {
  const own = unitStopAfter(unit) ?? (unit.global ? undefined : machineDefault);
  if (own === undefined) return previous;
  return own === 'off' ? undefined : own;
}

/**
 * Nomad's `stop_after_client_disconnect` for fleet: a unit whose machine's
 * fleetd cannot renew its presence (a partition from etcd) is stopped after
 * its grace, counted from the last successful renewal, and started again
 * when the agent is back if it is still placed there. A grace shorter than
 * the agent TTL stops the copy before the engine can place the unit
 * elsewhere. Off unless a unit or the machine asks for it.
 */
export default definePlugin({
  meta: { name: 'disconnect', version, core: peerDependencies['@fleetd/core'], unitOptions: [STOP_AFTER_DISCONNECT_OPTION] },
  options: disconnectOptions,
  apply(hooks, options) {
    const machineDefault = (parseStopAfter(options.stopAfter) as { readonly value: StopAfter }).value;
    hooks.validateUnit.tap((unit) => stopAfterProblem(unit));
    hooks.disconnectGrace.tap((grace, unit) => graceOf(unit, machineDefault, grace));
  },
});
