import { ErrorCodes, FleetError } from '../errors.js';

/** What a user asks of a unit; also what the cluster reports it has reached. */
export const UNIT_STATES = ['inactive', 'loaded', 'launched'] as const;
export type DesiredState = (typeof UNIT_STATES)[number];
/** fleet reports the current state on the same scale as the desired one. */
export type CurrentState = DesiredState;

/** The fleetctl verbs that change a unit's desired state. */
export type UnitCommand = 'submit' | 'load' | 'start' | 'stop' | 'unload';

export function isUnitState(value: unknown): value is DesiredState {
  return typeof value === 'string' && (UNIT_STATES as readonly string[]).includes(value);
}

export function parseUnitState(value: unknown, where = 'desired state'): DesiredState {
  if (isUnitState(value)) return value;
  throw new FleetError(ErrorCodes.UNIT_STATE_INVALID, `${where}: ${JSON.stringify(value)} is not one of ${UNIT_STATES.join(', ')}`);
}

/**
 * The desired state a command leads to, with fleet's rules: submit creates an
 * inactive unit (and leaves an existing one alone), load never downgrades a
 * launched unit, stop needs a unit that is at least loaded.
 * `from` is undefined for a unit that does not exist yet.
 */
export function nextDesiredState(from: DesiredState | undefined, command: UnitCommand, unit = 'unit'): DesiredState {
  switch (command) {
    case 'submit':
      return from ?? 'inactive';
    case 'load':
      return from === 'launched' ? 'launched' : 'loaded';
    case 'start':
      return 'launched';
    case 'unload':
      return 'inactive';
    case 'stop':
      if (from === undefined || from === 'inactive') {
        throw new FleetError(ErrorCodes.UNIT_STATE_TRANSITION, `${unit}: cannot stop a unit that is ${from ?? 'not submitted'}; load or start it first`, {
          unit,
        });
      }
      return 'loaded';
  }
}

/** True when a unit in this desired state needs a machine. */
export function needsMachine(state: DesiredState): boolean {
  return state !== 'inactive';
}
