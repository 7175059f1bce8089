/**
 * StopAfterDisconnect on real parts: a real etcd, two built fleetd daemons
 * each with its own systemd user instance. m1 reaches etcd through a TCP
 * proxy the test cuts, so m1 alone is partitioned while etcd stays up: its
 * units with a grace stop before they start on m2, the others run twice
 * (the default), and when m1 is back it unloads what moved. Then every etcd
 * member is stopped for longer than the agent TTL, with the default config:
 * nothing stops on any machine and nothing moves.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@fleetd/core/testing';
import { useSystemd } from '@fleetd/plugin-systemd/vitest';
import type { SystemdInstance } from '@fleetd/plugin-systemd/testing';
import { startTcpProxy } from '@fleetd/registry-etcd/testing';
import { useEtcd } from '@fleetd/registry-etcd/vitest';
import type { TcpProxy } from '@fleetd/registry-etcd/testing';
import { runFleetctl, startFleetd } from '../../src/testing/index.js';
import type { FleetdProcess } from '../../src/testing/index.js';
import { LIST_PLACEMENTS, parsePlacements } from './placements.js';

const etcd = useEtcd();
const systemd = useSystemd(2);
const unitDir = mkdtempSync('/tmp/fleetd-disconnect-units-');
const TTL_SECONDS = 3;
const KEY_PREFIX = '/disconnect-test/';
const machines = new Map<string, FleetdProcess>();
let proxy: TcpProxy;

const UNITS: Readonly<Record<string, string>> = {
  'guarded.service': '[Service]\nExecStart=/bin/sleep 1000\n\n[X-Fleet]\nStopAfterDisconnect=1s\n',
  'plain.service': '[Service]\nExecStart=/bin/sleep 1000\n',
  'steady-a.service': '[Service]\nExecStart=/bin/sleep 1000\n',
  'steady-b.service': '[Service]\nExecStart=/bin/sleep 1000\n',
  'after-outage.service': '[Service]\nExecStart=/bin/sleep 1000\n',
};

function startMachine(id: string, instance: SystemdInstance, endpoints: readonly string[]): Promise<FleetdProcess> {
  return startFleetd({
    name: id,
    config: {
      etcd: { endpoints: [...endpoints], keyPrefix: KEY_PREFIX },
      machine: { id },
      agent: { busAddress: instance.busAddress, unitsDirectory: instance.unitsDirectory, ttlSeconds: TTL_SECONDS },
      engine: { reconcileIntervalMs: 500, leaseTtlSeconds: 2 },
    },
  });
}

const instance = (index: number): SystemdInstance => systemd()[index] as SystemdInstance;
const machine = (id: string): FleetdProcess => machines.get(id) as FleetdProcess;
const fleetctl = (via: FleetdProcess, ...args: string[]) => runFleetctl(args, { endpoint: via.socketPath, cwd: unitDir });

/** What one machine's systemd says of a unit: load and active state, and the main PID (0 when not running). */
async function systemdState(index: number, unit: string): Promise<{ load: string; active: string; pid: string }> {
  const { stdout } = await instance(index).systemctl(['show', '--property=LoadState,ActiveState,MainPID', unit]);
  const value = (name: string): string => new RegExp(`^${name}=(.*)$`, 'm').exec(stdout)?.[1] ?? '';
  return { load: value('LoadState'), active: value('ActiveState'), pid: value('MainPID') };
}

const activeOn = async (index: number, unit: string): Promise<boolean> => (await systemdState(index, unit)).active === 'active';

/** unit → machine ID, as `list-unit-files` shows it. */
async function placements(via: FleetdProcess): Promise<Record<string, string>> {
  return parsePlacements((await fleetctl(via, ...LIST_PLACEMENTS)).stdout);
}

beforeAll(async () => {
  for (const [name, contents] of Object.entries(UNITS)) writeFileSync(join(unitDir, name), contents);
  proxy = await startTcpProxy(etcd().endpoints[0] as string);
  // Only m1 at first, so the units start there; m2 joins before m1 is cut off.
  machines.set('m1', await startMachine('m1', instance(0), [proxy.endpoint]));
});
afterAll(async () => {
  for (const running of machines.values()) await running.remove();
  await proxy?.close();
  rmSync(unitDir, { recursive: true, force: true });
});

