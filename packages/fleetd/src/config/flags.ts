/** fleetd's command line: `--config PATH` plus one flag per option-table row. */
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { layerInvalid } from './issues.js';
import { SEARCH_PLACES } from './load.js';
import { OPTION_TABLE } from './options-table.js';
import type { ConfigOverride, OptionRow } from './options-table.js';

export interface FleetdArgs {
  /** `--config PATH`: load exactly that file. */
  readonly configPath?: string;
  readonly overrides: readonly ConfigOverride[];
  /** Set when `--help` was given: print it and exit 0. */
  readonly help?: string;
  /** Set when `--version` was given: print it and exit 0. */
  readonly version?: string;
}

export interface ParseArgsOptions {
  /** What `--version` prints. */
  readonly version?: string;
}

function createProgram(version: string, output: { text: string }): { program: Command; options: Map<OptionRow, Option> } {
  const program = new Command('fleetd')
    .description('fleetd: the cluster scheduler daemon (engine + agent); flags override FLEETD_* variables, which override the config file')
    .exitOverride()
    .configureOutput({ writeOut: (text) => (output.text += text), writeErr: (text) => (output.text += text), outputError: () => {} })
    .helpOption('-h, --help', 'show this help')
    .version(version, '-V, --version', 'show the version')
    .option('-c, --config <path>', 'load exactly this config file (else searched from the working directory up, then /etc/fleetd)')
    .allowExcessArguments(false)
    .addHelpText('after', helpEpilogue());
  const options = new Map<OptionRow, Option>();
  for (const row of OPTION_TABLE) {
    const option = new Option(row.argument === undefined ? row.flag : `${row.flag} ${row.argument}`, `${row.description} [${row.env}]`);
    program.addOption(option);
    options.set(row, option);
  }
  return { program, options };
}

/** The package's README: beside dist/ (or src/) in a checkout and in an install alike. */
const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/** `fleetd.config.{ts,json}`: the search places sharing a stem, as one brace group; names without a stem as they are. */
export function describeSearchPlaces(places: readonly string[]): string[] {
  // Keyed by stem for grouped names, by the whole name (after a slash, which no stem has) for the others.
  const groups = new Map<string, { stem: string; extensions: string[] | undefined }>();
  for (const place of places) {
    const match = /^(\.fleetdrc|fleetd\.config)\.(\w+)$/.exec(place);
    if (match === null) groups.set(`/${place}`, { stem: place, extensions: undefined });
    else {
      const [, stem = '', extension = ''] = match;
      const group = groups.get(stem) ?? { stem, extensions: [] };
      group.extensions?.push(extension);
      groups.set(stem, group);
    }
  }
  return [...groups.values()].map(({ stem, extensions }) => (extensions === undefined ? stem : `${stem}.{${extensions.join(',')}}`));
}

function describePlace(place: string): string {
  if (place === 'package.json') return 'package.json (its "fleetd" key)';
  if (place === '.fleetdrc') return '.fleetdrc (YAML or JSON)';
  return place;
}

/** What the options do not say: the config file's names, the other command, where the docs are. */
function helpEpilogue(): string {
  return [
    '',
    'Config file: --config PATH (or FLEETD_CONFIG), else the first found in the',
    'working directory, then each parent, then /etc/fleetd, of:',
    ...describeSearchPlaces(SEARCH_PLACES).map((place) => `  ${describePlace(place)}`),
    'YAML (.yaml, .yml, .fleetdrc), JSON (.json), or a JavaScript or TypeScript',
    'module (.js, .mjs, .cjs, .ts, .mts) whose default export is the config.',
    'Relative paths in the file are relative to its directory; in flags and FLEETD_*',
    'variables, to the working directory.',
    '',
    'Commands:',
    '  fleetd dev [--machines N]: a local cluster on this host, see docs/dev.md',
    '',
    'Documentation: docs/configuration.md (every option) in the fleetd repository,',
    `and the README: ${README}`,
  ].join('\n');
}

/**
 * Parses fleetd's arguments (without `node` and the script). Never exits:
 * unknown flags, missing values and bad values throw CONFIG_INVALID naming the
 * flag; `--help` and `--version` come back as text for the bin to print.
 */
export function parseFleetdArgs(argv: readonly string[], settings: ParseArgsOptions = {}): FleetdArgs {
  const output = { text: '' };
  const version = settings.version ?? 'unknown';
  const { program, options } = createProgram(version, output);
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed') return { overrides: [], help: output.text };
    if (error.code === 'commander.version') return { overrides: [], version: output.text.trim() };
    throw layerInvalid('command line', [error.message.replace(/^error: /, '').replace(/\n\(Did you mean (.*)\)$/, ' (did you mean $1)')]);
  }
  const configPath = program.getOptionValue('config') as string | undefined;
  return { ...(configPath === undefined ? {} : { configPath }), overrides: readOverrides(program, options) };
}

function readOverrides(program: Command, options: ReadonlyMap<OptionRow, Option>): ConfigOverride[] {
  const overrides: ConfigOverride[] = [];
  const problems: string[] = [];
  for (const [row, option] of options) {
    const given = program.getOptionValue(option.attributeName()) as string | boolean | undefined;
    if (given === undefined) continue;
    const parsed = typeof given === 'boolean' ? { ok: true as const, value: row.switchValue ?? given } : row.parse(given);
    if (parsed.ok) overrides.push({ path: row.path, value: parsed.value, origin: { kind: 'flag', name: row.flag } });
    else problems.push(`${row.flag}: ${parsed.message}`);
  }
  if (problems.length > 0) throw layerInvalid('command line', problems);
  return overrides;
}
