import { Agent, assemblePlugins, createUnit, Engine, FleetStore } from '@fleetd/core';
import type { AgentEvent, WatchEvent } from '@fleetd/core';
import { testPlugin } from '@fleetd/core/testing';
import systemd from '@fleetd/plugin-systemd';
import { startSystemdInstance } from '@fleetd/plugin-systemd/testing';
import { createEtcdRegistry } from '@fleetd/registry-etcd';
import { startEtcd } from '@fleetd/registry-etcd/testing';

export interface AgentLatency {
  readonly name: string;
  readonly units: number;
  /** From the placement's write in etcd to the agent's "active" state in etcd, in ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** FLEETD_BENCH_TRACE: `<ms> task <type> <unit> [error]` per agent task, to line up with `placed` and `active`. */
function traceAgentEvent(event: AgentEvent): void {
  const at = Math.round(performance.now());
  if (event.type !== 'task') return console.error(at, event.type, event.type === 'vetoed' ? event.unit : event.error.message);
  const unit = event.task.type === 'reload' ? '' : typeof event.task.unit === 'string' ? event.task.unit : event.task.unit.name;
  console.error(at, 'task', event.task.type, unit, event.error?.message ?? '');
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;

/** Real etcd, one real systemd user instance, one engine and one agent: placement → systemd active, per unit. */
export async function measurePlacementToActive(units: number, settleMs = 100): Promise<AgentLatency> {
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
      onEvents: (events: readonly WatchEvent[]) => {
        const now = performance.now();
        for (const event of events) {
          if (event.type !== 'put') continue;
          const [, , kind, ...rest] = event.kv.key.split('/');
          const unit = rest.at(-1) ?? '';
          if (kind === 'placements' && !placedAt.has(unit)) placedAt.set(unit, now);
          if (process.env['FLEETD_BENCH_TRACE'] && kind === 'placements') console.error(Math.round(now), 'placed', unit);
          if (kind === 'states' && !activeAt.has(unit) && (JSON.parse(event.kv.value) as { activeState: string }).activeState === 'active') {
            activeAt.set(unit, now);
            if (process.env['FLEETD_BENCH_TRACE']) console.error(Math.round(now), 'active', unit);
          }
        }
      },
      onError: () => {},
    });
    const agentHost = await assemblePlugins([[systemd, { busAddress: instance.busAddress, unitsDirectory: instance.unitsDirectory, startSettleMs: settleMs }]]);
    const agent = new Agent({ registry, host: agentHost, machine: { id: 'm1', metadata: {} }, ttlSeconds: 30, ...(process.env['FLEETD_BENCH_TRACE'] ? { onEvent: traceAgentEvent } : {}) });
    await agent.start();
    const leastLoaded = testPlugin('least-loaded', (hooks) => hooks.score.tap('least-loaded', (_unit, machine) => -machine.load));
    const engine = new Engine({ registry, host: await assemblePlugins([leastLoaded]), id: 'bench', leaseTtlSeconds: 10 });
    await engine.start();
    for (let i = 0; i < units; i++) {
      await store.submitUnit(createUnit({ name: `lat@${i}.service`, contents: '[Service]\nExecStart=/bin/sleep infinity\n', desiredState: 'launched' }));
    }
    const deadline = Date.now() + 120_000;
    while (activeAt.size < units && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await watcher.close();
    await engine.stop();
    await agent.stop();
    const latencies = [...activeAt].map(([unit, at]) => at - (placedAt.get(unit) ?? at)).sort((a, b) => a - b);
    if (latencies.length < units) throw new Error(`only ${latencies.length} of ${units} units became active`);
    return {
      name: `placement → systemd active, ${units} units submitted one by one, start settle ${settleMs} ms`,
      units,
      p50Ms: Math.round(percentile(latencies, 50)),
      p99Ms: Math.round(percentile(latencies, 99)),
      maxMs: Math.round(latencies.at(-1) ?? 0),
    };
  } finally {
    await registry.close();
    await instance.stop();
    await etcd.stop();
  }
}
