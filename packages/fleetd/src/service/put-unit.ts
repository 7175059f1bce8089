import { createUnit, ErrorCodes, FleetError, parseUnitFile, parseUnitName, parseUnitState, UnitFile, unitHash, withDesiredState } from '@fleetd/core';
import { decodeUnit } from '@fleetd/core/unstable';
import type { DesiredState, ErrorCode, PluginHost, Registry, Unit, UnitOption } from '@fleetd/core';
import type { FleetStore } from '@fleetd/core/unstable';
import type { DesiredStateBatcher } from './desired-state-batcher.js';
import type { SubmitBatcher } from './submit-batcher.js';

export interface PutUnitRequest {
  /** The name in the URL (fleet takes the body's name only when it matches). */
  readonly name: string;
  readonly options?: readonly UnitOption[] | undefined;
  /** Empty or absent: not given (fleet's `len(su.DesiredState) == 0`). */
  readonly desiredState?: string | undefined;
  /** fleetd only: the unit file's text, kept as submitted; with options, both must describe the same file. */
  readonly contents?: string | undefined;
}

/**
 * What a PUT did. `refused` carries fleet's two 409 answers: a new unit
 * without options (UNIT_NOT_FOUND: there is nothing to update), and an
 * existing unit with neither a desired state nor new options (UNIT_EXISTS:
 * there is nothing to create).
 */
export type PutUnitOutcome =
  | { readonly kind: 'created' }
  | { readonly kind: 'updated' }
  | { readonly kind: 'replaced' }
  | { readonly kind: 'refused'; readonly message: string; readonly reason: ErrorCode };

export const OPTIONS_REQUIRED = 'unit does not exist and options field empty';
export const DESIRED_STATE_REQUIRED = 'must provide DesiredState to update existing unit';

export interface PutContext {
  readonly registry: Registry;
  readonly store: FleetStore;
  /** Creates units, several concurrent ones in one transaction. */
  readonly submitter: SubmitBatcher;
  /** Sets desired states of existing units, several concurrent ones in one transaction. */
  readonly retargeter: DesiredStateBatcher;
  readonly host: PluginHost;
}

/**
 * fleet's PUT /units/{name}: create with options (201), change the desired
 * state of an existing unit (204), and, as fleet 0.13+ `--replace`, replace an
 * existing unit whose options differ (201, same placement). A replacement
 * takes the body's desired state, or `inactive` without one: fleet created
 * the unit anew (its `create` path), and fleet's `load/start --replace` wait
 * for that `inactive` before raising the state again. Every check runs before
 * the first write, so a refused request changes nothing.
 */
export async function putUnit(context: PutContext, request: PutUnitRequest): Promise<PutUnitOutcome> {
  return applyUnitPut(context, checkUnitPut(context.host, request));
}

/** A PUT whose body passed every check that needs no registry read: what it may write. */
export interface CheckedUnitPut {
  readonly name: string;
  readonly desired: DesiredState | undefined;
  /** The unit it creates or replaces; undefined when it carries no unit file (a desired state only). */
  readonly candidate: Unit | undefined;
}

/** The checks of a PUT before any read or write: name, desired state, unit file, plugins' validateUnit. */
export function checkUnitPut(host: PluginHost, request: PutUnitRequest): CheckedUnitPut {
  parseUnitName(request.name);
  const desired = desiredStateOf(request);
  const contents = contentsOf(request);
  const candidate = contents === undefined ? undefined : validUnit(host, request.name, contents, desired ?? 'inactive');
  return { name: request.name, desired, candidate };
}

