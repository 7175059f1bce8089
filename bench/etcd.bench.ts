import { assemblePlugins, createUnit } from '@fleetd/core';
import { Engine, FleetStore, MachinePresence } from '@fleetd/core/unstable';
import { fleetPreset } from '@fleetd/preset-fleet';
import { createEtcdRegistry } from '@fleetd/registry-etcd';
import { startEtcd } from '@fleetd/registry-etcd/testing';
import { measureDoubling } from './doubling.js';
import type { Growth } from './doubling.js';

export interface EtcdMeasurement {
  readonly name: string;
  readonly units: number;
  readonly machines: number;
  /** From the first submit until every unit is placed in etcd, in ms. */
  readonly submitToPlacedMs: number;
  /** Of which submitting (64 concurrent clients' transactions), in ms. */
  readonly submitMs: number;
  readonly placementsPerSecond: number;
}

export interface EtcdResult extends EtcdMeasurement {
  readonly targetMs: number;
  readonly met: boolean;
  /** submitToPlacedMs with units doubled, and with machines doubled. */
  readonly growth: Growth;
}

/** Issue 8: 10,000 units submitted to a real etcd-backed cluster are all placed within 5 s. */
const TARGET_MS = 5_000;

/** Submits `units` units to a real one-member etcd with `machines` announced machines and one engine, until all are placed. */
export async function measureEtcdEndToEnd(units: number, machines: number): Promise<EtcdMeasurement> {
  const etcd = await startEtcd();
  const registry = createEtcdRegistry({ ...etcd.clientOptions, requestTimeoutMs: 10_000 });
  try {
    const presences = await Promise.all(
      Array.from({ length: machines }, (_, i) =>
        MachinePresence.announce({ registry, machine: { id: `m${String(i).padStart(4, '0')}`, metadata: {} }, ttlSeconds: 60 }),
      ),
    );
    const engine = new Engine({ registry, host: await assemblePlugins(fleetPreset()), id: 'bench', leaseTtlSeconds: 10 });
    await engine.start();
    const store = new FleetStore(registry);
    const list = Array.from({ length: units }, (_, i) =>
      createUnit({ name: `app@${i}.service`, contents: '[Service]\nExecStart=/bin/sleep infinity\n', desiredState: 'launched' }),
    );
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < list.length) await store.submitUnit(list[next++]!);
      }),
    );
    const submitMs = performance.now() - started;
    for (;;) {
      const placed = [...engine.state.placements()].length;
      if (placed === units && (await registry.list(store.layout.placements)).items.length === units) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const total = performance.now() - started;
    await engine.stop();
    await Promise.all(presences.map((presence) => presence.withdraw()));
    return {
      name: `submit ${units.toLocaleString('en')} units to real etcd until placed (${machines} machines)`,
      units,
      machines,
      submitToPlacedMs: Math.round(total),
      submitMs: Math.round(submitMs),
      placementsPerSecond: Math.round((units / total) * 1000),
    };
  } finally {
    await registry.close();
    await etcd.stop();
  }
}

/** The 10,000-unit case against its target, then with units doubled and with machines doubled. */
export async function measureEtcdWithGrowth(units: number, machines: number): Promise<EtcdResult> {
  const { base, growth } = await measureDoubling(units, machines, measureEtcdEndToEnd, (r) => r.submitToPlacedMs);
  return { ...base, targetMs: TARGET_MS, met: base.submitToPlacedMs <= TARGET_MS, growth };
}
