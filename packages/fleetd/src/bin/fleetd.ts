#!/usr/bin/env node
import { main } from '../daemon/main.js';

const argv = process.argv.slice(2);
// Loaded only for `fleetd dev`: its harness modules (etcd and systemd launchers) would slow every daemon's start.
const run = argv[0] === 'dev' ? (await import('../dev/command.js')).devMain(argv.slice(1)) : main(argv);
process.exitCode = await run;
// Open handles (a stuck etcd connection) must not keep a stopped daemon alive.
process.exit();
