// What the real-daemon benchmarks share: machines announced straight into etcd under one
// lease (no agents), and one fleetd running only its engine against that etcd.
import { encodeMachine, KeyLayout } from '@fleetd/core/unstable';
import type { EtcdRegistry } from '@fleetd/registry-etcd';
import type { startEtcd } from '@fleetd/registry-etcd/testing';
import { startFleetd } from 'fleetd/testing';

/** The key prefix the benchmarks' fleetd uses. */
export const BENCH_KEY_PREFIX = '/fleetd-bench/';

/** Presence keys for `count` machines `m00000`…, 100 to a transaction, under one lease; `metadata(i)` is machine i's. */
export async function announceBenchMachines(
  registry: EtcdRegistry,
  count: number,
  metadata: (index: number) => Record<string, string> = () => ({}),
): Promise<void> {
  const layout = new KeyLayout(BENCH_KEY_PREFIX);
  const lease = await registry.grantLease(600);
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from({ length: Math.min(100, count - i) }, (_, j) => {
      const id = `m${String(i + j).padStart(5, '0')}`;
      return { type: 'put' as const, key: layout.machine(id), value: encodeMachine({ id, metadata: metadata(i + j) }), lease };
    });
    await registry.txn({ success: batch });
  }
}

/** A fleetd with its engine only (no agent), on `etcd`; FLEETD_BENCH_NODE_OPTIONS reaches its Node.js (a profiler, say). */
export function startEngineFleetd(etcd: Awaited<ReturnType<typeof startEtcd>>) {
  return startFleetd({
    name: 'bench-fleetd',
    config: {
      etcd: { endpoints: [...etcd.endpoints], keyPrefix: BENCH_KEY_PREFIX, requestTimeoutMs: 10_000 },
      machine: { id: 'bench-engine' },
      agent: { enabled: false },
      log: { level: 'warn' },
    },
    ...(process.env['FLEETD_BENCH_NODE_OPTIONS'] ? { env: { NODE_OPTIONS: process.env['FLEETD_BENCH_NODE_OPTIONS'] } } : {}),
  });
}
