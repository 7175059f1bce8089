import { assemblePlugins, createUnit, Scheduler } from '@fleetd/core';
import type { Machine, Unit } from '@fleetd/core';
import { testPlugin } from '@fleetd/core/testing';

export interface SchedulingCase {
  readonly name: string;
  readonly machines: number;
  readonly units: number;
}

export interface SchedulingMeasurement extends SchedulingCase {
  readonly runs: number;
  /** Median time of one round that places every unit (decide + bind), in ms. */
  readonly medianMs: number;
  readonly minMs: number;
  readonly placementsPerSecond: number;
  /** Heap growth while holding the scheduled cluster, in MB. */
  readonly heapMb: number;
}

const leastLoaded = testPlugin('least-loaded', (hooks) => {
  hooks.score.tap('least-loaded', (_unit, machine) => -machine.load);
});

const UNIT_FILE = '[Unit]\nDescription=bench\n\n[Service]\nExecStart=/bin/sleep infinity\n';

function machines(count: number): Machine[] {
  return Array.from({ length: count }, (_, i) => ({ id: `m${String(i).padStart(6, '0')}`, metadata: { zone: `z${i % 3}` } }));
}

function units(count: number): Unit[] {
  return Array.from({ length: count }, (_, i) => createUnit({ name: `app@${i}.service`, contents: UNIT_FILE, desiredState: 'launched' }));
}

/** Places `units` units on `machines` empty machines with only least-loaded scoring, `runs` times. */
export async function measureScheduling(testCase: SchedulingCase, runs = 5): Promise<SchedulingMeasurement> {
  const host = await assemblePlugins([leastLoaded]);
  const machineList = machines(testCase.machines);
  const unitList = units(testCase.units);
  const timings: number[] = [];
  let heapMb = 0;
  for (let run = 0; run <= runs; run++) {
    const scheduler = new Scheduler(host);
    globalThis.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const state = scheduler.createState({ machines: machineList, units: unitList });
    const round = await scheduler.schedule(state);
    const elapsed = performance.now() - started;
    if (round.placements.length !== testCase.units) throw new Error(`${testCase.name}: placed ${round.placements.length} of ${testCase.units}`);
    heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    if (run > 0) timings.push(elapsed); // run 0 warms the JIT up
  }
  timings.sort((a, b) => a - b);
  const medianMs = timings[Math.floor(timings.length / 2)] as number;
  return {
    ...testCase,
    runs,
    medianMs: round2(medianMs),
    minMs: round2(timings[0] as number),
    placementsPerSecond: Math.round((testCase.units / medianMs) * 1000),
    heapMb: round2(heapMb),
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
