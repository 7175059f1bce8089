import { Command } from '@commander-js/extra-typings';
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import { FLEETD_VERSION } from '../daemon/version.js';
import { catCommand } from './commands/cat.js';
import { destroyCommand } from './commands/destroy.js';
import { explainCommand } from './commands/explain.js';
import { listMachinesCommand } from './commands/list-machines.js';
import { listUnitFilesCommand } from './commands/list-unit-files.js';
import { listUnitsCommand } from './commands/list-units.js';
import { loadCommand } from './commands/load.js';
import { planCommand } from './commands/plan.js';
import { restartCommand } from './commands/restart.js';
import { simulateCommand } from './commands/simulate.js';
import { startCommand } from './commands/start.js';
import { statusCommand } from './commands/status.js';
import { stopCommand } from './commands/stop.js';
import { submitCommand } from './commands/submit.js';
import { unloadCommand } from './commands/unload.js';
import { withGlobalOptions } from './global-options.js';
import { Session, type CliIO, type RunWork } from './session.js';

/** Every command, in the order `fleetctl --help` lists them. */
const COMMANDS: readonly ((run: RunWork) => CommandUnknownOpts)[] = [
  submitCommand,
  loadCommand,
  startCommand,
  stopCommand,
  unloadCommand,
  destroyCommand,
  restartCommand,
  catCommand,
  statusCommand,
  listUnitsCommand,
  listUnitFilesCommand,
  listMachinesCommand,
  explainCommand,
  planCommand,
  simulateCommand,
];

/**
 * The fleetctl command tree. Each command's action hands its work to one
 * runner, which gives it this invocation's session (global options
 * included) and reports its exit code to `finish`. Errors leave
 * `parseAsync` for `main`, the one place that prints `fleetctl: <message>`.
 */
export function buildProgram(io: CliIO, finish: (exitCode: number) => void, runWork?: RunWork) {
  const root = new Command('fleetctl')
    .description('fleetctl: command-line interface to fleetd, the cluster scheduler (CoreOS fleet rebuilt)')
    .version(FLEETD_VERSION, '--version', 'print the version and exit');
  const program = withGlobalOptions(root)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`fleetctl: ${text.replace(/^error: /, '')}`),
    })
    .exitOverride()
    .showSuggestionAfterError()
    .allowExcessArguments(false);
  // A caller that only checks command lines (the docs check) passes a runner that does no work.
  const run: RunWork = runWork ?? (async (work) => finish(await work(new Session(io, program.opts()))));
  // addCommand, unlike command(), copies none of the program's settings: output, exit override, suggestions.
  for (const command of COMMANDS) program.addCommand(command(run).copyInheritedSettings(program));
  return program;
}
