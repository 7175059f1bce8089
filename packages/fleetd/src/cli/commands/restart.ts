import { Command } from '@commander-js/extra-typings';
import { ErrorCodes, FleetError } from '@fleetd/core';
import type { DesiredState } from '@fleetd/core';
import type { WireUnit } from '../../api/wire.js';
import { findUnits } from '../find-units.js';
import { isGlobalUnit } from '../legend.js';
import { reportFailures } from '../lifecycle.js';
import { blockAttemptsOption } from '../options.js';
import type { RunWork, Session } from '../session.js';
import { unitNameOf } from '../unit-files.js';
import { blockAttempts, waitForUnitStates, type BlockAttempts } from '../wait.js';

/** `restart UNITS...`: no --no-block, since the start must wait for the stop; --block-attempts bounds each step. */
export function restartCommand(run: RunWork) {
  return new Command('restart')
    .description('stop then start units, one after another')
    .argument('<units...>')
    .addOption(blockAttemptsOption('poll at most N times for each step (0 = no limit)'))
    .action((units, options) => run((session) => restartUnits(session, units, blockAttempts(options))));
}

/**
 * fleet's restart: a loaded unit is started; a launched one is stopped (and
 * waited for), then started again; an inactive one is refused. Units go one
 * after another, so a service restarts as a rolling update; the first
 * failure ends the command.
 */
export async function restartUnits(session: Session, args: readonly string[], attempts: BlockAttempts): Promise<number> {
  const units = await findUnits(session, args.map(unitNameOf));
  for (const unit of units) {
    if (!isGlobalUnit(unit.options) && (unit.currentState ?? 'inactive') === 'inactive') {
      throw new FleetError(ErrorCodes.UNIT_STATE_TRANSITION, `unable to restart unit ${unit.name} in state inactive; start it first`, { unit: unit.name });
    }
  }
  for (const unit of units) {
    const steps: DesiredState[] = unit.currentState === 'loaded' ? ['launched'] : ['loaded', 'launched'];
    for (const step of steps) {
      const exit = await setAndWait(session, unit, step, attempts);
      if (exit !== 0) return exit;
    }
    session.out(`Unit ${unit.name} restarted`);
  }
  return 0;
}

async function setAndWait(session: Session, unit: WireUnit, target: DesiredState, attempts: BlockAttempts): Promise<number> {
  await session.client().setUnitTargetState(unit.name, target);
  if (isGlobalUnit(unit.options)) return 0;
  return reportFailures(session, await waitForUnitStates(session, [unit.name], target, attempts));
}
