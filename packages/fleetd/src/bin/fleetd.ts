#!/usr/bin/env node
import { main } from '../daemon/main.js';

process.exitCode = await main(process.argv.slice(2));
// Open handles (a stuck etcd connection) must not keep a stopped daemon alive.
process.exit();
