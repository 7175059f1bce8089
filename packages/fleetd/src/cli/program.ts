import { Command, InvalidArgumentError, Option } from 'commander';
import { FLEETD_VERSION } from '../daemon/version.js';
import { DEFAULT_ENDPOINT } from './endpoint.js';
import { destroyUnits } from './commands/destroy.js';
import { explainUnit } from './commands/explain.js';
import { loadOrStartUnits, stopUnits, submitUnits, unloadUnits } from './commands/lifecycle.js';
import {
  catUnits,
  DEFAULT_LIST_MACHINES_FIELDS,
  DEFAULT_LIST_UNIT_FILES_FIELDS,
  DEFAULT_LIST_UNITS_FIELDS,
  LIST_MACHINES_FIELDS,
  LIST_UNIT_FILES_FIELDS,
  LIST_UNITS_FIELDS,
  listMachines,
  listUnitFiles,
  listUnits,
  type ListOptions,
} from './commands/listing.js';
import { planCommand, simulateCommand } from './commands/plan.js';
import { restartUnits } from './commands/restart.js';
import { statusUnits } from './commands/status.js';
import { Session, type CliIO, type GlobalOptions } from './session.js';
import { unitNameOf } from './unit-files.js';
import { blockAttempts } from './wait.js';

/** What an action hands back: the exit code. */
type Run = (session: Session) => Promise<number>;

/**
 * The fleetctl command tree. Actions only record what to run; `main` runs it,
 * so every error goes through one place that prints `fleetctl: <message>`.
 */
export function buildProgram(io: CliIO, onRun: (run: Run, globals: GlobalOptions) => void): Command {
  const program = new Command('fleetctl')
    .description('fleetctl: command-line interface to fleetd, the cluster scheduler (CoreOS fleet rebuilt)')
    .version(FLEETD_VERSION, '--version', 'print the version and exit')
    .option('--endpoint <endpoint>', `fleetd API: a unix socket path, unix:///path or http(s)://host:port (env FLEETCTL_ENDPOINT; default ${DEFAULT_ENDPOINT})`)
    .option('--token <token>', 'bearer token for a TCP endpoint (env FLEETCTL_TOKEN)')
    .option('--ca-file <file>', 'PEM CA bundle to trust for an https endpoint')
    .option('--request-timeout <ms>', 'milliseconds to allow a single request (default 3000)')
    .option('--json', 'print JSON instead of tables (listings, status, explain, plan, simulate)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`fleetctl: ${text.replace(/^error: /, '')}`),
    })
    .exitOverride()
    .showSuggestionAfterError()
    .allowExcessArguments(false);

  const register = (command: Command, run: (args: string[], options: Record<string, unknown>) => Run): Command =>
    command.action((...params: unknown[]) => {
      const self = params[params.length - 1] as Command;
      onRun(run(self.args, self.opts()), self.optsWithGlobals<GlobalOptions>());
    });

  addLifecycleCommands(program, register);
  addListingCommands(program, register);
  addSchedulingCommands(program, register);
  return program;
}

type Register = (command: Command, run: (args: string[], options: Record<string, unknown>) => Run) => Command;

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number (0 = no limit)');
  return Number(value);
}

const blockOptions = (command: Command, what: string): Command =>
  command
    .addOption(new Option('--block-attempts <n>', `wait until the units are ${what}, polling at most N times (0 = no limit)`).argParser(positiveInt))
    .option('--no-block', `do not wait until the units are ${what}`);

