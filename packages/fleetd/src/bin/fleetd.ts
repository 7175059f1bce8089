#!/usr/bin/env node
import { main } from '../daemon/main.js';
import { devMain } from '../dev/command.js';

const argv = process.argv.slice(2);
process.exitCode = argv[0] === 'dev' ? await devMain(argv.slice(1)) : await main(argv);
// Open handles (a stuck etcd connection) must not keep a stopped daemon alive.
process.exit();
