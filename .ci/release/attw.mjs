#!/usr/bin/env node
// @arethetypeswrong's check of every tarball named on the command line, in one process
// (the CLI loads TypeScript anew for each tarball: ~8 s each, ~1 s here), with the CLI's
// esm-only profile: problems of the node10 and node16-from-CJS resolutions are ignored,
// as `attw --profile esm-only` does. Prints one line per problem, `tarball: entry point
// (resolution): kind`, and exits 1 when there is any.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';

const IGNORED_RESOLUTIONS = new Set(['node10', 'node16-cjs']);

let problems = 0;
for (const tarball of process.argv.slice(2)) {
  const analysis = await checkPackage(createPackageFromTarballData(new Uint8Array(await readFile(tarball))));
  if (!analysis.types) continue;
  for (const problem of analysis.problems) {
    if ('resolutionKind' in problem && IGNORED_RESOLUTIONS.has(problem.resolutionKind)) continue;
    problems++;
    process.stdout.write(`${basename(tarball)}: ${problem.kind} ${JSON.stringify(problem)}\n`);
  }
}
process.exitCode = problems > 0 ? 1 : 0;
