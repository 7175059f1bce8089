import { assemblePlugins, createMemoryRegistry, createUnit } from '@fleetd/core';
import type { Machine, MachineFacts, PluginEntry, PluginHost, Registry, Unit } from '@fleetd/core';
import { Engine, FleetStore, MachinePresence, Scheduler } from '@fleetd/core/unstable';
import type { ClusterState } from '@fleetd/core/unstable';
import { testPlugin } from '@fleetd/core/testing';
import resources from '@fleetd/plugin-resources';
import { fleetPreset } from '@fleetd/preset-fleet';

// Scheduling benchmarks (issue 8): throughput, idle rounds, explain, memory.
// Every case states its target and whether it was met; figures are medians.

export interface SchedulingCase {
  readonly name: string;
  /** `fleet+resources`: fleet's plugins plus @fleetd/plugin-resources (as `extraPlugins` adds it). */
  readonly plugins: 'least-loaded' | 'fleet' | 'fleet+resources';
  readonly machines: number;
  readonly units: number;
  /** [X-Fleet] lines of unit i. */
  readonly xfleet?: (index: number, machines: readonly Machine[]) => readonly string[];
  /** Facts of machine i (its capacity, for the resources plugin). */
  readonly facts?: (index: number) => MachineFacts;
  /** Minimum placements per second (a global unit counts one placement per machine it runs on). */
  readonly target?: number;
  /** Most milliseconds the round may take (the median), for cases whose target is a time. */
  readonly targetMs?: number;
  /** Also run with units doubled and with machines doubled, and report the factors. */
  readonly growth?: boolean;
}

export interface SchedulingMeasurement {
  readonly name: string;
  readonly plugins: string;
  readonly machines: number;
  readonly units: number;
  readonly runs: number;
  /** Placements of the round (placed units + Σ machines each global unit runs on). */
  readonly placements: number;
  /** Median time from a snapshot to a bound round: createState, resolve, decide (every cycle), bind. In ms. */
  readonly medianMs: number;
  readonly minMs: number;
  readonly placementsPerSecond: number;
  /** Median time of the following rounds, with nothing left to place, in ms. */
  readonly idleRoundMs: number;
  /** Heap growth while holding the scheduled cluster (after gc), in MB. */
  readonly heapMb: number;
  readonly target: number | undefined;
  readonly targetMs: number | undefined;
  readonly met: boolean | undefined;
}

export interface GrowthFactor {
  /** Figure of the doubled run / figure of the base run (time, or throughput). */
  readonly units: number;
  readonly machines: number;
  readonly timeFactor: number;
  readonly placementsPerSecond: number;
}

export interface SchedulingResult extends SchedulingMeasurement {
  readonly growth?: { readonly unitsDoubled: GrowthFactor; readonly machinesDoubled: GrowthFactor };
}

const leastLoaded = testPlugin('least-loaded', (hooks) => {
  hooks.score.tap((_unit, machine) => -machine.load);
});

function pluginsFor(kind: SchedulingCase['plugins']): PluginEntry[] {
  if (kind === 'fleet+resources') return fleetPreset({ add: [resources] });
  return kind === 'fleet' ? fleetPreset() : [leastLoaded];
}

export function benchMachines(count: number, facts?: SchedulingCase['facts']): Machine[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `m${String(i).padStart(6, '0')}`,
    metadata: { zone: `z${i % 3}` },
    ...(facts === undefined ? {} : { facts: facts(i) }),
  }));
}

export function benchUnits(count: number, machineList: readonly Machine[], xfleet?: SchedulingCase['xfleet']): Unit[] {
  return Array.from({ length: count }, (_, i) => {
    const lines = xfleet?.(i, machineList) ?? [];
    const contents = `[Unit]\nDescription=bench\n\n[Service]\nExecStart=/bin/sleep infinity\n${lines.length ? `\n[X-Fleet]\n${lines.join('\n')}\n` : ''}`;
    return createUnit({ name: `app@${i}.service`, contents, desiredState: 'launched' });
  });
}

/**
 * Issue 21's mix, by unit index: a third with metadata, a tenth in Conflicts groups of
 * ten, a tenth following another unit (MachineOf), one in a hundred global; the rest plain.
 */
