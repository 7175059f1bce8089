import { InvalidArgumentError, Option } from '@commander-js/extra-typings';
import type { Command, OptionValues } from '@commander-js/extra-typings';

/**
 * Option groups several commands share. Each helper takes a command and
 * returns it with the group added, so the option types flow into the
 * command's action like options added in place.
 */

/** fleet's `--block-attempts` took a count; a negative one would read as `--no-block`, so only whole numbers pass. */
export function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number (0 = no limit)');
  return Number(value);
}

/** `--block-attempts <n>`, described by the caller: restart polls per step, the others per command. */
export function blockAttemptsOption(description: string) {
  return new Option('--block-attempts <n>', description).argParser(wholeNumber);
}

/** `--block-attempts` and `--no-block` of the commands that wait until units are `what`. */
export function withBlockOptions<Args extends unknown[], Opts extends OptionValues, Globals extends OptionValues>(
  command: Command<Args, Opts, Globals>,
  what: string,
) {
  return command
    .addOption(blockAttemptsOption(`wait until the units are ${what}, polling at most N times (0 = no limit)`))
    .option('--no-block', `do not wait until the units are ${what}`);
}

/** `--replace` of the commands that create units. */
export function withReplaceOption<Args extends unknown[], Opts extends OptionValues, Globals extends OptionValues>(command: Command<Args, Opts, Globals>) {
  return command.option('--replace', 'replace units whose local file changed');
}

/** The columns, legend and ID width of the list-* commands; `fields` lists the valid columns for the help. */
export function withListOptions<Args extends unknown[], Opts extends OptionValues, Globals extends OptionValues>(
  command: Command<Args, Opts, Globals>,
  defaultFields: string,
  fields: readonly string[],
) {
  return command
    .option('-l, --full', 'do not shorten machine IDs and hashes')
    .option('--no-legend', 'do not print the column headers')
    .option('--fields <fields>', `columns to print (valid: ${[...fields].sort().join(',')})`, defaultFields);
}

/** `-l, --full` of the commands that print machine IDs but no hashes. */
export function withFullIdsOption<Args extends unknown[], Opts extends OptionValues, Globals extends OptionValues>(command: Command<Args, Opts, Globals>) {
  return command.option('-l, --full', 'do not shorten machine IDs');
}
