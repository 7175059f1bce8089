// npm run bench: runs every benchmark, prints a table and writes JSON to bench/results/.
// Figures are measurements, never assertions: no test depends on them.
// npm run bench -- --quick runs a small smoke version (< 20 s, no etcd, no systemd).
// npm run bench -- --scheduling runs the scheduling cases only; --case <text> keeps the cases whose name contains it.
// npm run bench -- --dashboard runs the dashboard case only (chromium, etcd, fleetd) and writes results/dashboard.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fact } from '@fleetd/core';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measurePlacementToActive } from './agent.bench.js';
import { measureAgentWatchWithGrowth, onPaper } from './agent-watch.bench.js';
import type { WatchScopeResult } from './agent-watch.bench.js';
import type { AgentLatency, Arrival } from './agent.bench.js';
import { LARGE_TARGET_RSS_MB, measureDaemonMemoryWithGrowth } from './daemon.bench.js';
import type { DaemonMemoryResult } from './daemon.bench.js';
import { measureColdRoundWithGrowth } from './cold.bench.js';
import type { ColdRoundResult } from './cold.bench.js';
import { measureDashboard } from './dashboard.bench.js';
import type { DashboardResult } from './dashboard.bench.js';
import { measureDevStartupWithGrowth } from './dev.bench.js';
import type { DevStartupResult } from './dev.bench.js';
import { measureEtcdWithGrowth } from './etcd.bench.js';
import { measureFleetctlWithGrowth } from './fleetctl.bench.js';
import type { FleetctlResult } from './fleetctl.bench.js';
import type { EtcdResult } from './etcd.bench.js';
import { measureExplain, measureIdle, measureWithGrowth, mixedXfleet, WARM_UP_DECISIONS } from './scheduler.bench.js';
import type { ExplainMeasurement, IdleMeasurement, SchedulingCase, SchedulingResult } from './scheduler.bench.js';

const quick = process.argv.includes('--quick');
const schedulingOnly = process.argv.includes('--scheduling');
const dashboardOnly = process.argv.includes('--dashboard');
const caseFilter = dashboardOnly ? 'dashboard' : process.argv.includes('--case') ? process.argv[process.argv.indexOf('--case') + 1] : undefined;
const wanted = (name: string): boolean => caseFilter === undefined || name.includes(caseFilter);

/** Scale of the quick smoke run: a tenth of the units and machines. */
const k = quick ? 0.1 : 1;
const n = (count: number): number => Math.round(count * k);

const pinned: SchedulingCase['xfleet'] = (i, machines) => [`MachineID=${machines[(i * 7919) % machines.length]?.id}`];
// A mix of sizes: every unit requests memory and cores. 64 GiB and 32 cores per machine hold the doubled run (20 units a machine) with room.
const requests: SchedulingCase['xfleet'] = (i) => [`Memory=${['256M', '512M', '1G'][i % 3]}`, `CPU=${['0.25', '0.5', '1'][Math.floor(i / 3) % 3]}`];
const capacity: SchedulingCase['facts'] = () => ({ cpu: fact.number(32), memory: fact.bytes(64 * 2 ** 30) });
const cases: SchedulingCase[] = [
  // Issue 21: small clusters, where the per-unit cost counts more than the per-machine one.
  { name: `${n(3_000)} units / ${n(100)} machines, fleet plugins`, plugins: 'fleet', machines: n(100), units: n(3_000), targetMs: 15, growth: true },
  {
    name: `${n(2_000)} mixed units / ${n(100)} machines, fleet plugins`,
    plugins: 'fleet',
    machines: n(100),
    units: n(2_000),
    xfleet: mixedXfleet,
    targetMs: 60,
    growth: true,
  },
  { name: `${n(10_000)} units / ${n(1_000)} machines, fleet plugins`, plugins: 'fleet', machines: n(1_000), units: n(10_000), target: 100_000, growth: true },
  { name: `${n(10_000)} units / ${n(5_000)} machines, fleet plugins`, plugins: 'fleet', machines: n(5_000), units: n(10_000), target: 5_000, growth: true },
  {
    name: `${n(2_000)} units with a Conflicts glob / ${n(1_000)} machines`,
    plugins: 'fleet',
    machines: n(1_000),
    units: n(2_000),
    xfleet: (i) => [`Conflicts=app@${i % 500}*.service`],
    target: 2_000,
    growth: true,
  },
  {
    name: `${n(10_000)} units with resource requests / ${n(1_000)} machines, fleet plugins + resources`,
    plugins: 'fleet+resources',
    machines: n(1_000),
    units: n(10_000),
    xfleet: requests,
    facts: capacity,
    target: 15_000,
    growth: true,
  },
  {
    name: `${n(10_000)} pinned (MachineID) units / ${n(15_000)} machines`,
    plugins: 'fleet',
    machines: n(15_000),
    units: n(10_000),
    xfleet: pinned,
    target: 20_000,
    growth: true,
  },
  {
    name: `20 global units / ${n(15_000)} machines (placements = unit × machine)`,
    plugins: 'fleet',
    machines: n(15_000),
    units: 20,
    xfleet: () => ['Global=true'],
    target: 20_000,
    growth: true,
  },
  ...(quick
    ? []
    : [
        { name: '10000 units / 1000 machines, least-loaded only', plugins: 'least-loaded', machines: 1_000, units: 10_000 } as const,
        {
          name: '10000 units with metadata / 1000 machines',
          plugins: 'fleet',
          machines: 1_000,
          units: 10_000,
          xfleet: (i: number) => [`MachineMetadata=zone=z${i % 3}`],
        } as const,
      ]),
];

