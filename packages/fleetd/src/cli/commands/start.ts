import { Command } from '@commander-js/extra-typings';
import { loadOrStartUnits } from '../lifecycle.js';
import { withBlockOptions, withReplaceOption } from '../options.js';
import type { RunWork } from '../session.js';
import { blockAttempts } from '../wait.js';

/** `start UNITS...`: submits and schedules what is missing, and waits until each unit is launched. */
export function startCommand(run: RunWork) {
  const command = new Command('start').description('start units in the cluster, submitting and loading them first if needed').argument('<units...>');
  return withBlockOptions(withReplaceOption(command), 'launched').action((units, options) =>
    run((session) => loadOrStartUnits(session, units, 'start', { replace: options.replace === true, attempts: blockAttempts(options) })),
  );
}
