#!/usr/bin/env node
// The fleetctl command. Its code is built into dist/ (the published package ships it; in a
// clone, npm run build makes it). This file exists before the build, so that npm links
// the command at install time, and says what to do when dist/ is not there yet.
import { existsSync } from 'node:fs';

const built = new URL('../dist/bin/fleetctl.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write('fleetctl: not built yet (no dist/bin/fleetctl.js): run npm run build in the fleetd repository\n');
  process.exit(1);
}
await import(built.href);
