import { Command } from '@commander-js/extra-typings';
import type { WireMachine } from '../../api/wire.js';
import { planInputs, printPlan } from '../dry-run.js';
import { withFullIdsOption } from '../options.js';
import type { RunWork, Session } from '../session.js';

export function planCommand(run: RunWork) {
  const command = new Command('plan').description('dry run: where unit files would go in the live cluster (nothing is written)').argument('<files...>');
  return withFullIdsOption(command).action((files, options) => run((session) => planUnitsLive(session, files, options.full === true)));
}

/** `plan FILES...`: a dry run against the live cluster (POST /fleetd/v1/plan); nothing is written. */
export async function planUnitsLive(session: Session, args: readonly string[], full: boolean): Promise<number> {
  const units = await planInputs(session, args, true);
  const result = await session.client().plan({ units });
  const machines = session.json ? new Map<string, WireMachine>() : new Map((await session.client().machines()).map((machine) => [machine.id, machine]));
  return printPlan(session, result, machines, full);
}
