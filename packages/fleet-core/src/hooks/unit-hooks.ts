import { ErrorCodes, FleetError } from '../errors.js';
import { recordSeconds, SAMPLE_EVERY } from './hook-stats.js';
import { pluginError } from './plugin-errors.js';
import type { CompiledTap } from './taps.js';
import type { ResolvedUnit } from './views.js';

type ResolveFn = (unit: ResolvedUnit) => ResolvedUnit;
type ValidateFn = (unit: ResolvedUnit) => unknown;

/**
 * Runs resolveUnit taps in order, each on the previous tap's result; a tap
 * that throws, or returns something other than the unit it was given, fails
 * the resolution as PLUGIN_ERROR naming it. A first round resolves every
 * unit, so calls are timed one in SAMPLE_EVERY, as hot taps are: reading the
 * clock twice per tap cost more than most taps do.
 */
export function runResolveUnit(taps: readonly CompiledTap[], base: ResolvedUnit): ResolvedUnit {
  let unit = base;
  for (const tap of taps) {
    let resolved: unknown;
    const slot = tap.slot;
    slot.calls++;
    const timed = --slot.countdown <= 0;
    const started = timed ? performance.now() : 0;
    try {
      resolved = (tap.fn as ResolveFn)(unit);
    } catch (error) {
      throw pluginError(tap.plugin, 'resolveUnit', error);
    } finally {
      if (timed) {
        slot.countdown = SAMPLE_EVERY;
        recordSeconds(slot, (performance.now() - started) / 1000);
      }
    }
    if (typeof resolved !== 'object' || resolved === null || (resolved as ResolvedUnit).name !== unit.name) {
      throw pluginError(tap.plugin, 'resolveUnit', new TypeError(`must return the unit it was given (${unit.name}), possibly changed`));
    }
    unit = resolved as ResolvedUnit;
  }
  return unit;
}

/**
 * Runs validateUnit taps until one names a problem: UNIT_INVALID naming the
 * unit and that plugin. A tap that throws is PLUGIN_ERROR: the unit is
 * refused too, since nothing vouched for it.
 */
export function runValidateUnit(taps: readonly CompiledTap[], unit: ResolvedUnit): void {
  for (const tap of taps) {
    let problem: unknown;
    const started = performance.now();
    tap.slot.calls++;
    try {
      problem = (tap.fn as ValidateFn)(unit);
    } catch (error) {
      throw pluginError(tap.plugin, 'validateUnit', error);
    } finally {
      recordSeconds(tap.slot, (performance.now() - started) / 1000);
    }
    if (problem === undefined) continue;
    if (typeof problem !== 'string') {
      throw pluginError(tap.plugin, 'validateUnit', new TypeError(`validateUnit returned ${typeof problem}, expected a problem string or nothing`));
    }
    throw new FleetError(ErrorCodes.UNIT_INVALID, `unit ${unit.name}: ${problem}`, { unit: unit.name, plugin: tap.plugin });
  }
}
