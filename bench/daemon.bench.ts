// The fleetd daemon's memory with a large cluster: a real etcd holding 1,000
// machines (presence keys under one lease) and 10,000 launched units, and a real
// `fleetd` process (engine only) that mirrors and schedules all of them.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createUnit } from '@fleetd/core';
import { FleetStore, KeyLayout } from '@fleetd/core/unstable';
import { createEtcdRegistry } from '@fleetd/registry-etcd';
import { startEtcd } from '@fleetd/registry-etcd/testing';
import { measureDoubling } from './doubling.js';
import { announceBenchMachines, BENCH_KEY_PREFIX, startEngineFleetd } from './engine-fleetd.js';
import type { Growth } from './doubling.js';

export interface DaemonMemory {
  readonly name: string;
  readonly machines: number;
  readonly units: number;
  /** Time from the first PUT to every unit placed, in ms. */
  readonly placedAfterMs: number;
  /** Resident set size once everything is placed and a few idle rounds ran, in MB. */
  readonly rssMb: number;
  /** Peak resident set size over the run, in MB. */
  readonly peakRssMb: number;
  /** V8 heap in use and committed, and memory outside the heap (Buffers), then, from fleetd's own /metrics, in MB. */
  readonly heapUsedMb: number;
  readonly heapTotalMb: number;
  readonly externalMb: number;
}

export interface DaemonMemoryResult extends DaemonMemory {
  readonly targetRssMb: number;
  readonly met: boolean;
  /** rssMb with units doubled, and with machines doubled. */
  readonly growth: Growth;
}

/** Issue 8: fleetd holding 10,000 units and 1,000 machines stays within 250 MB RSS. */
const TARGET_RSS_MB = 250;
/** Issue 21: with 100,000 units and 5,000 machines, within 1 GB. */
export const LARGE_TARGET_RSS_MB = 1024;

/**
 * How the units reach etcd: through fleetd's API (the daemon validates and writes each),
 * or written straight into the store in batches, which the daemon then reads as it would
 * another fleetd's (for 100,000 units: the API would make this a submit benchmark).
 */
export type Seeding = 'api' | 'store';

/** The running daemon at a phase of the measurement, for profiling runners (bench/profile/daemon-memory.mts). */
export interface DaemonPhase {
  readonly phase: 'started' | 'submitted' | 'placed' | 'idle';
  readonly pid: number;
  readonly socketPath: string;
  /** Everything fleetd printed so far. */
  readonly output: () => string;
}

export interface DaemonMemoryHooks {
  /** Called at each phase before the measurement goes on; may take its time (heap snapshots). */
  readonly onPhase?: (phase: DaemonPhase) => void | Promise<void>;
}

function memoryOf(pid: number): { rssMb: number; peakRssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) / 1024;
  return { rssMb: Math.round(field('VmRSS')), peakRssMb: Math.round(field('VmHWM')) };
}

function get(socketPath: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ socketPath, path }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

async function heapOf(socketPath: string): Promise<{ heapUsedMb: number; heapTotalMb: number; externalMb: number }> {
  const metrics = await get(socketPath, '/metrics');
  const mb = (name: string): number => Math.round(Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? 0) / 1024 / 1024);
  return {
    heapUsedMb: mb('fleetd_nodejs_heap_size_used_bytes'),
    heapTotalMb: mb('fleetd_nodejs_heap_size_total_bytes'),
    externalMb: mb('fleetd_nodejs_external_memory_bytes'),
  };
}

function putUnit(socketPath: string, name: string): Promise<number> {
  const body = JSON.stringify({ desiredState: 'launched', options: [{ section: 'Service', name: 'ExecStart', value: `/bin/sleep ${name.length}` }] });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        path: `/fleet/v1/units/${name}`,
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function measureDaemonMemory(machines = 1_000, units = 10_000, hooks: DaemonMemoryHooks = {}, seeding: Seeding = 'api'): Promise<DaemonMemory> {
  const etcd = await startEtcd();
  const registry = createEtcdRegistry({ ...etcd.clientOptions, requestTimeoutMs: 10_000 });
  const layout = new KeyLayout(BENCH_KEY_PREFIX);
  try {
    await announceBenchMachines(registry, machines, (i) => ({ zone: `z${i % 3}` }));
    const fleetd = await startEngineFleetd(etcd);
    const phase = async (name: DaemonPhase['phase']): Promise<void> => {
      await hooks.onPhase?.({ phase: name, pid: fleetd.pid as number, socketPath: fleetd.socketPath, output: () => fleetd.output() });
    };
    try {
      await phase('started');
      const started = performance.now();
      const names = Array.from({ length: units }, (_, i) => `app@${i}.service`);
      if (seeding === 'store') await seedStore(registry, names);
      else {
        for (let i = 0; i < names.length; i += 50) {
          const statuses = await Promise.all(names.slice(i, i + 50).map((name) => putUnit(fleetd.socketPath, name)));
          const failed = statuses.find((status) => status !== 201);
          if (failed !== undefined) throw new Error(`PUT answered ${failed}`);
        }
      }
      await phase('submitted');
      for (;;) {
        const { items } = await registry.list(layout.placements);
        if (items.length === units) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const placedAfterMs = Math.round(performance.now() - started);
      await phase('placed');
      // A few idle rounds (engine interval 2 s) and a GC opportunity.
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      await phase('idle');
      const memory = memoryOf(fleetd.pid as number);
      return {
        name: `fleetd (engine) with ${units.toLocaleString('en')} units and ${machines.toLocaleString('en')} machines`,
        machines,
        units,
        placedAfterMs,
        ...memory,
        ...(await heapOf(fleetd.socketPath)),
      };
    } finally {
      await fleetd.remove();
    }
  } finally {
    await registry.close();
    await etcd.stop();
  }
}

/** The same launched units the API seeding PUTs, written by fleetd's own store, 50 to a transaction, 4 transactions at a time. */
async function seedStore(registry: ReturnType<typeof createEtcdRegistry>, names: readonly string[]): Promise<void> {
  const store = new FleetStore(registry, BENCH_KEY_PREFIX);
  const batches: string[][] = [];
  for (let i = 0; i < names.length; i += 50) batches.push(names.slice(i, i + 50));
  const write = async (): Promise<void> => {
    for (let batch = batches.shift(); batch !== undefined; batch = batches.shift()) {
      await store.submitAllOrRead(
        batch.map((name) => createUnit({ name, contents: `[Service]\nExecStart=/bin/sleep ${name.length}\n`, desiredState: 'launched' })),
      );
    }
  };
  await Promise.all([write(), write(), write(), write()]);
}

/** The target case, then with units doubled and with machines doubled. */
export async function measureDaemonMemoryWithGrowth(
  machines: number,
  units: number,
  targetRssMb = TARGET_RSS_MB,
  seeding: Seeding = 'api',
): Promise<DaemonMemoryResult> {
  const { base, growth } = await measureDoubling(
    units,
    machines,
    (u, m) => measureDaemonMemory(m, u, {}, seeding),
    (r) => r.rssMb,
  );
  return { ...base, targetRssMb, met: base.rssMb <= targetRssMb, growth };
}

if (process.argv[1]?.endsWith('daemon.bench.ts')) {
  console.log(JSON.stringify(await measureDaemonMemory(Number(process.argv[2] ?? 1_000), Number(process.argv[3] ?? 10_000))));
}