export const mixedXfleet: NonNullable<SchedulingCase['xfleet']> = (i) => {
  if (i % 100 === 99) return ['Global=true'];
  const kind = i % 10;
  if (kind < 3) return [`MachineMetadata=zone=z${i % 3}`];
  if (kind === 6) return [`Conflicts=app@${Math.floor(i / 100) || ''}?6.service`];
  if (kind === 7) return [`MachineOf=app@${i - 7}.service`];
  return [];
};

/** `count` global units (`Global=true`), named apart from benchUnits' units. */
export function benchGlobalUnits(count: number): Unit[] {
  return Array.from({ length: count }, (_, i) =>
    createUnit({ name: `global@${i}.service`, contents: '[Service]\nExecStart=/bin/sleep infinity\n\n[X-Fleet]\nGlobal=true\n', desiredState: 'launched' }),
  );
}

/** Decisions made before a case is timed. */
export const WARM_UP_DECISIONS = 20_000;

export const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const round2 = (value: number): number => Math.round(value * 100) / 100;
const mb = (bytes: number): number => round2(bytes / 1024 / 1024);

/** Places every unit of the case on empty machines, `runs` times after one warm-up run. */
/** `warmUpDecisions`: decisions the JIT sees before the clock runs (at least one whole run). */
export async function measureScheduling(testCase: SchedulingCase, runs = 5, warmUpDecisions = WARM_UP_DECISIONS): Promise<SchedulingMeasurement> {
  const host = await assemblePlugins(pluginsFor(testCase.plugins));
  const machineList = benchMachines(testCase.machines, testCase.facts);
  const unitList = benchUnits(testCase.units, machineList, testCase.xfleet);
  const timings: number[] = [];
  const idle: number[] = [];
  let heapMb = 0;
  let placed = 0;
  let holding: ClusterState | undefined;
  // Warm: the JIT has seen some 20,000 decisions before the clock runs (one run of a small case is not enough).
  const warmUps = Math.max(1, Math.ceil(warmUpDecisions / Math.max(1, testCase.units)));
  for (let run = 1 - warmUps; run <= runs; run++) {
    holding = undefined;
    const scheduler = new Scheduler(host);
    globalThis.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const state = scheduler.createState({ machines: machineList, units: unitList });
    const round = await scheduler.schedule(state);
    const elapsed = performance.now() - started;
    for (let i = 0; i < 3; i++) {
      const idleStarted = performance.now();
      await scheduler.schedule(state);
      if (run > 0) idle.push(performance.now() - idleStarted);
    }
    placed = round.placements.length + round.globals.reduce((sum, global) => sum + global.machines.length, 0);
    holding = state;
    globalThis.gc?.();
    heapMb = mb(process.memoryUsage().heapUsed - heapBefore);
    if (run > 0) timings.push(elapsed); // runs up to 0 warm the JIT up
  }
  if (holding === undefined) throw new Error('no state held');
  const medianMs = median(timings);
  const placementsPerSecond = Math.round((placed / medianMs) * 1000);
  return {
    name: testCase.name,
    plugins: testCase.plugins,
    machines: testCase.machines,
    units: testCase.units,
    runs,
    placements: placed,
    medianMs: round2(medianMs),
    minMs: round2(Math.min(...timings)),
    placementsPerSecond,
    idleRoundMs: round2(median(idle)),
    heapMb,
    target: testCase.target,
    targetMs: testCase.targetMs,
    met: metTargets(testCase, placementsPerSecond, medianMs),
  };
}

/** Whether the figures meet every target the case sets; undefined when it sets none. */
function metTargets(testCase: SchedulingCase, placementsPerSecond: number, medianMs: number): boolean | undefined {
  if (testCase.target === undefined && testCase.targetMs === undefined) return undefined;
  return (testCase.target === undefined || placementsPerSecond >= testCase.target) && (testCase.targetMs === undefined || medianMs <= testCase.targetMs);
}

/** The case, then (when it asks for growth) the case with units doubled and with machines doubled. */
export async function measureWithGrowth(testCase: SchedulingCase, runs = 5, warmUpDecisions = WARM_UP_DECISIONS): Promise<SchedulingResult> {
  const base = await measureScheduling(testCase, runs, warmUpDecisions);
  if (!testCase.growth) return base;
  const factor = async (units: number, machines: number): Promise<GrowthFactor> => {
    const doubled = await measureScheduling({ ...testCase, units, machines }, Math.max(2, Math.ceil(runs / 2)), warmUpDecisions);
    return {
      units,
      machines,
      timeFactor: round2(doubled.medianMs / base.medianMs),
      placementsPerSecond: doubled.placementsPerSecond,
    };
  };
  return {
    ...base,
    growth: {
      unitsDoubled: await factor(testCase.units * 2, testCase.machines),
      machinesDoubled: await factor(testCase.units, testCase.machines * 2),
    },
  };
}

