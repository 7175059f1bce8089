import { ErrorCodes, FleetError } from '../errors.js';
import { MAX_UNIT_BYTES, MAX_UNIT_OPTIONS, parseUnitName } from '../unit/index.js';
import type { UnitFile, UnitOption } from '../unit/index.js';
import { assertRunnable, buildUnit } from './build-unit.js';
import { encodeStoredUnit } from './stored-unit.js';
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

/**
 * Validates name, contents, state and size (MAX_UNIT_OPTIONS, MAX_UNIT_BYTES
 * as stored), and returns a frozen Unit.
 */
export function createUnit(input: UnitInput): Unit {
  if (Array.isArray(input.contents)) assertOptionCount(input.name, input.contents.length);
  const unit = buildUnit(input);
  assertWithinLimits(unit);
  return unit;
}

function assertWithinLimits(unit: Unit): void {
  assertOptionCount(unit.name, unit.file.options.length);
  // Cheap bound first: JSON never takes more than 6 bytes per UTF-16 unit, plus framing per option.
  if (estimatedMaxStoredBytes(unit) <= MAX_UNIT_BYTES) return;
  const bytes = Buffer.byteLength(encodeStoredUnit(unit), 'utf8');
  if (bytes > MAX_UNIT_BYTES) {
    throw tooLarge(unit.name, `${bytes} bytes as stored (options and submitted text, as JSON), at most ${MAX_UNIT_BYTES}`);
  }
}

function assertOptionCount(name: string, count: number): void {
  if (count > MAX_UNIT_OPTIONS) throw tooLarge(name, `${count} options, at most ${MAX_UNIT_OPTIONS}`);
}

function estimatedMaxStoredBytes(unit: Unit): number {
  let chars = (unit.text?.length ?? 0) + unit.hash.length;
  for (const option of unit.file.options) chars += option.section.length + option.name.length + option.value.length;
  return chars * 6 + unit.file.options.length * 40 + 64;
}

function tooLarge(name: string, what: string): FleetError {
  return new FleetError(ErrorCodes.UNIT_FILE_TOO_LARGE, `unit ${name}: ${what}`, { unit: name });
}

/** A copy of `unit` with another desired state; templates stay inactive. */
export function withDesiredState(unit: Unit, desiredState: DesiredState): Unit {
  assertRunnable(parseUnitName(unit.name), desiredState);
  return Object.freeze({ ...unit, desiredState });
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
 * placed machine, launched when systemd says it runs there, loaded otherwise,
 * except that a unit whose file could not be loaded there (load state
 * `error`, e.g. the agent could not write it) is not loaded: inactive.
 */
export function currentStateOf(placedOn: string | undefined, state: UnitState | undefined): CurrentState {
  if (placedOn === undefined || state === undefined || state.machineId !== placedOn) return 'inactive';
  if (RUNNING_ACTIVE_STATES.has(state.activeState)) return 'launched';
  return state.loadState === 'error' ? 'inactive' : 'loaded';
}
