import { Command } from '@commander-js/extra-typings';
import { lowerUnits } from '../lifecycle.js';
import { withBlockOptions } from '../options.js';
import type { RunWork, Session } from '../session.js';
import { blockAttempts, type BlockAttempts } from '../wait.js';

/** `stop UNITS...`: the units stay loaded on their machines; waits until each one is. */
export function stopCommand(run: RunWork) {
  return withBlockOptions(new Command('stop').description('stop units (they stay loaded on their machine)').argument('<units...>'), 'stopped').action(
    (units, options) => run((session) => stopUnits(session, units, blockAttempts(options))),
  );
}

/** fleet's stop ends with a summary line on stderr for the units it waited for. */
export async function stopUnits(session: Session, args: readonly string[], attempts: BlockAttempts): Promise<number> {
  const { changed, exit } = await lowerUnits(session, args, 'stop', attempts);
  const waited = changed.filter((unit) => !unit.global).map((unit) => unit.name);
  if (attempts >= 0 && waited.length > 0) {
    session.err(exit === 0 ? `Successfully stopped units ${waited.join(', ')}.` : `Failed to stop units ${waited.join(', ')}.`);
  }
  return exit;
}
