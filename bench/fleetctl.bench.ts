// Issue 21: what a user feels when submitting a large job. 10,000 unit files on
// disk, the real built `fleetctl start --no-block <every name>` as a child
// process, against a real fleetd (engine, no agent) on a real etcd with the
// machines announced; timed from spawning fleetctl until every unit has a
// placement in etcd.
//   node --import tsx bench/fleetctl.bench.ts [units] [machines]
// FLEETCTL_BENCH_NODE_OPTIONS / FLEETD_BENCH_NODE_OPTIONS go to the two
// children (a CPU profile: --cpu-prof for fleetctl, bench/profile/cpu-profile.mjs for fleetd).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyLayout } from '@fleetd/core/unstable';
import { createEtcdRegistry } from '@fleetd/registry-etcd';
import type { EtcdRegistry } from '@fleetd/registry-etcd';
import { startEtcd } from '@fleetd/registry-etcd/testing';
import { FLEETCTL_BIN } from 'fleetd/testing';
import { announceBenchMachines, BENCH_KEY_PREFIX, startEngineFleetd } from './engine-fleetd.js';
import { measureDoubling } from './doubling.js';
import type { Growth } from './doubling.js';

export interface FleetctlMeasurement {
  readonly name: string;
  readonly units: number;
  readonly machines: number;
  /** From spawning fleetctl until every unit has a placement in etcd, in ms. */
  readonly startToPlacedMs: number;
  /** From spawning fleetctl until it exited, in ms. */
  readonly fleetctlMs: number;
  /** CPU time fleetd and etcd used over the same span (from /proc), in ms: on this 2-core machine, what the wall time went to. */
  readonly fleetdCpuMs: number;
  readonly etcdCpuMs: number;
  /** Bytes of fleetctl's command line (its unit names): Linux's ARG_MAX is 2 MiB here, one argument at most 128 KiB. */
  readonly argvBytes: number;
}

export interface FleetctlResult extends FleetctlMeasurement {
  readonly targetMs: number;
  readonly met: boolean;
  /** startToPlacedMs with units doubled, and with machines doubled. */
  readonly growth: Growth;
}

/** Issue 21: 10,000 units through `fleetctl start` until all placed within 1.5 s. */
const TARGET_MS = 1_500;
const POLL_MS = 25;

const UNIT_FILE = '[Unit]\nDescription=bench\n\n[Service]\nExecStart=/bin/sleep infinity\n';

/** Machines as present: their presence keys under one lease, 100 a transaction (what an agent writes, without the agents). */
function writeUnitFiles(dir: string, units: number): string[] {
  const names = Array.from({ length: units }, (_, i) => `app-${i}.service`);
  for (const name of names) writeFileSync(join(dir, name), UNIT_FILE);
  return names;
}

interface ChildRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly exitedAt: number;
}

function spawnFleetctl(args: readonly string[], cwd: string): Promise<ChildRun> {
  const nodeOptions = process.env['FLEETCTL_BENCH_NODE_OPTIONS'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(nodeOptions ? nodeOptions.split(' ') : []), FLEETCTL_BIN, ...args], {
      cwd,
      env: { ...process.env, FLEETCTL_ENDPOINT: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, exitedAt: performance.now() }));
  });
}

/** User + system CPU time of a process so far, in ms (clock ticks of 10 ms); 0 when /proc cannot tell. */
function cpuMsOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

async function untilPlaced(registry: EtcdRegistry, layout: KeyLayout, units: number, failed: () => boolean): Promise<number> {
  for (;;) {
    const { items } = await registry.list(layout.placements);
    if (items.length >= units) return performance.now();
    if (failed()) throw new Error('fleetctl failed before every unit was placed');
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** `fleetctl start --no-block` of `units` unit files on a fleetd with `machines` machines, until all are placed. */
export async function measureFleetctlStart(units: number, machines: number): Promise<FleetctlMeasurement> {
  const etcd = await startEtcd();
  const registry = createEtcdRegistry({ ...etcd.clientOptions, requestTimeoutMs: 10_000 });
  const layout = new KeyLayout(BENCH_KEY_PREFIX);
  const dir = mkdtempSync(join(tmpdir(), 'fleetctl-bench-'));
  try {
    await announceBenchMachines(registry, machines);
    const names = writeUnitFiles(dir, units);
    const fleetd = await startEngineFleetd(etcd);
    try {
      const args = ['--endpoint', fleetd.socketPath, 'start', '--no-block', ...names];
      const etcdPid = etcd.members[0]?.pid;
      const cpuBefore = { fleetd: cpuMsOf(fleetd.pid), etcd: cpuMsOf(etcdPid) };
      const started = performance.now();
      let result: ChildRun | undefined;
      const run = spawnFleetctl(args, dir).then((done) => (result = done));
      const placedAt = await untilPlaced(registry, layout, units, () => result !== undefined && result.code !== 0);
      const cpu = { fleetd: cpuMsOf(fleetd.pid) - cpuBefore.fleetd, etcd: cpuMsOf(etcdPid) - cpuBefore.etcd };
      const done = await run;
      if (done.code !== 0) throw new Error(`fleetctl exited ${done.code}: ${done.stderr.slice(0, 500)}`);
      const triggered = done.stdout.split('\n').filter((line) => line.startsWith('Triggered unit ')).length;
      if (triggered !== units) throw new Error(`fleetctl printed ${triggered} "Triggered unit" lines for ${units} units`);
      return {
        name: `fleetctl start ${units.toLocaleString('en')} unit files until placed (${machines} machines, real etcd)`,
        units,
        machines,
        startToPlacedMs: Math.round(placedAt - started),
        fleetctlMs: Math.round(done.exitedAt - started),
        fleetdCpuMs: cpu.fleetd,
        etcdCpuMs: cpu.etcd,
        argvBytes: args.reduce((sum, arg) => sum + Buffer.byteLength(arg) + 1, 0),
      };
    } finally {
      await fleetd.remove();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await registry.close();
    await etcd.stop();
  }
}

/** The 10,000-unit case against its target, then with units doubled and with machines doubled. */
export async function measureFleetctlWithGrowth(units: number, machines: number): Promise<FleetctlResult> {
  const { base, growth } = await measureDoubling(units, machines, measureFleetctlStart, (r) => r.startToPlacedMs);
  return { ...base, targetMs: TARGET_MS, met: base.startToPlacedMs <= TARGET_MS, growth };
}

if (process.argv[1]?.endsWith('fleetctl.bench.ts')) {
  console.log(JSON.stringify(await measureFleetctlStart(Number(process.argv[2] ?? 10_000), Number(process.argv[3] ?? 100))));
}
