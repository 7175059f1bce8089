/**
 * Deciding whether a start or stop worked. A job's result is not enough: a
 * Type=simple service whose binary is missing ends its start job with `done`
 * (systemd declares it started right after fork) and fails a moment later.
 * So the verdict is ActiveState, read after the job ended.
 */
import type { DriverUnitState } from '@fleetd/core';
import type { JobResult } from './dbus/index.js';
import { driverError } from './errors.js';
import type { FleetError, UnitFile } from '@fleetd/core';

/** States in which a unit counts as started (the core's isRunning agrees). */
export const RUNNING_STATES: ReadonlySet<string> = new Set(['active', 'activating', 'reloading']);

/** States in which a unit still counts as running after a stop job. */
const NOT_STOPPED_STATES: ReadonlySet<string> = new Set(['active', 'activating', 'reloading', 'deactivating']);

/**
 * Service types systemd reports as started before their binary was executed
 * (simple, idle): only for these can an immediate failure follow a `done`.
 */
export const START_BEFORE_EXEC_TYPES: ReadonlySet<string> = new Set(['simple', 'idle']);

/**
 * The Type= systemd gives a service from its own file: the last value set, or
 * systemd's default (dbus with BusName=, simple with ExecStart=, else oneshot).
 * Drop-ins of an operator are not seen; the driver then only watches more or
 * less long for an early failure, which signals report anyway.
 */
export function serviceTypeOf(file: UnitFile): string {
  const set = file.lastValue('Service', 'Type');
  const type = set === undefined ? undefined : asSystemdReads(set);
  if (type !== undefined && type !== '') return type;
  if (file.has('Service', 'BusName')) return 'dbus';
  return file.has('Service', 'ExecStart') ? 'simple' : 'oneshot';
}

/**
 * A value as systemd reads it once written to a file: a continued value (kept
 * as fleet's client keeps it, backslash-newline and all) becomes one line,
 * each continuing backslash a space and comment lines inside left out, then
 * trimmed.
 */
export function asSystemdReads(value: string): string {
  const lines = value.split('\n');
  const read = lines.map((line, i) => {
    if (i === lines.length - 1) return line;
    if (i > 0 && /^[ \t]*[#;]/.test(line)) return '';
    return `${line.slice(0, -1)} `;
  });
  return read.join('').trim();
}

export function isStarted(state: DriverUnitState): boolean {
  return RUNNING_STATES.has(state.activeState);
}

/**
 * Whether a start worked, judged after its job ended: the unit runs, or it ran
 * and already exited cleanly (a Type=oneshot service without RemainAfterExit,
 * a service that exits 0 at once, a unit whose Condition*= was not met:
 * inactive after a `done` job). `failed`, or inactive after a job that did not
 * end `done` (canceled, dependency...), is a failed start.
 */
export function startWorked(state: DriverUnitState, result: JobResult): boolean {
  return isStarted(state) || (state.activeState === 'inactive' && result === 'done');
}

/** What the settle window watches for: the unit failed after all. */
export function hasFailed(state: DriverUnitState): boolean {
  return state.activeState === 'failed';
}

export function isStopped(state: DriverUnitState): boolean {
  return !NOT_STOPPED_STATES.has(state.activeState);
}

function describeState(state: DriverUnitState): string {
  return `${state.activeState} (${state.subState}), load state ${state.loadState}`;
}

export function startFailed(state: DriverUnitState, result: JobResult): FleetError {
  const job = result === 'done' ? '' : `; its start job ended "${result}"`;
  return driverError(state.name, `systemd: ${state.name} did not start: it is ${describeState(state)}${job}`);
}

export function stopFailed(state: DriverUnitState, result: JobResult): FleetError {
  return driverError(state.name, `systemd: ${state.name} did not stop: it is ${describeState(state)}; its stop job ended "${result}"`);
}
