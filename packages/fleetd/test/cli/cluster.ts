/**
 * A real fleetd stack in this process for fleetctl tests: the API server on
 * a unix socket over the embedded (memory) registry, fleet's plugins, a real
 * Engine placing units, and a real Agent per machine running them in a real
 * systemd user instance. fleetctl's `main()` talks to it over the socket.
 * Machines without an instance are presence-only: they exist for the engine
 * but run nothing (enough for scheduling and explanations).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemblePlugins, createMemoryRegistry } from '@fleetd/core';
import { Agent, Engine, FleetStore, MachinePresence } from '@fleetd/core/unstable';
import type { PluginHost, Registry } from '@fleetd/core';
import systemd from '@fleetd/plugin-systemd';
import type { SystemdInstance } from '@fleetd/plugin-systemd/testing';
import { fleetPreset } from '@fleetd/preset-fleet';
import { startApiServer } from '../../src/api/index.js';
import type { ApiServer } from '../../src/api/index.js';
import { createFleetService } from '../../src/service/index.js';
import { runMain, type CliResult } from './run-main.js';

const PREFIX = '/fleetd/';

export interface MachineSpec {
  readonly id: string;
  readonly metadata?: Record<string, string>;
  readonly publicIP?: string;
  /** Runs an agent on this instance; without one the machine only announces itself. */
  readonly systemd?: SystemdInstance;
}

export interface CliCluster {
  readonly socketPath: string;
  readonly registry: Registry;
  readonly store: FleetStore;
  /** A scratch directory for unit files; fleetctl runs with it as working directory. */
  readonly unitDir: string;
  /** Writes `<unitDir>/<name>`. */
  writeUnit(name: string, contents: string): void;
  /** Runs fleetctl's main() against this cluster's socket. */
  fleetctl(...args: string[]): Promise<CliResult>;
  stop(): Promise<void>;
}

export async function startCliCluster(machines: readonly MachineSpec[], options: { pageSize?: number } = {}): Promise<CliCluster> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const dir = mkdtempSync(join(tmpdir(), 'fleetctl-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const unitDir = join(dir, 'units');
    const registry = createMemoryRegistry();
    cleanups.push(() => registry.close());
    const store = new FleetStore(registry, PREFIX);
    await store.ensureSchema();
    const host = await assemblePlugins(fleetPreset());
    const server = await apiServer(registry, host, join(dir, 'fleetd.sock'), options.pageSize ?? 2);
    cleanups.push(() => server.close());
    const engine = new Engine({ registry, host, id: 'engine', keyPrefix: PREFIX, leaseTtlSeconds: 5, reconcileIntervalMs: 200 });
    cleanups.push(() => engine.stop());
    await engine.start();
    for (const machine of machines) cleanups.push(await startMachine(registry, machine));
    mkdirSync(unitDir);
    const socketPath = server.socketPath ?? join(dir, 'fleetd.sock');
    return {
      socketPath,
      registry,
      store,
      unitDir,
      writeUnit: (name, contents) => writeFileSync(join(unitDir, name), contents),
      fleetctl: (...args) => runMain(['--endpoint', socketPath, ...args], { cwd: unitDir }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function apiServer(registry: Registry, host: PluginHost, socketPath: string, pageSize: number): Promise<ApiServer> {
  const service = createFleetService({ registry, keyPrefix: PREFIX, host, mode: 'standalone', machineId: 'engine', version: '0.1.0-test', agentEnabled: true });
  return startApiServer({ service, socket: { path: socketPath, mode: 0o660 }, pageSize, bodyLimitBytes: 1024 * 1024 });
}

async function startMachine(registry: Registry, spec: MachineSpec): Promise<() => Promise<unknown>> {
  const machine = { id: spec.id, metadata: spec.metadata ?? {}, ...(spec.publicIP === undefined ? {} : { publicIP: spec.publicIP }) };
  if (spec.systemd === undefined) {
    const presence = await MachinePresence.announce({ registry, keyPrefix: PREFIX, ttlSeconds: 60, machine });
    return () => presence.withdraw();
  }
  const host = await assemblePlugins([...fleetPreset(), [systemd, { busAddress: spec.systemd.busAddress, unitsDirectory: spec.systemd.unitsDirectory }]]);
  const agent = new Agent({ registry, host, machine, keyPrefix: PREFIX, ttlSeconds: 10, reconcileIntervalMs: 500 });
  await agent.start();
  return () => agent.stop();
}
