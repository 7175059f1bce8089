/**
 * The chaos cluster: a 3-member etcd and three machines, each a systemd user
 * instance driven by a built `fleetd`, started by the project's one local-cluster
 * harness (`fleetd/dev`, as `fleetd dev` and the demo are), which also removes
 * every process, cgroup and file on stop or if this process dies. On top of it
 * this knows which daemons are killed or paused, so faults can be repaired and a
 * paused daemon is continued before the harness stops it.
 */
import { killQuietly } from '@fleetd/core/processes';
import { createEtcdRegistry } from '@fleetd/registry-etcd';
import type { EtcdRegistry } from '@fleetd/registry-etcd';
import type { EtcdCluster } from '@fleetd/registry-etcd/local';
import type { SystemdInstance } from '@fleetd/plugin-systemd/local';
import { startLocalCluster } from 'fleetd/dev';
import type { FleetdProcess, LocalCluster } from 'fleetd/dev';
import type { MachineSpec } from './workload.js';

export const KEY_PREFIX = '/chaos/';
/** Short enough that a 60 s run sees machines leave and units move. */
export const AGENT_TTL_SECONDS = 3;
export const ENGINE_LEASE_SECONDS = 2;

export type MachineCondition = 'up' | 'killed' | 'paused';

export interface ChaosMachine {
  readonly spec: MachineSpec;
  readonly systemd: SystemdInstance;
  readonly fleetd: FleetdProcess;
  condition: MachineCondition;
}

export interface ChaosCluster {
  readonly etcd: EtcdCluster;
  readonly machines: readonly ChaosMachine[];
  /** Our own etcd client, to read what the cluster stored. */
  readonly registry: EtcdRegistry;
  /** A machine whose daemon answers (neither killed nor paused), if any. */
  liveMachine(pick?: (candidates: readonly ChaosMachine[]) => ChaosMachine): ChaosMachine | undefined;
  /** Daemons that died although nobody killed them, with their last lines; restarted. */
  reviveCrashed(): Promise<string[]>;
  /** Stops everything and removes every file; safe to call in any state, more than once. */
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Restarts a killed daemon on its directory (same machine ID, same data dir).
 * A restart can be refused while the dead process's presence lease still
 * lives (it is resumed when the data dir remembers it, not always): retried.
 */
export async function restartFleetd(machine: ChaosMachine, timeoutMs = 60_000): Promise<{ attempts: number; refusals: string[] }> {
  const deadline = Date.now() + timeoutMs;
  const refusals: string[] = [];
  for (let attempt = 1; ; attempt++) {
    try {
      await machine.fleetd.restart();
      machine.condition = 'up';
      return { attempts: attempt, refusals };
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${machine.spec.id} did not restart within ${timeoutMs} ms: ${(error as Error).message}`);
      // The daemon's last line says why it gave up (the harness's message ends with its output).
      refusals.push(lastLine((error as Error).message));
      await sleep(1000);
    }
  }
}

function lastLine(text: string): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return (lines.at(-1) ?? text).slice(0, 400);
}

export async function startChaosCluster(machines: readonly MachineSpec[], onStep: (text: string) => void): Promise<ChaosCluster> {
  const cluster = await startLocalCluster({
    machines,
    store: 'etcd',
    etcdMembers: 3,
    keyPrefix: KEY_PREFIX,
    ttlSeconds: AGENT_TTL_SECONDS,
    engine: { reconcileIntervalMs: 500, leaseTtlSeconds: ENGINE_LEASE_SECONDS },
    logLevel: 'warn',
    onStep,
  });
  try {
    return chaosOn(cluster, machines);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

function chaosOn(cluster: LocalCluster, machines: readonly MachineSpec[]): ChaosCluster {
  const etcd = cluster.etcd;
  if (etcd === undefined) throw new Error('the local cluster started without etcd although the chaos cluster asked for store "etcd"');
  // Our specs, not the harness's copies: the checker reads their publicIP as given.
  const started: ChaosMachine[] = machines.map((spec) => {
    const { systemd, fleetd } = cluster.machine(spec.id);
    return { spec, systemd, fleetd, condition: 'up' };
  });
  return new Chaos(cluster, etcd, started, createEtcdRegistry(etcd.clientOptions));
}

class Chaos implements ChaosCluster {
  private stopped = false;

  constructor(
    private readonly cluster: LocalCluster,
    readonly etcd: EtcdCluster,
    readonly machines: readonly ChaosMachine[],
    readonly registry: EtcdRegistry,
  ) {}

  liveMachine(pick = (candidates: readonly ChaosMachine[]): ChaosMachine => candidates[0] as ChaosMachine): ChaosMachine | undefined {
    const candidates = this.machines.filter((machine) => machine.condition === 'up' && machine.fleetd.pid !== undefined);
    return candidates.length === 0 ? undefined : pick(candidates);
  }

  async reviveCrashed(): Promise<string[]> {
    const crashed = this.machines.filter((machine) => machine.condition === 'up' && machine.fleetd.pid === undefined);
    const reports: string[] = [];
    for (const machine of crashed) {
      reports.push(`${machine.spec.id} exited on its own; last lines:\n${machine.fleetd.output().split('\n').slice(-15).join('\n')}`);
      machine.condition = 'killed';
      await restartFleetd(machine);
    }
    return reports;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // A stopped process would ignore the harness's SIGTERM until its SIGKILL, 15 s later: continue it first.
    for (const machine of this.machines) {
      if (machine.condition === 'paused') killQuietly(machine.fleetd.pid, 'SIGCONT');
    }
    await this.cluster.stop();
    await this.registry.close().catch(() => undefined);
  }
}