/** The writes of a checked PUT; the refusals that depend on what is stored. */
export async function applyUnitPut(context: PutContext, { name, desired, candidate }: CheckedUnitPut): Promise<PutUnitOutcome> {
  if (candidate === undefined) {
    if (desired !== undefined && runnable(name, desired)) {
      // What fleetctl sends after creating units: no read needed, the write's guard says whether the unit is there.
      if (await context.retargeter.set(name, desired)) return { kind: 'updated' };
      return { kind: 'refused', message: OPTIONS_REQUIRED, reason: ErrorCodes.UNIT_NOT_FOUND };
    }
    const existing = await storedUnit(context, name);
    if (existing === undefined) return { kind: 'refused', message: OPTIONS_REQUIRED, reason: ErrorCodes.UNIT_NOT_FOUND };
    return updateDesiredState(context, existing, desired);
  }
  // A PUT with contents usually creates: try that first; when the name is taken, the same transaction reads the stored unit.
  const submitted = await context.submitter.submit(candidate);
  if (submitted.created) return { kind: 'created' };
  if (candidate.hash !== submitted.stored.hash) {
    await context.store.replaceUnit(candidate, desired ?? 'inactive');
    return { kind: 'replaced' };
  }
  return updateDesiredState(context, submitted.stored, desired);
}

async function updateDesiredState(context: PutContext, existing: Unit, desired: DesiredState | undefined): Promise<PutUnitOutcome> {
  if (desired === undefined) return { kind: 'refused', message: DESIRED_STATE_REQUIRED, reason: ErrorCodes.UNIT_EXISTS };
  withDesiredState(existing, desired);
  await context.store.setDesiredState(existing.name, desired);
  return { kind: 'updated' };
}

/** What withDesiredState checks of the unit: its name (a template is only ever inactive). */
function runnable(name: string, desired: DesiredState): boolean {
  return desired === 'inactive' || !parseUnitName(name).isTemplate;
}

/** The unit file a PUT carries: its text (checked against options when both are given), its options, or nothing. */
function contentsOf(request: PutUnitRequest): string | readonly UnitOption[] | undefined {
  const options = request.options ?? [];
  const contents = withOptions(request.contents, request.name);
  if (contents === undefined) return options.length === 0 ? undefined : options;
  if (options.length > 0 && unitHash(new UnitFile(options)) !== unitHash(parseUnitFile(contents, { file: request.name }))) {
    throw new FleetError(ErrorCodes.UNIT_INVALID, `unit ${request.name}: options and contents describe different unit files; send one of them`, {
      unit: request.name,
    });
  }
  return contents;
}

/** A line that is not blank, a comment or a section header: it can only be an option (or a syntax error). */
const MAYBE_OPTION = /^[ \t]*[^\s#;[]/m;

/**
 * Contents that hold no option (empty, only comments or section headers) count
 * as no contents at all, as fleet counts an empty options list: a new unit is
 * refused with 409 "unit does not exist and options field empty", an existing
 * one only takes a desired state. Sending the same empty unit as `contents` or
 * as `options` gets the same answer. Only texts without an option line are
 * parsed here; the others are parsed once, when the unit is built.
 */
function withOptions(contents: string | undefined, name: string): string | undefined {
  if (contents === undefined || MAYBE_OPTION.test(contents)) return contents;
  return parseUnitFile(contents, { file: name }).options.length === 0 ? undefined : contents;
}

function desiredStateOf(request: PutUnitRequest): DesiredState | undefined {
  if (request.desiredState === undefined || request.desiredState === '') return undefined;
  return parseUnitState(request.desiredState, `unit ${request.name}: desired state`);
}

/** The unit as its options and the plugins' validateUnit taps accept it. */
export function validUnit(host: PluginHost, name: string, contents: readonly UnitOption[] | string, desiredState: DesiredState): Unit {
  const unit = createUnit({ name, contents, desiredState });
  host.validateUnit(unit);
  return unit;
}

async function storedUnit(context: PutContext, name: string): Promise<Unit | undefined> {
  const key = context.store.layout.unit(name);
  const stored = await context.registry.get(key);
  return stored === undefined ? undefined : decodeUnit(key, name, stored.value);
}

/** fleet's answer for a unit that is not there (GET and DELETE). */
export function unitDoesNotExist(name: string): FleetError {
  return new FleetError(ErrorCodes.UNIT_NOT_FOUND, 'unit does not exist', { unit: name });
}

/** fleet's answer for a unit no machine reports a state of (GET /state/{name}, api/state.go). */
export function unitStateDoesNotExist(name: string): FleetError {
  return new FleetError(ErrorCodes.UNIT_NOT_FOUND, 'unit state does not exist', { unit: name });
}
