/**
 * What the fleet-functional-*.test.ts files share: one real cluster per file
 * (started before its tests, removed after them), fleet's fixtures in a scratch
 * directory where fleetctl runs, every unit destroyed after each test, and
 * waits on the cluster's state as fleet's platform helpers did
 * (WaitForNActiveUnits, WaitForNUnits, WaitForNUnitFiles, WaitForNMachines),
 * read through fleet's own client so that polling costs no fleetctl process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { waitFor } from '@fleetd/core/testing';
import type { FleetctlResult } from 'fleetd/testing';
import { startDemoCluster } from '../src/index.js';
import type { LocalCluster, LocalClusterOptions, LocalMachine } from '../src/index.js';
import { writeFleetFixtures } from './fleet-fixtures.js';
import { FleetGoClient } from './fleet-go-client.js';
import type { FleetUnit, FleetUnitState } from './fleet-go-client.js';

/** fleet's util.WaitForState gave 15 s; a few more for two shared cores. */
export const WAIT_MS = 20_000;
const POLL_MS = 100;

export interface FunctionalCluster {
  readonly cluster: LocalCluster;
  /** The directory holding fleet's fixtures, where fleetctl runs. */
  readonly scratch: string;
  /** fleetd's fleetctl against the first machine whose fleetd runs, or `via`. */
  fleetctl(args: readonly string[], via?: LocalMachine): Promise<FleetctlResult>;
  /** fleet's client against the first running machine's socket, or `via`'s. */
  go(via?: LocalMachine): FleetGoClient;
  writeUnit(name: string, contents: string): void;
  /** WaitForNActiveUnits: exactly `count` active states; unit name → machines it is active on. */
  waitForActive(count: number): Promise<Map<string, string[]>>;
  /** WaitForNUnits: exactly `count` unit states reported (loaded or running somewhere). */
  waitForStates(count: number): Promise<FleetUnitState[]>;
  /** WaitForNUnitFiles: exactly `count` units in the cluster. */
  waitForUnitFiles(count: number): Promise<FleetUnit[]>;
  /** WaitForNMachines. */
  waitForMachines(count: number, via?: LocalMachine): Promise<string[]>;
}

/** Registers the hooks of one file's cluster; read the fields inside tests only. */
export function useFunctionalCluster(options: LocalClusterOptions = {}): FunctionalCluster {
  const scratch = mkdtempSync('/tmp/fleetd-fleet-functional-');
  let cluster: LocalCluster | undefined;
  const started = (): LocalCluster => {
    if (cluster === undefined) throw new Error('the cluster is started in beforeAll');
    return cluster;
  };
  const running = (): LocalMachine => {
    const machine = started().machines.find((candidate) => candidate.fleetd.pid !== undefined);
    if (machine === undefined) throw new Error('no machine of the cluster has a running fleetd');
    return machine;
  };
  const go = (via = running()): FleetGoClient => new FleetGoClient(via.fleetd.socketPath);
  const activeStates = async (): Promise<FleetUnitState[]> => (await go().unitStates()).filter((state) => state.systemdActiveState === 'active');

  beforeAll(async () => {
    writeFleetFixtures(scratch);
    cluster = await startDemoCluster({ ttlSeconds: 3, ...options });
  });
  afterEach(async () => {
    const client = go();
    await Promise.all((await client.units()).map((unit) => client.destroyUnit(unit.name)));
    // Destroyed units are stopped and unloaded by their agents: no unit process outlives its test.
    let left: FleetUnitState[] = [];
    try {
      await waitFor(async () => (left = await client.unitStates()).length === 0, 'every unit gone from the machines', WAIT_MS, POLL_MS);
    } catch (error) {
      throw new Error(`${(error as Error).message}; still reported: ${left.map((state) => `${state.name} on ${state.machineID}`).join(', ')}`);
    }
  });
  afterAll(async () => {
    await cluster?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  return {
    get cluster() {
      return started();
    },
    scratch,
    fleetctl: (args, via) => started().fleetctl(args, { via: via ?? running(), cwd: scratch }),
    go,
    writeUnit: (name, contents) => writeFileSync(join(scratch, name), contents),
    async waitForActive(count) {
      let seen: FleetUnitState[] = [];
      await waitFor(async () => (seen = await activeStates()).length === count, `${count} active units`, WAIT_MS, POLL_MS).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}; active: ${listStates(seen)}`);
      });
      const byUnit = new Map<string, string[]>();
      for (const state of seen) byUnit.set(state.name, [...(byUnit.get(state.name) ?? []), state.machineID]);
      return byUnit;
    },
    async waitForStates(count) {
      let seen: FleetUnitState[] = [];
      await waitFor(async () => (seen = await go().unitStates()).length === count, `${count} unit states`, WAIT_MS, POLL_MS).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}; reported: ${listStates(seen)}`);
      });
      return seen;
    },
    async waitForUnitFiles(count) {
      let seen: FleetUnit[] = [];
      await waitFor(async () => (seen = await go().units()).length === count, `${count} units in the cluster`, WAIT_MS, POLL_MS).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}; in the cluster: ${seen.map((unit) => unit.name).join(', ')}`);
      });
      return seen;
    },
    async waitForMachines(count, via) {
      let seen: string[] = [];
      await waitFor(async () => (seen = (await go(via).machines()).map((machine) => machine.id)).length === count, `${count} machines`, WAIT_MS, POLL_MS).catch(
        (error: unknown) => {
          throw new Error(`${(error as Error).message}; present: ${seen.join(', ')}`);
        },
      );
      return seen;
    },
  };
}

function listStates(states: readonly FleetUnitState[]): string {
  return states.map((state) => `${state.name} ${state.systemdActiveState}/${state.systemdSubState} on ${state.machineID}`).join(', ') || 'none';
}

/** fleet's util.ActiveToSingleStates: each active unit on exactly one machine. */
export function singleMachines(active: ReadonlyMap<string, readonly string[]>): Map<string, string> {
  const single = new Map<string, string>();
  for (const [unit, machines] of active) {
    if (machines.length !== 1) throw new Error(`unit ${unit} running in multiple locations: ${machines.join(', ')}`);
    single.set(unit, machines[0] as string);
  }
  return single;
}
