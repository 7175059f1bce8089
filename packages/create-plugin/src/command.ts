import { relative } from 'node:path';
import { createPlugin, CreatePluginError } from './create.js';
import { ownManifest } from './versions.js';

/** Where the command writes; process.stdout and process.stderr in the bin. */
export interface CommandIO {
  readonly cwd: string;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

export const USAGE = `Usage: npm init @fleetd/plugin <name>
       npx @fleetd/create-plugin <name>

Writes a fleetd plugin package named <name> (an npm name; a scoped name @scope/x is
written to the folder x) into a new folder: package.json, src/index.ts (the plugin) and
src/index.test.ts (vitest tests on @fleetd/core/testing), test-d/ (tsd type tests),
tsconfig.json and tsconfig.build.json, README.md, .gitignore and .changeset/ with a first
changeset. The folder must not exist yet or be empty.

Options:
  -h, --help     show this help
  -v, --version  show the starter's version (the @fleetd/core version it writes)
`;

/** Runs the command line `args` (without node and the script); returns the exit code. */
export function main(args: readonly string[], io: CommandIO): number {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (args.includes('--version') || args.includes('-v')) {
    io.stdout.write(`${ownManifest().version}\n`);
    return 0;
  }
  const problem = argumentsProblem(args);
  if (problem !== undefined) return fail(io, `${problem} (usage: npm init @fleetd/plugin <name>, or --help)`);
  try {
    const created = createPlugin({ name: args[0] as string, cwd: io.cwd });
    const folder = relative(io.cwd, created.directory) || '.';
    io.stdout.write(
      `Wrote ${args[0] as string} in ${folder}/ (a fleetd plugin for @fleetd/core ${created.coreRange}), ${created.files.length} files. Next:\n\n` +
        `  cd ${folder}\n  npm install\n  npm test\n`,
    );
    return 0;
  } catch (error) {
    // Expected refusals and file system errors alike: one line, never a stack.
    return fail(io, error instanceof CreatePluginError ? error.message : `cannot write the package: ${(error as Error).message}`);
  }
}

function argumentsProblem(args: readonly string[]): string | undefined {
  const option = args.find((arg) => arg.startsWith('-'));
  if (option !== undefined) return `unknown option ${option}`;
  if (args.length === 0) return 'name the package to create';
  if (args.length > 1) return `one name only, got ${args.length}: ${args.join(' ')}`;
  return undefined;
}

function fail(io: CommandIO, message: string): number {
  io.stderr.write(`create-plugin: ${message}\n`);
  return 1;
}
