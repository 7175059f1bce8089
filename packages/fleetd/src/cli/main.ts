import { CommanderError } from '@commander-js/extra-typings';
import { describeThrown, ErrorCodes, isFleetError } from '@fleetd/core';
import { buildProgram } from './program.js';
import type { CliIO } from './session.js';

export type { CliIO } from './session.js';

/** fleet's exit codes: 0 done, 1 failed, 2 the command line itself was wrong. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * Runs fleetctl with `argv` (without `node` and the script) and resolves with
 * the exit code. Never throws and never prints a stack trace: every failure
 * is one `fleetctl: <message>` line on stderr.
 */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  let exitCode: number | undefined;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    return fail(io, error);
  }
  if (exitCode === undefined) {
    // No command given: fleet printed its usage and failed.
    program.outputHelp({ error: true });
    return EXIT_USAGE;
  }
  return exitCode;
}

function fail(io: CliIO, error: unknown): number {
  // Our own errors are written for people; anything else is a bug, still shown as one line.
  const message = isFleetError(error) ? error.message : `unexpected error: ${describeThrown(error)}`;
  io.stderr.write(`fleetctl: ${message}\n`);
  // A bad option value is a usage error, as fleet's exit code 2 says.
  return isFleetError(error, ErrorCodes.CLI_USAGE) ? EXIT_USAGE : EXIT_FAILURE;
}

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
