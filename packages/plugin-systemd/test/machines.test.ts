/**
 * Three systemd instances at once behave as three machines: same-named units
 * run separately, each in its own instance's cgroup, and stopping one leaves
 * the others running.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSystemdDriver, type SystemdDriver } from '../src/index.js';
import { useSystemd } from '../src/vitest/index.js';
import { isAlive, pidOf, sleeper } from './helpers.js';

const systemd = useSystemd(3);
let drivers: SystemdDriver[] = [];

beforeAll(async () => {
  drivers = await Promise.all(systemd().map((m) => createSystemdDriver({ busAddress: m.busAddress, unitsDirectory: m.unitsDirectory })));
});
afterAll(async () => {
  await Promise.all(drivers.map((d) => d.close()));
});

describe('several instances', () => {
  it('have separate buses, runtime dirs, units directories and cgroups', () => {
    const machines = systemd();
    for (const key of ['busAddress', 'runtimeDir', 'unitsDirectory', 'name', 'pid'] as const) {
      expect(new Set(machines.map((m) => m[key])).size).toBe(3);
    }
  });

  it('run same-named units separately; stopping one machine’s unit leaves the others running', async () => {
    const machines = systemd();
    await Promise.all(
      machines.map(async (m, i) => {
        await drivers[i]!.load(sleeper(m, 'app.service'));
        await drivers[i]!.reload();
        await drivers[i]!.start('app.service');
      }),
    );
    const pids = await Promise.all(machines.map((m) => pidOf(m, 'app.service')));
    expect(new Set(pids).size).toBe(3);
    pids.forEach((pid, i) => {
      expect(readFileSync(`/proc/${pid}/cgroup`, 'utf8')).toContain(`/fleet-${machines[i]!.name}/`);
      expect(machines[i]!.pids()).toContain(pid);
    });

    await drivers[0]!.stop('app.service');
    expect(isAlive(pids[0]!)).toBe(false);
    expect(isAlive(pids[1]!)).toBe(true);
    expect(isAlive(pids[2]!)).toBe(true);
    const states = await Promise.all(drivers.map((d) => d.states(['app.service'])));
    expect(states.map(([s]) => s?.activeState)).toEqual(['inactive', 'active', 'active']);
  });

  it('unloading on one machine does not touch the others’ files', async () => {
    await drivers[1]!.unload('app.service');
    const installed = await Promise.all(drivers.map((d) => d.installed()));
    expect(installed.map((m) => m.has('app.service'))).toEqual([true, false, true]);
    const [state] = await drivers[2]!.states(['app.service']);
    expect(state?.activeState).toBe('active');
  });
});
