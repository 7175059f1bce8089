import { assemblePlugins, createUnit, Scheduler } from '@fleetd/core';
import type { Machine, PluginEntry, Unit } from '@fleetd/core';
import { testPlugin } from '@fleetd/core/testing';
import { fleetPreset } from '@fleetd/preset-fleet';

export interface SchedulingCase {
  readonly name: string;
  readonly plugins: 'least-loaded' | 'fleet';
  readonly machines: number;
  readonly units: number;
  /** [X-Fleet] lines of unit i. */
  readonly xfleet?: (index: number, machines: readonly Machine[]) => readonly string[];
}

export interface SchedulingMeasurement {
  readonly name: string;
  readonly plugins: string;
  readonly machines: number;
  readonly units: number;
  readonly runs: number;
  /** Median time of one round that places every unit (decide + bind), in ms. */
  readonly medianMs: number;
  readonly minMs: number;
  readonly placementsPerSecond: number;
  /** Median time of the next round, with nothing left to place (revalidation only), in ms. */
  readonly idleRoundMs: number;
  /** Heap growth while holding the scheduled cluster, in MB. */
  readonly heapMb: number;
}

const leastLoaded = testPlugin('least-loaded', (hooks) => {
  hooks.score.tap('least-loaded', (_unit, machine) => -machine.load);
});

function pluginsFor(kind: SchedulingCase['plugins']): PluginEntry[] {
  return kind === 'fleet' ? fleetPreset() : [leastLoaded];
}

function machines(count: number): Machine[] {
  return Array.from({ length: count }, (_, i) => ({ id: `m${String(i).padStart(6, '0')}`, metadata: { zone: `z${i % 3}` } }));
}

function units(testCase: SchedulingCase, machineList: readonly Machine[]): Unit[] {
  return Array.from({ length: testCase.units }, (_, i) => {
    const xfleet = testCase.xfleet?.(i, machineList) ?? [];
    const contents = `[Unit]\nDescription=bench\n\n[Service]\nExecStart=/bin/sleep infinity\n${xfleet.length ? `\n[X-Fleet]\n${xfleet.join('\n')}\n` : ''}`;
    return createUnit({ name: `app@${i}.service`, contents, desiredState: 'launched' });
  });
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const round2 = (value: number): number => Math.round(value * 100) / 100;

/** Places every unit of the case on empty machines, `runs` times after one warm-up run. */
export async function measureScheduling(testCase: SchedulingCase, runs = 5): Promise<SchedulingMeasurement> {
  const host = await assemblePlugins(pluginsFor(testCase.plugins));
  const machineList = machines(testCase.machines);
  const unitList = units(testCase, machineList);
  const timings: number[] = [];
  const idle: number[] = [];
  let heapMb = 0;
  let placed = 0;
  for (let run = 0; run <= runs; run++) {
    const scheduler = new Scheduler(host);
    globalThis.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const state = scheduler.createState({ machines: machineList, units: unitList });
    const round = await scheduler.schedule(state);
    const elapsed = performance.now() - started;
    const idleStarted = performance.now();
    await scheduler.schedule(state);
    const idleElapsed = performance.now() - idleStarted;
    placed = round.placements.length;
    heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    if (run > 0) {
      timings.push(elapsed); // run 0 warms the JIT up
      idle.push(idleElapsed);
    }
  }
  const medianMs = median(timings);
  return {
    name: testCase.name,
    plugins: testCase.plugins,
    machines: testCase.machines,
    units: testCase.units,
    runs,
    medianMs: round2(medianMs),
    minMs: round2(Math.min(...timings)),
    placementsPerSecond: Math.round((placed / medianMs) * 1000),
    idleRoundMs: round2(median(idle)),
    heapMb: round2(heapMb),
  };
}
