import { Command } from '@commander-js/extra-typings';
import { loadOrStartUnits } from '../lifecycle.js';
import { withBlockOptions, withReplaceOption } from '../options.js';
import type { RunWork } from '../session.js';
import { blockAttempts } from '../wait.js';

/** `load UNITS...`: submits what is missing, schedules, and waits until each unit is loaded on its machine. */
export function loadCommand(run: RunWork) {
  const command = new Command('load')
    .description('schedule units in the cluster (submitting them first if needed), without starting them')
    .argument('<units...>');
  return withBlockOptions(withReplaceOption(command), 'loaded').action((units, options) =>
    run((session) => loadOrStartUnits(session, units, 'load', { replace: options.replace === true, attempts: blockAttempts(options) })),
  );
}
