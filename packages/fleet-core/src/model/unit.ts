import { ErrorCodes, FleetError } from '../errors.js';
import { parseUnitFile, UnitFile, unitHash, parseUnitName } from '../unit/index.js';
import type { UnitOption, UnitNameInfo } from '../unit/index.js';
import { parseUnitState } from './states.js';
import type { CurrentState, DesiredState } from './states.js';

/** A submitted unit: name and file are immutable, only the desired state changes. */
export interface Unit {
  readonly name: string;
  readonly file: UnitFile;
  /** Content hash of the normalized file: identifies this version of the unit. */
  readonly hash: string;
  readonly desiredState: DesiredState;
  /**
   * The unit file exactly as submitted, when it was submitted as text
   * (comments, continuation lines and all): what `fleetctl cat` prints. The
   * options above are what fleetd acts on; both describe the same unit.
   */
  readonly text?: string | undefined;
}

export interface UnitInput {
  readonly name: string;
  /** Unit-file text, a parsed file, or fleet API style options. */
  readonly contents: string | UnitFile | readonly UnitOption[];
  readonly desiredState?: DesiredState;
  /** The submitted text of a unit given as options or a parsed file (it is not checked against them). */
  readonly text?: string | undefined;
}

/** Validates name, contents and state, and returns a frozen Unit. */
export function createUnit(input: UnitInput): Unit {
  const info = parseUnitName(input.name);
  const desiredState = parseUnitState(input.desiredState ?? 'inactive', `unit ${input.name}: desired state`);
  assertRunnable(info, desiredState);
  const file = toUnitFile(input.contents, input.name);
  const text = typeof input.contents === 'string' ? input.contents : input.text;
  return Object.freeze({ name: input.name, file, hash: unitHash(file), desiredState, ...(text === undefined ? {} : { text }) });
}

/** A copy of `unit` with another desired state; templates stay inactive. */
export function withDesiredState(unit: Unit, desiredState: DesiredState): Unit {
  assertRunnable(parseUnitName(unit.name), desiredState);
  return Object.freeze({ ...unit, desiredState });
}

function assertRunnable(info: UnitNameInfo, state: DesiredState): void {
  if (info.isTemplate && state !== 'inactive') {
    throw new FleetError(
      ErrorCodes.UNIT_TEMPLATE_NOT_RUNNABLE,
      `${info.name}: a template unit can only be submitted; load or start an instance such as ${info.prefix}@1.${info.type}`,
      { unit: info.name },
    );
  }
}

function toUnitFile(contents: UnitInput['contents'], name: string): UnitFile {
  if (typeof contents === 'string') return parseUnitFile(contents, { file: name });
  if (contents instanceof UnitFile) return contents;
  return new UnitFile(contents);
}

/** The machine a unit is bound to, written by the engine. */
export interface Placement {
  readonly unit: string;
  readonly machine: string;
}

/** What an agent reports about a unit it runs, from systemd. */
export interface UnitState {
  readonly name: string;
  readonly hash: string;
  readonly machineId: string;
  readonly loadState: string;
  readonly activeState: string;
  readonly subState: string;
  /** Why the agent left the unit as it is (a beforeStart veto, a failed start), when it did. */
  readonly message?: string | undefined;
}

const RUNNING_ACTIVE_STATES = new Set(['active', 'activating', 'reloading']);

/**
 * fleet's current state: inactive without a placement or a report from the
 * placed machine, launched when systemd says it runs there, loaded otherwise.
 */
export function currentStateOf(placedOn: string | undefined, state: UnitState | undefined): CurrentState {
  if (placedOn === undefined || state === undefined || state.machineId !== placedOn) return 'inactive';
  return RUNNING_ACTIVE_STATES.has(state.activeState) ? 'launched' : 'loaded';
}
