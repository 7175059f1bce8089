#!/usr/bin/env node
import { main } from '../cli/main.js';

// exitCode rather than exit(): stdout is flushed before the process ends, even into a pipe.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`fleetctl: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
