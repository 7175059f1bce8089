import { Command } from '@commander-js/extra-typings';
import { findUnits } from '../find-units.js';
import { withBlockOptions } from '../options.js';
import type { RunWork, Session } from '../session.js';
import { unitNameOf } from '../unit-files.js';
import { blockAttempts, type BlockAttempts } from '../wait.js';

/** `destroy UNITS...`: removes the units from the cluster; waits until each is gone. */
export function destroyCommand(run: RunWork) {
  return withBlockOptions(new Command('destroy').description('remove units from the cluster (stopping them first)').argument('<units...>'), 'gone').action(
    (units, options) => run((session) => destroyUnits(session, units, blockAttempts(options))),
  );
}

/**
 * fleet's destroy: removes each unit (the agent stops and unloads it), then
 * unless --no-block polls until the unit is gone, and prints `Destroyed NAME`.
 * Unlike fleet, an unknown unit is an error (and nothing is destroyed).
 */
export async function destroyUnits(session: Session, args: readonly string[], attempts: BlockAttempts): Promise<number> {
  const units = await findUnits(session, args.map(unitNameOf));
  for (const unit of units) {
    await session.client().destroyUnit(unit.name);
    if (attempts >= 0 && !(await waitUntilGone(session, unit.name, attempts))) {
      session.err(`fleetctl: timed out waiting for unit ${unit.name} to be destroyed`);
      return 1;
    }
    session.out(`Destroyed ${unit.name}`);
  }
  return 0;
}

async function waitUntilGone(session: Session, name: string, attempts: BlockAttempts): Promise<boolean> {
  for (let attempt = 0; attempts < 1 || attempt < attempts; attempt++) {
    if (attempt > 0) await session.sleep();
    if ((await session.client().unit(name)) === undefined) return true;
  }
  return false;
}
