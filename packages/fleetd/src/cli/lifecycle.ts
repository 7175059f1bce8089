import { ErrorCodes, FleetError, nextDesiredState } from '@fleetd/core';
import type { DesiredState, UnitCommand } from '@fleetd/core';
import type { WireUnit } from '../../api/wire.js';
import { ensureUnits, type CreatingCommand } from '../create-units.js';
import { isGlobalUnit } from '../legend.js';
import type { Session } from '../session.js';
import { unitNameOf } from '../unit-files.js';
import { waitForUnitStates, type BlockAttempts, type WaitFailure } from '../wait.js';

export interface LifecycleOptions {
  readonly replace?: boolean;
  readonly attempts: BlockAttempts;
}

/** fleet's verb for each command in "Triggered unit x start". */
const VERB: Readonly<Record<UnitCommand, string>> = { submit: 'submit', load: 'load', start: 'start', stop: 'stop', unload: 'unload' };

export async function submitUnits(session: Session, args: readonly string[], options: { readonly replace?: boolean }): Promise<number> {
  await ensureUnits(session, args, { command: 'submit', replace: options.replace === true });
  return 0;
}

/** load and start: create what is missing, then raise the desired state and wait for it. */
export async function loadOrStartUnits(session: Session, args: readonly string[], command: Exclude<CreatingCommand, 'submit'>, options: LifecycleOptions): Promise<number> {
  const names = await ensureUnits(session, args, { command, replace: options.replace === true });
  const units = await findUnits(session, names);
  const changed = await retarget(session, units, command);
  return waitAndReport(session, changed, command, options.attempts);
}

export async function stopUnits(session: Session, args: readonly string[], options: LifecycleOptions): Promise<number> {
  const units = await findUnits(session, args.map(unitNameOf));
  const changed = await retarget(session, units, 'stop');
  const exit = await waitAndReport(session, changed, 'stop', options.attempts);
  const waited = changed.filter((unit) => !unit.global).map((unit) => unit.name);
  if (options.attempts >= 0 && waited.length > 0) {
    session.err(exit === 0 ? `Successfully stopped units ${waited.join(', ')}.` : `Failed to stop units ${waited.join(', ')}.`);
  }
  return exit;
}

export async function unloadUnits(session: Session, args: readonly string[], options: LifecycleOptions): Promise<number> {
  const units = await findUnits(session, args.map(unitNameOf));
  const changed = await retarget(session, units, 'unload');
  return waitAndReport(session, changed, 'unload', options.attempts);
}

/** Every unit, or UNIT_NOT_FOUND for the first unknown one before anything changes. */
export async function findUnits(session: Session, names: readonly string[]): Promise<WireUnit[]> {
  const units: WireUnit[] = [];
  for (const name of names) {
    const unit = await session.client().unit(name);
    if (unit === undefined) throw unitNotFound(name);
    units.push(unit);
  }
  return units;
}

export function unitNotFound(name: string): FleetError {
  return new FleetError(ErrorCodes.UNIT_NOT_FOUND, `unable to find unit ${name} in the cluster`, { unit: name });
}

interface Retargeted {
  readonly name: string;
  readonly global: boolean;
  readonly target: DesiredState;
}

/**
 * Sets each unit's desired state by fleet's state machine (load keeps a
 * launched unit launched; stop refuses an inactive one before anything is
 * written). Units already there are kept in the list: waiting for them
 * prints where they are, which tells more than fleet's silence did.
 */
async function retarget(session: Session, units: readonly WireUnit[], command: UnitCommand): Promise<Retargeted[]> {
  const plan = units.map((unit) => ({ unit, target: nextDesiredState(unit.desiredState, command, unit.name) }));
  const result: Retargeted[] = [];
  for (const { unit, target } of plan) {
    if (unit.desiredState !== target) await session.client().setUnitTargetState(unit.name, target);
    result.push({ name: unit.name, global: isGlobalUnit(unit.options), target });
  }
  return result;
}

/** Global units are never waited for (fleet: they have no single current state); the rest per --block-attempts. */
async function waitAndReport(session: Session, units: readonly Retargeted[], command: UnitCommand, attempts: BlockAttempts): Promise<number> {
  for (const unit of units.filter((candidate) => candidate.global)) session.out(`Triggered global unit ${unit.name} ${VERB[command]}`);
  const waiting = units.filter((unit) => !unit.global);
  if (attempts < 0) {
    for (const unit of waiting) session.out(`Triggered unit ${unit.name} ${VERB[command]}`);
    return 0;
  }
  const failures: WaitFailure[] = [];
  for (const target of new Set(waiting.map((unit) => unit.target))) {
    const names = waiting.filter((unit) => unit.target === target).map((unit) => unit.name);
    failures.push(...(await waitForUnitStates(session, names, target, attempts)));
  }
  return reportFailures(session, failures);
}

export function reportFailures(session: Session, failures: readonly WaitFailure[]): number {
  for (const failure of failures) session.err(`fleetctl: ${failure.message}`);
  return failures.length === 0 ? 0 : 1;
}
