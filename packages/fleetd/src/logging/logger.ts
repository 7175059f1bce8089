/**
 * fleetd logs JSON lines (pino): journald and log shippers keep the fields,
 * `jq` makes them readable. Errors carry their code, plugin, unit and hook,
 * and a plugin's own error code as `pluginCode`.
 */
import { describeThrown, isFleetError } from '@fleetd/core';
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import type { LogLevel } from '../config/types.js';

export type { Logger } from 'pino';

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

/** The fields of an error worth a log line: code and context for ours, message for anything else. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (isFleetError(error)) {
    const fields: Record<string, unknown> = { code: error.code, error: error.message };
    for (const key of ['unit', 'plugin', 'hook', 'pluginCode'] as const) if (error[key] !== undefined) fields[key] = error[key];
    if (error.cause !== undefined) fields['cause'] = error.cause instanceof Error ? error.cause.message : describeThrown(error.cause);
    return fields;
  }
  return { error: error instanceof Error ? error.message : String(error) };
}
