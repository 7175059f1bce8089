/** The plan view's result rows, from `POST /fleetd/v1/plan`'s answer. */
import type { PlanResult } from './wire.js';

export interface PlanRow {
  readonly unit: string;
  /** The machine ID, or a global unit's machine IDs comma-separated; '' when none. */
  readonly machine: string;
  /** Why it runs nowhere (the summary), or that it would move; '' otherwise. */
  readonly reason: string;
  readonly placed: boolean;
}

export interface MovedRow {
  readonly unit: string;
  readonly from: string;
  /** '' when it would run nowhere. */
  readonly to: string;
}

const NOWHERE = 'no machine can take it';

export function planRows(result: PlanResult): PlanRow[] {
  return result.units.map((planned) => {
    const machines = planned.machine !== undefined ? [planned.machine] : (planned.machines ?? []);
    if (machines.length === 0) return { unit: planned.unit, machine: '', reason: planned.summary ?? NOWHERE, placed: false };
    const moving = planned.previousMachine !== undefined && planned.previousMachine !== planned.machine;
    return { unit: planned.unit, machine: machines.join(', '), reason: moving ? `moves from ${planned.previousMachine}` : '', placed: true };
  });
}

export function movedRows(result: PlanResult): MovedRow[] {
  return result.moved.map((move) => ({ unit: move.unit, from: move.from, to: move.to ?? '' }));
}

/** What is missing from the plan form, or undefined when it can be sent. */
export function planInputProblem(pasted: boolean, name: string, uploaded: number): string | undefined {
  if (pasted && name.trim() === '') return 'Give the pasted unit file a name (Unit name), e.g. web.service.';
  if (!pasted && uploaded === 0) return 'Paste a unit file (with its name) or upload unit files to plan.';
  return undefined;
}
