#!/usr/bin/env node
// The bin npm runs for `npm init @fleetd/plugin <name>` (npm exec @fleetd/create-plugin).
import { main } from './command.js';

process.exitCode = main(process.argv.slice(2), { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr });
