import type { CurrentState } from '@fleetd/core';
import type { WireUnit } from '../api/wire.js';
import { isGlobalUnit, machineFullLegend } from './legend.js';
import type { Session } from './session.js';

/**
 * fleet's block attempts: negative = do not wait (--no-block), 0 = wait
 * until the unit gets there (or, in fleetd, until it visibly cannot),
 * N = poll at most N times.
 */
export type BlockAttempts = number;

/** `--block-attempts` and `--no-block` as commander parses them (restart has no `--no-block`). */
export interface BlockOptions {
  /** false with --no-block. */
  readonly block?: boolean;
  readonly blockAttempts?: number;
}

export function blockAttempts(options: BlockOptions): BlockAttempts {
  if (options.block === false) return -1;
  return options.blockAttempts ?? 0;
}

/** Why a unit did not reach the state; printed as `fleetctl: <message>`. */
export interface WaitFailure {
  readonly unit: string;
  readonly message: string;
}

/** Polls of an unplaced unit before asking the engine's explanation whether any machine could take it. */
const POLLS_BEFORE_EXPLAINING = 2;
/**
 * Polls a failure must be seen in a row: the first polls after a start can
 * still show the failed state of the unit's previous run.
 */
const FAILURE_CONFIRMATIONS = 3;

/**
 * fleet's waitForUnitStates: polls every unit until its current state (the
 * desired state for global units, which have no single machine) is `target`,
 * printing `Unit NAME STATE [on MACHINE]` as each gets there. Unlike fleet it
 * also stops waiting for a unit that visibly cannot get there: failed on its
 * machine, a start vetoed by a plugin, or no machine able to take it.
 */
export async function waitForUnitStates(session: Session, names: readonly string[], target: CurrentState, attempts: BlockAttempts): Promise<WaitFailure[]> {
  const results = await Promise.all(names.map((name) => waitForUnit(session, name, target, attempts)));
  return results.filter((result): result is WaitFailure => result !== undefined);
}

async function waitForUnit(session: Session, name: string, target: CurrentState, attempts: BlockAttempts): Promise<WaitFailure | undefined> {
  const seen = { unplaced: 0, failed: 0 };
  for (let attempt = 0; attempts < 1 || attempt < attempts; attempt++) {
    if (attempt > 0) await session.sleep();
    const unit = await session.client().unit(name);
    if (unit === undefined) return { unit: name, message: `unit ${name} was destroyed while waiting for it to become ${target}` };
    if (reached(unit, target)) {
      session.out(await progressLine(session, unit));
      return undefined;
    }
    const failure = await whyNot(session, unit, target, seen);
    if (failure !== undefined) return { unit: name, message: failure };
  }
  return { unit: name, message: `timed out waiting for unit ${name} to report state ${target}` };
}

function reached(unit: WireUnit, target: CurrentState): boolean {
  return (isGlobalUnit(unit.options) ? unit.desiredState : unit.currentState) === target;
}

/** fleet's assertUnitState line: `Unit hello.service launched on 1a2b3c4d.../10.0.0.1`. */
async function progressLine(session: Session, unit: WireUnit): Promise<string> {
  const line = `Unit ${unit.name} ${unit.currentState ?? 'inactive'}`;
  if (unit.machineID === undefined || unit.machineID === '') return line;
  return `${line} on ${machineFullLegend(unit.machineID, await session.machine(unit.machineID), false)}`;
}

/** A reason to stop waiting, once it has been seen often enough to be more than a stale state. */
async function whyNot(session: Session, unit: WireUnit, target: CurrentState, seen: { unplaced: number; failed: number }): Promise<string | undefined> {
  if (target === 'inactive' || isGlobalUnit(unit.options)) return undefined;
  const machineID = unit.machineID ?? '';
  seen.unplaced = machineID === '' ? seen.unplaced + 1 : 0;
  if (machineID === '') return seen.unplaced >= POLLS_BEFORE_EXPLAINING ? unschedulable(session, unit) : undefined;
  const failure = await failedOnMachine(session, unit, machineID, target);
  seen.failed = failure === undefined ? 0 : seen.failed + 1;
  return seen.failed >= FAILURE_CONFIRMATIONS ? failure : undefined;
}

/** Why the unit cannot reach `target` on its machine: its file could not be loaded there (any target), or it failed or was vetoed (launched). */
async function failedOnMachine(session: Session, unit: WireUnit, machineID: string, target: CurrentState): Promise<string | undefined> {
  const states = await session.client().unitStates({ unitName: unit.name, machineID });
  const state = states.find((candidate) => candidate.name === unit.name && candidate.machineID === machineID);
  if (state === undefined) return undefined;
  const notLoaded = state.systemdLoadState === 'error';
  const failed = target === 'launched' && state.systemdActiveState === 'failed';
  const vetoed = target === 'launched' && state.message?.startsWith('start vetoed') === true;
  if (!notLoaded && !failed && !vetoed) return undefined;
  const where = machineFullLegend(machineID, await session.machine(machineID), false);
  const what = notLoaded ? 'could not be loaded' : failed ? `failed (${state.systemdSubState})` : 'was not started';
  return `unit ${unit.name} ${what} on ${where}${state.message === undefined ? '' : `: ${state.message}`}`;
}

/** The engine's own verdict: no feasible machine means waiting is pointless. Errors mean "don't know": keep waiting. */
async function unschedulable(session: Session, unit: WireUnit): Promise<string | undefined> {
  try {
    const explanation = await session.client().explanation(unit.name);
    if (explanation.bestMachine !== undefined || explanation.placedOn !== undefined) return undefined;
    return `unit ${unit.name} cannot be scheduled: ${explanation.summary} (fleetctl explain ${unit.name} says why per machine)`;
  } catch {
    return undefined;
  }
}