const runs = quick ? 2 : 5;
const results: SchedulingResult[] = [];
// The quick smoke run checks the report's shape, not figures: one warm-up run per case is enough there.
const warmUpDecisions = quick ? 0 : WARM_UP_DECISIONS;
for (const testCase of cases) if (wanted(testCase.name)) results.push(await measureWithGrowth(testCase, runs, warmUpDecisions));
const cold: ColdRoundResult[] = [];
if (wanted('cold')) cold.push(await measureColdRoundWithGrowth(n(1_000), n(100), quick ? 1 : 7));
const idle: IdleMeasurement[] = [];
if (wanted('idle')) idle.push(await measureIdle(n(10_000), n(1_000), { rounds: quick ? 5 : 20, growth: true }));
// Global units are re-evaluated on every machine when anything changed: idle rounds must not do it again.
if (wanted('idle')) idle.push(await measureIdle(n(10_000), n(1_000), { rounds: quick ? 5 : 20, globals: 20 }));
const explain: ExplainMeasurement[] = [];
// Explaining looks at every machine: the doubled cases show what that costs next to the decision.
if (wanted('explain')) {
  for (const [units, machines] of [
    [10_000, 1_000],
    [20_000, 1_000],
    [10_000, 2_000],
  ] as const) {
    explain.push(await measureExplain(n(units), n(machines), quick ? 20 : 200, runs));
  }
}

const rate = (value: number): string => `${(value / 1000).toFixed(1)}k/s`;
const table = [
  ...results.map((r) => ({
    case: r.name,
    figure: `${rate(r.placementsPerSecond)} (${r.medianMs} ms)`,
    target: r.targetMs !== undefined ? `≤ ${r.targetMs} ms` : r.target === undefined ? '' : `≥ ${rate(r.target)}`,
    met: r.met ?? '',
    'units ×2': r.growth ? `×${r.growth.unitsDoubled.timeFactor} time, ${rate(r.growth.unitsDoubled.placementsPerSecond)}` : '',
    'machines ×2': r.growth ? `×${r.growth.machinesDoubled.timeFactor} time, ${rate(r.growth.machinesDoubled.placementsPerSecond)}` : '',
  })),
  ...cold.map((r) => ({
    case: r.name,
    figure: `${r.roundMs} ms (${r.minMs}–${r.maxMs} over ${r.processes} processes)`,
    target: `≤ ${r.targetMs} ms`,
    met: r.met,
    'units ×2': `×${r.growth.unitsDoubled.factor} (${r.growth.unitsDoubled.value} ms)`,
    'machines ×2': `×${r.growth.machinesDoubled.factor} (${r.growth.machinesDoubled.value} ms)`,
  })),
  ...idle.map((r) => ({
    case: r.name,
    figure: `scheduler ${r.schedulerIdleMs} ms, engine ${r.engineIdleMs} ms, ${r.registryReads} registry reads in ${r.idleRounds} rounds`,
    target: `≤ ${r.targetMs} ms, 0 reads`,
    met: r.met,
    'units ×2': r.growth ? `×${r.growth.unitsDoubled.timeFactor} (${r.growth.unitsDoubled.engineIdleMs} ms)` : '',
    'machines ×2': r.growth ? `×${r.growth.machinesDoubled.timeFactor} (${r.growth.machinesDoubled.engineIdleMs} ms)` : '',
  })),
  ...explain.map((r) => ({
    case: r.name,
    figure: `${r.explainMs} ms vs ${r.decisionMs} ms: ×${r.ratio}`,
    target: `≤ ×${r.target}`,
    met: r.met,
    'units ×2': '',
    'machines ×2': '',
  })),
  // The bench process itself, not a target: the fleetd daemon's RSS is measured below (--case memory).
  ...idle
    .filter((r) => r.globals === 0)
    .map((r) => ({
      case: `bench process: engine + memory registry holding ${r.units} units / ${r.machines} machines`,
      figure: `heap ${r.engineHeapMb} MB, RSS ${r.rssMb} MB`,
      target: '',
      met: '',
      'units ×2': '',
      'machines ×2': '',
    })),
];
console.table(table);

