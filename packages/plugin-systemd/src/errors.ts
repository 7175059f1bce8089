/**
 * Every failure the driver reports is a FleetError naming the plugin and, when
 * there is one, the unit: the agent publishes `message` as the reason a unit
 * is not running, so it says what systemd said.
 */
import { ErrorCodes, FleetError, isFleetError } from '@fleetd/core';
import { BusClosedError, DBusCallError, DBusTimeoutError } from './dbus/index.js';
import { JobTimeoutError } from './jobs.js';

export const PLUGIN_NAME = 'systemd';

export function driverError(unit: string | undefined, message: string, cause?: unknown): FleetError {
  return new FleetError(ErrorCodes.PLUGIN_ERROR, message, { plugin: PLUGIN_NAME, unit, cause });
}

/** A FleetError for anything thrown while doing `action` ("start foo.service"). */
export function asDriverError(error: unknown, unit: string | undefined, action: string): FleetError {
  if (isFleetError(error)) return error;
  if (error instanceof JobTimeoutError || error instanceof DBusTimeoutError) {
    return new FleetError(ErrorCodes.PLUGIN_TIMEOUT, `systemd: could not ${action}: ${error.message}`, { plugin: PLUGIN_NAME, unit, cause: error });
  }
  if (error instanceof DBusCallError) return driverError(unit, `systemd: could not ${action}: ${error.text || error.type}`, error);
  if (error instanceof BusClosedError) return driverError(unit, `systemd: could not ${action}: ${error.message}`, error);
  const reason = error instanceof Error ? error.message : String(error);
  return driverError(unit, `systemd: could not ${action}: ${reason}`, error);
}

/** Runs `work`, turning whatever it throws into a FleetError about `unit`. */
export async function attempt<T>(unit: string | undefined, action: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asDriverError(error, unit, action);
  }
}

/** True when systemd answered with one of the given D-Bus error names. */
export function isDBusError(error: unknown, ...types: readonly string[]): boolean {
  return error instanceof DBusCallError && types.includes(error.type);
}
