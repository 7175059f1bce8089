import { Command } from '@commander-js/extra-typings';
import { withFullIdsOption } from '../options.js';
import type { RunWork } from '../session.js';

export type { SimulateOptions } from './simulate-run.js';

export function simulateCommand(run: RunWork) {
  const command = new Command('simulate')
    .description('dry run offline: where unit files would go on the machines of a cluster file')
    .argument('<files...>')
    .requiredOption('--cluster <file>', 'YAML/JSON file listing machines and their metadata')
    .option('--config <file>', 'fleetd config whose plugins to schedule with (default: all first-party plugins)');
  // Loaded only when simulate runs: the plugins, the config loader and the YAML parser cost every other command half a second to start.
  return withFullIdsOption(command).action((files, options) =>
    run(async (session) => (await import('./simulate-run.js')).simulateUnits(session, files, options)),
  );
}
