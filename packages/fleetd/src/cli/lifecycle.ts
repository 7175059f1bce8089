import { nextDesiredState } from '@fleetd/core';
import type { DesiredState, UnitCommand } from '@fleetd/core';
import type { WireUnit } from '../api/wire.js';
import { ensureUnits, type CreatingCommand } from './create-units.js';
import { findUnits } from './find-units.js';
import { isGlobalUnit } from './legend.js';
import type { Session } from './session.js';
import { unitNameOf } from './unit-files.js';
import { writeUnits } from './write-units.js';
import { waitForUnitStates, type BlockAttempts, type WaitFailure } from './wait.js';

// What load, start, stop and unload share: each moves desired states along
// fleet's state machine, then waits (or not) and reports the same way.

/** fleet's verb for each command in "Triggered unit x start". */
const VERB: Readonly<Record<UnitCommand, string>> = { submit: 'submit', load: 'load', start: 'start', stop: 'stop', unload: 'unload' };

export interface CreateAndWaitOptions {
  readonly replace?: boolean;
  readonly attempts: BlockAttempts;
}

/** load and start: create what is missing, then raise the desired state and wait for it. */
export async function loadOrStartUnits(
  session: Session,
  args: readonly string[],
  command: Exclude<CreatingCommand, 'submit'>,
  options: CreateAndWaitOptions,
): Promise<number> {
  const units = await ensureUnits(session, args, { command, replace: options.replace === true });
  const changed = await retarget(session, units, command);
  return waitAndReport(session, changed, command, options.attempts);
}

/** stop and unload: the units must all exist; then lower the desired state and wait for it. */
export async function lowerUnits(session: Session, args: readonly string[], command: 'stop' | 'unload', attempts: BlockAttempts): Promise<RetargetOutcome> {
  const units = await findUnits(session, args.map(unitNameOf));
  const changed = await retarget(session, units, command);
  return { changed, exit: await waitAndReport(session, changed, command, attempts) };
}

export interface Retargeted {
  readonly name: string;
  readonly global: boolean;
  readonly target: DesiredState;
}

export interface RetargetOutcome {
  readonly changed: readonly Retargeted[];
  readonly exit: number;
}

/**
 * Sets each unit's desired state by fleet's state machine (load keeps a
 * launched unit launched; stop refuses an inactive one before anything is
 * written). Units already there are kept in the list: waiting for them
 * prints where they are, which tells more than fleet's silence did.
 */
async function retarget(session: Session, units: readonly WireUnit[], command: UnitCommand): Promise<Retargeted[]> {
  const plan = units.map((unit) => ({ unit, target: nextDesiredState(unit.desiredState, command, unit.name) }));
  // One name given twice is set once: the writes go many at once, in no particular order.
  const writes = new Map(plan.filter(({ unit, target }) => unit.desiredState !== target).map(({ unit, target }) => [unit.name, target]));
  const { failure } = await writeUnits(
    session,
    [...writes].map(([name, desiredState]) => ({ name, desiredState })),
  );
  if (failure !== undefined) throw failure;
  return plan.map(({ unit, target }) => ({ name: unit.name, global: isGlobalUnit(unit.options), target }));
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
