import { Command } from '@commander-js/extra-typings';
import { lowerUnits } from '../lifecycle.js';
import { withBlockOptions } from '../options.js';
import type { RunWork } from '../session.js';
import { blockAttempts } from '../wait.js';

/** `unload UNITS...`: unschedules the units; waits until each is inactive. */
export function unloadCommand(run: RunWork) {
  return withBlockOptions(new Command('unload').description('unschedule units from their machines').argument('<units...>'), 'inactive').action(
    (units, options) => run(async (session) => (await lowerUnits(session, units, 'unload', blockAttempts(options))).exit),
  );
}
