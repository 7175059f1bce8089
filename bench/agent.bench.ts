// Placement → systemd active, as deployed: a real etcd, one real systemd user
// instance, and on it a real `fleetd` process running only its agent (the
// machine); the engine (another machine's fleetd) and the submitter run here.
// Latency is per unit, from its placement's watch event to the watch event of
// its first "active" state, both seen by this process.
import { readFileSync } from 'node:fs';
import { assemblePlugins, createUnit, Engine, FleetStore } from '@fleetd/core';
import type { WatchEvent } from '@fleetd/core';
import { testPlugin } from '@fleetd/core/testing';
import { startSystemdInstance } from '@fleetd/plugin-systemd/testing';
import { createEtcdRegistry } from '@fleetd/registry-etcd';
import { startEtcd } from '@fleetd/registry-etcd/testing';
import { startFleetd } from 'fleetd/testing';

export interface AgentLatency {
  readonly name: string;
  readonly units: number;
  /** Submissions per second, or undefined: one after the other, as fast as etcd takes them. */
  readonly submittedPerSecond: number | undefined;
  /** Placements per second the agent was actually given (first to last placement). */
  readonly placedPerSecond: number;
  /** From the placement's write in etcd to the agent's "active" state in etcd, in ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** CPU time per unit of the agent's fleetd process and of systemd, from first submission to last active, in ms. */
  readonly agentCpuMsPerUnit: number;
  readonly systemdCpuMsPerUnit: number;
  readonly targetP50Ms: number;
  readonly targetP99Ms: number;
  readonly met: boolean;
}

const TARGET_P50_MS = 50;
const TARGET_P99_MS = 250;

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** FLEETD_BENCH_TRACE: `<ms> placed|active <unit>` lines, to line up with the agent's log. */
const trace = (at: number, what: string, unit: string): void => {
  if (process.env['FLEETD_BENCH_TRACE']) console.error(Math.round(at), what, unit);
};

/** User + system CPU time of a process so far, in ms (from /proc; clock ticks are 100 Hz on Linux). */
function cpuMsOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Watches placements and states of every unit, recording when each was first placed and first active. */
function recordTimes(placedAt: Map<string, number>, activeAt: Map<string, number>): (events: readonly WatchEvent[]) => void {
  return (events) => {
    const now = performance.now();
    for (const event of events) {
      if (event.type !== 'put') continue;
      const [, , kind, ...rest] = event.kv.key.split('/');
      const unit = rest.at(-1) ?? '';
      if (kind === 'placements' && !placedAt.has(unit)) {
        placedAt.set(unit, now);
        trace(now, 'placed', unit);
      }
      if (kind === 'states' && !activeAt.has(unit) && (JSON.parse(event.kv.value) as { activeState: string }).activeState === 'active') {
        activeAt.set(unit, now);
        trace(now, 'active', unit);
      }
    }
  };
}

/**
 * `units` units submitted one by one, either as fast as etcd takes them or at
 * `perSecond`; each is placed on the one agent machine and started there.
 */
export async function measurePlacementToActive(units: number, perSecond?: number): Promise<AgentLatency> {
  const etcd = await startEtcd();
  const instance = await startSystemdInstance();
  const registry = createEtcdRegistry({ ...etcd.clientOptions, requestTimeoutMs: 10_000 });
  const placedAt = new Map<string, number>();
  const activeAt = new Map<string, number>();
  try {
    const store = new FleetStore(registry);
    await store.ensureSchema();
    const watcher = await registry.watch('/fleetd/', {
      fromRevision: (await registry.list('/fleetd/schema')).revision + 1,
      onEvents: recordTimes(placedAt, activeAt),
      onError: () => {},
    });
    const agent = await startFleetd({
      name: 'bench-agent',
      config: {
        etcd: { endpoints: [...etcd.endpoints], requestTimeoutMs: 10_000 },
        machine: { id: 'm1' },
        agent: { busAddress: instance.busAddress, unitsDirectory: instance.unitsDirectory },
        engine: { enabled: false },
        log: { level: 'warn' },
      },
      ...(process.env['FLEETD_BENCH_NODE_OPTIONS'] ? { env: { NODE_OPTIONS: process.env['FLEETD_BENCH_NODE_OPTIONS'] } } : {}),
    });
    const leastLoaded = testPlugin('least-loaded', (hooks) => hooks.score.tap('least-loaded', (_unit, machine) => -machine.load));
    const engine = new Engine({ registry, host: await assemblePlugins([leastLoaded]), id: 'bench', leaseTtlSeconds: 10 });
    let cpuMs = { agent: 0, systemd: 0 };
    try {
      await engine.start();
      const cpuBefore = { agent: cpuMsOf(agent.pid), systemd: cpuMsOf(instance.pid) };
      const begun = performance.now();
      for (let i = 0; i < units; i++) {
        if (perSecond !== undefined) await sleep(begun + (i * 1000) / perSecond - performance.now());
        await store.submitUnit(createUnit({ name: `lat@${i}.service`, contents: '[Service]\nExecStart=/bin/sleep infinity\n', desiredState: 'launched' }));
      }
      const deadline = Date.now() + 120_000;
      while (activeAt.size < units && Date.now() < deadline) await sleep(10);
      cpuMs = { agent: cpuMsOf(agent.pid) - cpuBefore.agent, systemd: cpuMsOf(instance.pid) - cpuBefore.systemd };
    } finally {
      await watcher.close();
      await engine.stop();
      await agent.remove();
    }
    const latencies = [...activeAt].map(([unit, at]) => at - (placedAt.get(unit) ?? at)).sort((a, b) => a - b);
    if (latencies.length < units) throw new Error(`only ${latencies.length} of ${units} units became active`);
    const placements = [...placedAt.values()].sort((a, b) => a - b);
    const placedSpanMs = (placements.at(-1) ?? 0) - (placements[0] ?? 0);
    const [p50Ms, p99Ms] = [Math.round(percentile(latencies, 50)), Math.round(percentile(latencies, 99))];
    return {
      name: `placement → systemd active, ${units} units submitted ${perSecond === undefined ? 'back to back' : `at ${perSecond}/s`}, fleetd agent process`,
      units,
      submittedPerSecond: perSecond,
      placedPerSecond: Math.round(placedSpanMs > 0 ? ((units - 1) * 1000) / placedSpanMs : units),
      p50Ms,
      p99Ms,
      maxMs: Math.round(latencies.at(-1) ?? 0),
      agentCpuMsPerUnit: Math.round((cpuMs.agent / units) * 10) / 10,
      systemdCpuMsPerUnit: Math.round((cpuMs.systemd / units) * 10) / 10,
      targetP50Ms: TARGET_P50_MS,
      targetP99Ms: TARGET_P99_MS,
      met: p50Ms <= TARGET_P50_MS && p99Ms <= TARGET_P99_MS,
    };
  } finally {
    await registry.close();
    await instance.stop();
    await etcd.stop();
  }
}