function addLifecycleCommands(program: Command, register: Register): void {
  register(program.command('submit').description('upload units to the cluster without starting them').argument('<units...>').option('--replace', 'replace units whose local file changed'), (args, options) => (session) =>
    submitUnits(session, args, { replace: options['replace'] === true }),
  );
  for (const [name, what, description] of [
    ['load', 'loaded', 'schedule units in the cluster (submitting them first if needed), without starting them'],
    ['start', 'launched', 'start units in the cluster, submitting and loading them first if needed'],
  ] as const) {
    register(blockOptions(program.command(name).description(description).argument('<units...>').option('--replace', 'replace units whose local file changed'), what), (args, options) => (session) =>
      loadOrStartUnits(session, args, name, { replace: options['replace'] === true, attempts: blockAttempts(options) }),
    );
  }
  register(blockOptions(program.command('stop').description('stop units (they stay loaded on their machine)').argument('<units...>'), 'stopped'), (args, options) => (session) =>
    stopUnits(session, args, { attempts: blockAttempts(options) }),
  );
  register(blockOptions(program.command('unload').description('unschedule units from their machines').argument('<units...>'), 'inactive'), (args, options) => (session) =>
    unloadUnits(session, args, { attempts: blockAttempts(options) }),
  );
  register(blockOptions(program.command('destroy').description('remove units from the cluster (stopping them first)').argument('<units...>'), 'gone'), (args, options) => (session) =>
    destroyUnits(session, args, blockAttempts(options)),
  );
  register(
    program
      .command('restart')
      .description('stop then start units, one after another')
      .argument('<units...>')
      .addOption(new Option('--block-attempts <n>', 'poll at most N times for each step (0 = no limit)').argParser(positiveInt)),
    (args, options) => (session) => restartUnits(session, args, blockAttempts(options)),
  );
  register(program.command('cat').description('print the unit file the cluster holds').argument('<units...>'), (args) => (session) =>
    catUnits(session, args.map(unitNameOf)),
  );
  register(program.command('status').description("print what the cluster knows of units: states, machine, systemd's states").argument('<units...>'), (args) => (session) =>
    statusUnits(session, args),
  );
}

const listOptions = (command: Command, defaults: string, fields: readonly string[]): Command =>
  command
    .option('-l, --full', 'do not shorten machine IDs and hashes')
    .option('--no-legend', 'do not print the column headers')
    .option('--fields <fields>', `columns to print (valid: ${[...fields].sort().join(',')})`, defaults);

const asListOptions = (options: Record<string, unknown>): ListOptions => ({
  fields: String(options['fields']),
  legend: options['legend'] !== false,
  full: options['full'] === true,
});

function addListingCommands(program: Command, register: Register): void {
  register(listOptions(program.command('list-units').description('list the state of units loaded on machines'), DEFAULT_LIST_UNITS_FIELDS, Object.keys(LIST_UNITS_FIELDS)), (_args, options) => (session) =>
    listUnits(session, asListOptions(options)),
  );
  register(
    listOptions(program.command('list-unit-files').description('list every unit in the cluster, loaded or not'), DEFAULT_LIST_UNIT_FILES_FIELDS, Object.keys(LIST_UNIT_FILES_FIELDS)),
    (_args, options) => (session) => listUnitFiles(session, asListOptions(options)),
  );
  register(listOptions(program.command('list-machines').description('list the machines of the cluster'), DEFAULT_LIST_MACHINES_FIELDS, Object.keys(LIST_MACHINES_FIELDS)), (_args, options) => (session) =>
    listMachines(session, asListOptions(options)),
  );
}

function addSchedulingCommands(program: Command, register: Register): void {
  register(program.command('explain').description('why a unit is where it is, or nowhere: every machine, every plugin').argument('<unit>').option('-l, --full', 'do not shorten machine IDs'), (args, options) => (session) =>
    explainUnit(session, args[0] ?? '', options['full'] === true),
  );
  register(program.command('plan').description('dry run: where unit files would go in the live cluster (nothing is written)').argument('<files...>').option('-l, --full', 'do not shorten machine IDs'), (args, options) => (session) =>
    planCommand(session, args, { full: options['full'] === true }),
  );
  register(
    program
      .command('simulate')
      .description('dry run offline: where unit files would go on the machines of a cluster file')
      .argument('<files...>')
      .requiredOption('--cluster <file>', 'YAML/JSON file listing machines and their metadata')
      .option('--config <file>', 'fleetd config whose plugins to schedule with (default: all first-party plugins)')
      .option('-l, --full', 'do not shorten machine IDs'),
    (args, options) => (session) =>
      simulateCommand(session, args, {
        cluster: String(options['cluster']),
        ...(typeof options['config'] === 'string' ? { config: options['config'] } : {}),
        full: options['full'] === true,
      }),
  );
}

