import { ErrorCodes, FleetError } from '@fleetd/core';

/**
 * Parses a `--fields` list (`unit,machine`) against the fields a command
 * knows, with fleet's rules: empty is refused, every key must be known,
 * order and repeats are kept as given.
 */
export function selectFields<Field extends string>(flag: string, known: readonly Field[]): Field[] {
  if (flag.trim() === '') throw usage('--fields: must define output format (e.g. --fields=' + known.join(',') + ')');
  const fields = flag.split(',').map((field) => field.trim());
  for (const field of fields) {
    if (!(known as readonly string[]).includes(field)) {
      throw usage(`--fields: invalid key in output format: ${JSON.stringify(field)} (valid: ${[...known].sort().join(',')})`);
    }
  }
  return fields as Field[];
}

function usage(message: string): FleetError {
  return new FleetError(ErrorCodes.CLI_USAGE, message);
}