// Issue 21: what one agent's mirror receives per placement on another machine (--case watch); counts, no etcd.
const watch: WatchScopeResult[] = [];
if (!schedulingOnly && wanted('watch')) {
  watch.push(...(await measureAgentWatchWithGrowth(quick ? [10, 100] : [10, 100, 1_000])));
  console.table(
    watch.map((r) => ({
      case: r.name,
      'before: events (states), bytes': `${r.before.eventsPerPlacement} (${r.before.stateEventsPerPlacement}), ${r.before.bytesPerPlacement} B`,
      'after: events (states), bytes': `${r.after.eventsPerPlacement} (${r.after.stateEventsPerPlacement}), ${r.after.bytesPerPlacement} B`,
      'listed before / after': `${r.before.listedKeys} / ${r.after.listedKeys} keys`,
      target: r.target,
      met: r.met,
      'machines ×2': `×${r.growth.machinesDoubled.factor} (${r.growth.machinesDoubled.value})`,
    })),
  );
}
const watchOnPaper = watch.length === 0 ? [] : [1_000, 10_000].map((machines) => onPaper(watch[watch.length - 1]!, machines, 1));

const endToEnd: EtcdResult[] = [];
const fleetctl: FleetctlResult[] = [];
const agentLatency: AgentLatency[] = [];
const daemonMemory: DaemonMemoryResult[] = [];
const dev: DevStartupResult[] = [];
const dashboard: DashboardResult[] = [];
// Real etcd, systemd and fleetd processes; --case etcd|systemd|memory|dev picks one group.
if (!quick && !schedulingOnly) {
  if (wanted('etcd')) {
    endToEnd.push(await measureEtcdWithGrowth(10_000, 100));
    console.table(
      endToEnd.map((r) => ({
        case: r.name,
        figure: `${r.submitToPlacedMs} ms (submitting ${r.submitMs} ms), ${rate(r.placementsPerSecond)}`,
        target: `≤ ${r.targetMs} ms`,
        met: r.met,
        'units ×2': `×${r.growth.unitsDoubled.factor} (${r.growth.unitsDoubled.value} ms)`,
        'machines ×2': `×${r.growth.machinesDoubled.factor} (${r.growth.machinesDoubled.value} ms)`,
      })),
    );
  }
  // `fleetctl start` of unit files on disk (the real CLI, daemon and etcd): --case fleetctl.
  if (wanted('fleetctl')) {
    fleetctl.push(await measureFleetctlWithGrowth(10_000, 100));
    console.table(
      fleetctl.map((r) => ({
        case: r.name,
        figure: `${r.startToPlacedMs} ms (fleetctl exited after ${r.fleetctlMs} ms; CPU fleetd ${r.fleetdCpuMs} ms, etcd ${r.etcdCpuMs} ms)`,
        target: `≤ ${r.targetMs} ms`,
        met: r.met,
        'units ×2': `×${r.growth.unitsDoubled.factor} (${r.growth.unitsDoubled.value} ms)`,
        'machines ×2': `×${r.growth.machinesDoubled.factor} (${r.growth.machinesDoubled.value} ms)`,
      })),
    );
  }
  if (wanted('systemd')) {
    // One round placing all 200 and back to back are bursts: what they measure is mostly systemd's own start rate here (see the floor).
    const arrivals: [number, Arrival][] = [
      [200, { kind: 'one-round' }],
      [200, { kind: 'back-to-back' }],
      [200, { kind: 'rate', perSecond: 100 }],
      [200, { kind: 'rate', perSecond: 50 }],
      [200, { kind: 'rate', perSecond: 20 }],
      [400, { kind: 'rate', perSecond: 50 }],
    ];
    for (const [units, arrival] of arrivals) agentLatency.push(await measurePlacementToActive(units, arrival));
    console.table(
      agentLatency.map((r) => ({
        case: r.name,
        'placed/s': r.placedPerSecond,
        'p50 / p99 ms': `${r.p50Ms} / ${r.p99Ms}`,
        'systemd alone p50 / p99 ms': `${r.floorP50Ms} / ${r.floorP99Ms}`,
        target: r.targetP99OverFloorMs === undefined ? `≤ ${r.targetP50Ms} / ${r.targetP99Ms}` : `p99 ≤ systemd's + ${r.targetP99OverFloorMs}`,
        met: r.met,
        'CPU ms/unit agent, systemd': `${r.agentCpuMsPerUnit}, ${r.systemdCpuMsPerUnit}`,
      })),
    );
  }
  if (wanted('memory')) {
    daemonMemory.push(await measureDaemonMemoryWithGrowth(1_000, 10_000));
    // Issue 21: a hundred thousand units, written into etcd by fleetd's store (the API would take minutes).
    daemonMemory.push(await measureDaemonMemoryWithGrowth(5_000, 100_000, LARGE_TARGET_RSS_MB, 'store'));
    console.table(
      daemonMemory.map((r) => ({
        case: r.name,
        figure: `RSS ${r.rssMb} MB (peak ${r.peakRssMb}), heap ${r.heapUsedMb} of ${r.heapTotalMb} MB, placed in ${r.placedAfterMs} ms`,
        target: `≤ ${r.targetRssMb} MB RSS`,
        met: r.met,
        'units ×2': `×${r.growth.unitsDoubled.factor} (${r.growth.unitsDoubled.value} MB)`,
        'machines ×2': `×${r.growth.machinesDoubled.factor} (${r.growth.machinesDoubled.value} MB)`,
      })),
    );
  }
  if (wanted('dev')) {
    for (const machines of [1, 3]) dev.push(await measureDevStartupWithGrowth(machines));
    console.table(
      dev.map((r) => ({
        case: r.name,
        figure: `ready ${r.readyMs} ms, first unit ${r.firstStartMs} ms, stopped ${r.stopMs} ms`,
        target: `ready ≤ ${r.targetReadyMs} ms`,
        met: r.met,
        'machines ×2': `×${r.growth.machinesDoubled.factor} (${r.growth.machinesDoubled.value} ms)`,
      })),
    );
  }
  if (wanted('dashboard')) {
    dashboard.push(await measureDashboard(1_000, 10_000));
    const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
    console.table(
      dashboard.flatMap((r) => [
        {
          case: r.name,
          figure: `first paint ${r.firstPaintMs} ms, interactive ${r.interactiveMs} ms (rows ${r.rowsMs} ms + filter ${r.filterMs} ms); browser's first page ${r.firstLoad.firstPaintMs} / ${r.firstLoad.interactiveMs} ms`,
          target: `≤ ${r.targets.firstPaintMs} ms, ≤ ${r.targets.interactiveMs} ms`,
          met: r.met.firstPaint && r.met.interactive,
        },
        {
          case: 'dashboard assets (gzip)',
          figure: `app ${kb(r.assets.appGzipBytes)}, sign-in ${kb(r.assets.loginGzipBytes)}`,
          target: `≤ ${kb(r.targets.assetsGzipBytes)}`,
          met: r.met.assets,
        },
        {
          case: `fleetd per connected dashboard (${r.perDashboard.dashboards} feeds, ${kb(r.perDashboard.snapshotBytes)} snapshot)`,
          figure: `${r.perDashboard.memoryKb} KB heap + buffers (RSS ${r.perDashboard.rssKb} KB), ${r.perDashboard.connectCpuMs} ms CPU to connect; one change to N: ${r.fanOut.map((f) => `${f.dashboards}: ${f.medianMs} ms`).join(', ')}`,
          target: `≤ ${r.targets.memoryPerDashboardKb} KB`,
          met: r.met.memory,
        },
      ]),
    );
  }
}
const report = {
  benchmark: 'scheduling',
  quick,
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  date: new Date().toISOString(),
  results,
  cold,
  idle,
  explain,
  etcd: endToEnd,
  fleetctl,
  agent: agentLatency,
  daemon: daemonMemory,
  dev,
  dashboard,
  watch,
  watchOnPaper,
};
const file = join(dirname(fileURLToPath(import.meta.url)), 'results', quick ? 'scheduling-quick.json' : dashboardOnly ? 'dashboard.json' : 'scheduling.json');
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(`JSON: ${file}`);
