/**
 * The chaos cluster: a 3-member etcd and three machines, each a systemd user
 * instance driven by a built `fleetd`, all from the project's harnesses. It
 * knows which daemons are killed or paused, so faults can be repaired and
 * everything is cleaned up whatever happened (paused daemons are continued
 * before they are stopped).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { killQuietly, startWatchdog, track, untrack } from '@fleetd/core/testing';
import type { Cleanable } from '@fleetd/core/testing';
import { startSystemdInstance } from '@fleetd/plugin-systemd/testing';
import type { SystemdInstance } from '@fleetd/plugin-systemd/testing';
import { createEtcdRegistry } from '@fleetd/registry-etcd';
import type { EtcdRegistry } from '@fleetd/registry-etcd';
import { startEtcd } from '@fleetd/registry-etcd/testing';
import type { EtcdCluster } from '@fleetd/registry-etcd/testing';
import { startFleetd } from 'fleetd/testing';
import type { FleetdProcess } from 'fleetd/testing';
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

/** Removes the run's directory once the chaos process is gone, even SIGKILLed ($1 its pid, $2 the directory). */
const WATCHDOG = `
parent="$1"; dir="$2"
while kill -0 "$parent" 2>/dev/null && [ -d "$dir" ]; do sleep 1; done
sleep 2
rm -rf "$dir"
`;

function startMember(etcd: EtcdCluster, spec: MachineSpec, systemd: SystemdInstance, root: string): Promise<FleetdProcess> {
  return startFleetd({
    name: spec.id,
    dir: join(root, spec.id),
    config: {
      etcd: { endpoints: [...etcd.endpoints], keyPrefix: KEY_PREFIX },
      machine: { id: spec.id, metadata: { ...spec.metadata }, publicIP: spec.publicIP },
      agent: { busAddress: systemd.busAddress, unitsDirectory: systemd.unitsDirectory, ttlSeconds: AGENT_TTL_SECONDS },
      engine: { reconcileIntervalMs: 500, leaseTtlSeconds: ENGINE_LEASE_SECONDS },
      log: { level: 'warn' },
    },
  });
}

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
  onStep('starting a 3-member etcd and 3 systemd user instances');
  const [etcdResult, ...systemdResults] = await Promise.allSettled([startEtcd({ members: 3 }), ...machines.map(() => startSystemdInstance())]);
  const instances = systemdResults.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const etcd = etcdResult?.status === 'fulfilled' ? etcdResult.value : undefined;
  const started: ChaosMachine[] = [];
  // The daemons' directories live in one of ours: the harness removes a directory it made
  // when asked, not when this process is SIGKILLed, and forgets a daemon while it is killed.
  const root = mkdtempSync('/tmp/fleetd-chaos-');
  const watchdog = startWatchdog('fleetd-chaos-watchdog', WATCHDOG, [root]);
  const guard: Cleanable = {
    cleanupSync() {
      for (const machine of started) killQuietly(machine.fleetd.pid, 'SIGKILL');
      rmSync(root, { recursive: true, force: true });
    },
  };
  track(guard);
  const cleanUp = async (): Promise<void> => {
    for (const machine of started) {
      // A stopped process would ignore SIGTERM until the harness's SIGKILL: continue it first.
      if (machine.condition === 'paused' && machine.fleetd.pid !== undefined) process.kill(machine.fleetd.pid, 'SIGCONT');
      await machine.fleetd.remove().catch(() => undefined);
    }
    await Promise.all(instances.map((instance) => instance.stop().catch(() => undefined)));
    await etcd?.stop();
    rmSync(root, { recursive: true, force: true });
    killQuietly(watchdog, 'SIGTERM');
    untrack(guard);
  };
  try {
    const failed = [etcdResult, ...systemdResults].find((result): result is PromiseRejectedResult => result?.status === 'rejected');
    if (failed !== undefined || etcd === undefined) throw failed?.reason ?? new Error('etcd did not start');
    for (const [index, spec] of machines.entries()) {
      onStep(`starting fleetd ${spec.id}`);
      const systemd = instances[index] as SystemdInstance;
      started.push({ spec, systemd, fleetd: await startMember(etcd, spec, systemd, root), condition: 'up' });
    }
  } catch (error) {
    await cleanUp();
    throw error;
  }
  const registry = createEtcdRegistry(etcd.clientOptions);
  let stopped = false;
  return {
    etcd,
    machines: started,
    registry,
    liveMachine(pick = (candidates) => candidates[0] as ChaosMachine) {
      const candidates = started.filter((machine) => machine.condition === 'up' && machine.fleetd.pid !== undefined);
      return candidates.length === 0 ? undefined : pick(candidates);
    },
    async reviveCrashed() {
      const crashed = started.filter((machine) => machine.condition === 'up' && machine.fleetd.pid === undefined);
      const reports: string[] = [];
      for (const machine of crashed) {
        reports.push(`${machine.spec.id} exited on its own; last lines:\n${machine.fleetd.output().split('\n').slice(-15).join('\n')}`);
        machine.condition = 'killed';
        await restartFleetd(machine);
      }
      return reports;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await registry.close().catch(() => undefined);
      await cleanUp();
    },
  };
}