describe('a machine cut off from etcd while etcd stays up', () => {
  it('stops its units with StopAfterDisconnect before they start elsewhere, keeps the others (they run twice), and unloads what moved once back', async () => {
    expect(await fleetctl(machine('m1'), 'start', 'guarded.service', 'plain.service')).toMatchObject({ code: 0 });
    await waitFor(async () => (await activeOn(0, 'guarded.service')) && (await activeOn(0, 'plain.service')), 'both units running on m1', 20_000, 100);
    machines.set('m2', await startMachine('m2', instance(1), etcd().endpoints));

    proxy.cut('blackhole');
    // Until guarded.service runs on m2, m1's copy and m2's are never both active.
    const bothActive: number[] = [];
    await waitFor(
      async () => {
        const [onM1, onM2] = [await activeOn(0, 'guarded.service'), await activeOn(1, 'guarded.service')];
        if (onM1 && onM2) bothActive.push(Date.now());
        return onM2;
      },
      'guarded.service running on m2',
      (TTL_SECONDS + 20) * 1000,
      50,
    );
    expect(bothActive).toEqual([]);
    expect(await systemdState(0, 'guarded.service')).toMatchObject({ load: 'loaded', active: 'inactive' });
    await machine('m1').waitForOutput(/stopping guarded\.service: this machine's presence not renewed for [\d.]+ s \(StopAfterDisconnect 1 s\)/);
    // Without the option the copy on m1 keeps running: the unit runs twice until m1 is back.
    await waitFor(() => activeOn(1, 'plain.service'), 'plain.service running on m2', 20_000, 100);
    expect(await activeOn(0, 'plain.service')).toBe(true);
    expect(machine('m1').output()).not.toMatch(/stopping plain\.service/);

    proxy.restore();
    await waitFor(
      async () => (await systemdState(0, 'guarded.service')).load === 'not-found' && (await systemdState(0, 'plain.service')).load === 'not-found',
      'm1 unloading both units, which moved to m2',
      (TTL_SECONDS + 20) * 1000,
      100,
    );
    expect(await placements(machine('m2'))).toMatchObject({ 'guarded.service': 'm2', 'plain.service': 'm2' });
    expect([await activeOn(1, 'guarded.service'), await activeOn(1, 'plain.service')]).toEqual([true, true]);
    expect(await fleetctl(machine('m2'), 'destroy', 'guarded.service', 'plain.service')).toMatchObject({ code: 0 });
  });
});

describe('every etcd member down for longer than the agent TTL, default config', () => {
  it('stops nothing on any machine, and nothing moves once etcd is back', async () => {
    await waitFor(
      async () => (await fleetctl(machine('m2'), 'list-machines', '--no-legend')).stdout.trim().split('\n').length === 2,
      'both machines listed',
      20_000,
      100,
    );
    expect(await fleetctl(machine('m2'), 'start', 'steady-a.service', 'steady-b.service')).toMatchObject({ code: 0 });
    const before = await placements(machine('m2'));
    expect(new Set([before['steady-a.service'], before['steady-b.service']])).toEqual(new Set(['m1', 'm2']));
    const indexOf = (unit: string): number => (before[unit] === 'm1' ? 0 : 1);
    const pids = async () => ({
      a: (await systemdState(indexOf('steady-a.service'), 'steady-a.service')).pid,
      b: (await systemdState(indexOf('steady-b.service'), 'steady-b.service')).pid,
    });
    await waitFor(
      async () => (await activeOn(indexOf('steady-a.service'), 'steady-a.service')) && (await activeOn(indexOf('steady-b.service'), 'steady-b.service')),
      'both units running',
      20_000,
      100,
    );
    const pidsBefore = await pids();

    for (const member of etcd().members) await member.stop();
    // Longer than the TTL: had a machine been given up, its units would stop or move.
    await new Promise((resolve) => setTimeout(resolve, (TTL_SECONDS * 2 + 1) * 1000));
    expect(await pids()).toEqual(pidsBefore);
    for (const member of etcd().members) await member.start();

    // A unit started after the outage is placed: the engine is acting again, so a move would have happened by now.
    await waitFor(async () => (await fleetctl(machine('m2'), 'start', 'after-outage.service')).code === 0, 'a unit started after the outage', 30_000, 250);
    const after = await placements(machine('m2'));
    expect({ a: after['steady-a.service'], b: after['steady-b.service'] }).toEqual({ a: before['steady-a.service'], b: before['steady-b.service'] });
    expect(await pids()).toEqual(pidsBefore);
    for (const id of ['m1', 'm2']) expect(machine(id).output()).not.toMatch(/stopping steady-/);
  });
});