export interface IdleMeasurement {
  readonly name: string;
  readonly units: number;
  /** Global units besides `units`: each runs on every machine. */
  readonly globals: number;
  readonly machines: number;
  /** Scheduler alone: median of idle rounds on a state where everything is placed, in ms. */
  readonly schedulerIdleMs: number;
  /** A real Engine on the memory registry: median wall time of `runRound()` with nothing to do, in ms. */
  readonly engineIdleMs: number;
  readonly idleRounds: number;
  /** Registry calls the engine made during those idle rounds, by method (keepAlive is the leadership lease, not a read). */
  readonly registryCalls: Readonly<Record<string, number>>;
  /** get + list + txn + watch calls during the idle rounds. */
  readonly registryReads: number;
  /** Heap used (after gc) by the process holding the engine, its mirror and the memory registry, in MB. */
  readonly engineHeapMb: number;
  readonly rssMb: number;
  readonly targetMs: number;
  readonly met: boolean;
  readonly growth?: { readonly unitsDoubled: IdleGrowth; readonly machinesDoubled: IdleGrowth };
}

export interface IdleGrowth {
  readonly units: number;
  readonly machines: number;
  readonly schedulerIdleMs: number;
  readonly engineIdleMs: number;
  readonly timeFactor: number;
}

/** A registry that counts the calls made through it, by method. */
function countingRegistry(inner: Registry, counts: Map<string, number>): Registry {
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        counts.set(property, (counts.get(property) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

async function schedulerIdle(host: PluginHost, units: number, machines: number, rounds: number, globals = 0): Promise<number> {
  const machineList = benchMachines(machines);
  const scheduler = new Scheduler(host);
  const state: ClusterState = scheduler.createState({ machines: machineList, units: [...benchUnits(units, machineList), ...benchGlobalUnits(globals)] });
  await scheduler.schedule(state);
  const timings: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await scheduler.schedule(state);
    timings.push(performance.now() - started);
  }
  return median(timings);
}

async function engineIdle(
  host: PluginHost,
  units: number,
  machines: number,
  rounds: number,
  globals = 0,
): Promise<{ idleMs: number; calls: Map<string, number>; heapMb: number; rssMb: number }> {
  const inner = createMemoryRegistry();
  const calls = new Map<string, number>();
  const presences = await Promise.all(benchMachines(machines).map((machine) => MachinePresence.announce({ registry: inner, machine, ttlSeconds: 3600 })));
  const store = new FleetStore(inner);
  await store.ensureSchema();
  for (const unit of [...benchUnits(units, []), ...benchGlobalUnits(globals)]) await store.submitUnit(unit);
  const engine = new Engine({ registry: countingRegistry(inner, calls), host, id: 'bench', leaseTtlSeconds: 600, reconcileIntervalMs: 3_600_000 });
  try {
    await engine.start();
    const deadline = Date.now() + 60_000;
    while ((!engine.isLeader || engine.state.placementCount < units) && Date.now() < deadline) {
      await engine.runRound();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (engine.state.placementCount < units) throw new Error(`engine placed ${engine.state.placementCount} of ${units} units`);
    // Let the watch deliver the placements the engine wrote, then one round to settle.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await engine.runRound();
    calls.clear();
    const timings: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const started = performance.now();
      await engine.runRound();
      timings.push(performance.now() - started);
    }
    globalThis.gc?.();
    const memory = process.memoryUsage();
    return { idleMs: median(timings), calls: new Map(calls), heapMb: mb(memory.heapUsed), rssMb: mb(memory.rss) };
  } finally {
    await engine.stop();
    await Promise.all(presences.map((presence) => presence.withdraw()));
    await inner.close();
  }
}

/**
 * Idle rounds at `units`/`machines` (plus `globals` global units, which run
 * on every machine): the scheduler alone, and a real Engine whose registry
 * calls are counted.
 */
export async function measureIdle(
  units: number,
  machines: number,
  options: { rounds?: number; growth?: boolean; targetMs?: number; globals?: number } = {},
): Promise<IdleMeasurement> {
  const rounds = options.rounds ?? 20;
  const targetMs = options.targetMs ?? 10;
  const globals = options.globals ?? 0;
  const host = await assemblePlugins(fleetPreset());
  const schedulerIdleMs = await schedulerIdle(host, units, machines, rounds, globals);
  const engine = await engineIdle(host, units, machines, rounds, globals);
  const readMethods = ['get', 'list', 'txn', 'watch'];
  const registryReads = readMethods.reduce((sum, method) => sum + (engine.calls.get(method) ?? 0), 0);
  const grow = async (u: number, m: number): Promise<IdleGrowth> => {
    const s = await schedulerIdle(host, u, m, rounds, globals);
    const e = await engineIdle(host, u, m, rounds, globals);
    return { units: u, machines: m, schedulerIdleMs: round2(s), engineIdleMs: round2(e.idleMs), timeFactor: round2(e.idleMs / engine.idleMs) };
  };
  return {
    name: `idle round, ${units.toLocaleString('en')} units${globals > 0 ? ` + ${globals} global units` : ''} / ${machines.toLocaleString('en')} machines, fleet plugins`,
    units,
    globals,
    machines,
    schedulerIdleMs: round2(schedulerIdleMs),
    engineIdleMs: round2(engine.idleMs),
    idleRounds: rounds,
    registryCalls: Object.fromEntries(engine.calls),
    registryReads,
    engineHeapMb: engine.heapMb,
    rssMb: engine.rssMb,
    targetMs,
    met: Math.max(schedulerIdleMs, engine.idleMs) <= targetMs && registryReads === 0,
    ...(options.growth ? { growth: { unitsDoubled: await grow(units * 2, machines), machinesDoubled: await grow(units, machines * 2) } } : {}),
  };
}

export interface ExplainMeasurement {
  readonly name: string;
  readonly units: number;
  readonly machines: number;
  readonly explained: number;
  /** Median time of `Scheduler.explain` for one unit of the placed cluster, in ms. */
  readonly explainMs: number;
  /** The plain decision of one unit: the 10k-unit round's median time divided by the units it placed, in ms. */
  readonly decisionMs: number;
  readonly ratio: number;
  readonly target: number;
  readonly met: boolean;
}

/**
 * Explain mode vs. the plain decision. The decision's cost per unit is the
 * median round time of placing every unit (createState, resolve, decide with
 * all its cycles, bind) divided by the units placed: what the scheduler spends
 * per decided unit. Explain's cost is the median of `Scheduler.explain(state,
 * unit)` over `sample` units of the same placed cluster (every plugin's verdict
 * on every machine, no bail, scores of the feasible ones, the result sorted).
 */
export async function measureExplain(units: number, machines: number, sample = 200, runs = 5): Promise<ExplainMeasurement> {
  const host = await assemblePlugins(fleetPreset());
  const machineList = benchMachines(machines);
  const unitList = benchUnits(units, machineList);
  const decide: number[] = [];
  const explain: number[] = [];
  let placed = 0;
  for (let run = 0; run <= runs; run++) {
    const scheduler = new Scheduler(host);
    const started = performance.now();
    const state = scheduler.createState({ machines: machineList, units: unitList });
    const round = await scheduler.schedule(state);
    const elapsed = performance.now() - started;
    placed = round.placements.length;
    const step = Math.max(1, Math.floor(units / sample));
    for (let i = 0; i < units; i += step) {
      const explainStarted = performance.now();
      scheduler.explain(state, unitList[i]!.name);
      if (run > 0) explain.push(performance.now() - explainStarted);
    }
    if (run > 0) decide.push(elapsed);
  }
  const decisionMs = median(decide) / placed;
  const explainMs = median(explain);
  const ratio = round2(explainMs / decisionMs);
  return {
    name: `explain one unit vs. deciding one, ${units.toLocaleString('en')} units / ${machines.toLocaleString('en')} machines`,
    units,
    machines,
    explained: explain.length,
    explainMs: Math.round(explainMs * 1000) / 1000,
    decisionMs: Math.round(decisionMs * 1000) / 1000,
    ratio,
    target: 2,
    met: ratio <= 2,
  };
}
