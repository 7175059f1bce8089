// One scheduling round in a process that has run none before: what an engine's first round
// costs right after fleetd starts, before the JIT has seen the code. Run by cold.bench.ts:
//   node --import tsx bench/cold-round.ts <units> <machines>
// prints {"roundMs": ..., "placements": ...}.
import { assemblePlugins } from '@fleetd/core';
import { Scheduler } from '@fleetd/core/unstable';
import { fleetPreset } from '@fleetd/preset-fleet';
import { benchMachines, benchUnits } from './scheduler.bench.js';

const units = Number(process.argv[2] ?? 1000);
const machines = Number(process.argv[3] ?? 100);
const host = await assemblePlugins(fleetPreset());
const machineList = benchMachines(machines);
const unitList = benchUnits(units, machineList);
const scheduler = new Scheduler(host);
const started = performance.now();
const round = await scheduler.schedule(scheduler.createState({ machines: machineList, units: unitList }));
const roundMs = performance.now() - started;
console.log(JSON.stringify({ roundMs, placements: round.placements.length }));
