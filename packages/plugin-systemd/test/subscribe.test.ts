/**
 * subscribe(): systemd pushes unit state changes (PropertiesChanged after
 * Subscribe); the driver passes on those of its own units and asks systemd
 * nothing while doing so.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DriverUnitState } from '@fleetd/core';
import { BusConnection, createSystemdDriver, type SystemdDriver } from '../src/index.js';
import type { SystemdInstance } from '../src/testing/index.js';
import { useSystemd } from '../src/vitest/index.js';
import { sleep, sleeper, unit, waitFor } from './helpers.js';

const systemd = useSystemd(1);
let instance: SystemdInstance;
let driver: SystemdDriver;

beforeAll(async () => {
  instance = systemd()[0]!;
  driver = await createSystemdDriver({ busAddress: instance.busAddress, unitsDirectory: instance.unitsDirectory });
});
afterAll(async () => {
  await driver?.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Collects the states a subscription delivers. */
async function collect(): Promise<{ readonly seen: DriverUnitState[]; readonly stop: () => Promise<void> }> {
  const seen: DriverUnitState[] = [];
  const stop = await driver.subscribe((state) => seen.push(state));
  return { seen, stop };
}

const has = (seen: readonly DriverUnitState[], name: string, activeState: string, subState: string): boolean =>
  seen.some((s) => s.name === name && s.activeState === activeState && s.subState === subState);

describe('subscribe', () => {
  it('delivers start and stop of a managed unit, started outside the driver, without a single call to systemd', async () => {
    // An instance name with characters that need escaping in the object path.
    const name = 'web@8080:x-1.service';
    await driver.load(sleeper(instance, name));
    await driver.reload();
    const { seen, stop } = await collect();
    // systemd pushes ActiveState/SubState but not LoadState: the driver keeps the one its last read saw
    // (the agent reads states() every round); without one, the first signal costs one ListUnitsByNames.
    await driver.states([name]);
    const calls = vi.spyOn(BusConnection.prototype, 'call');

    expect((await instance.systemctl(['start', name])).code).toBe(0);
    await waitFor(() => has(seen, name, 'active', 'running'), `${name} active/running`);
    expect((await instance.systemctl(['stop', name])).code).toBe(0);
    await waitFor(() => has(seen, name, 'inactive', 'dead'), `${name} inactive/dead`);

    expect(calls).not.toHaveBeenCalled(); // pushed, not polled
    expect(seen.every((s) => s.name === name && s.loadState === 'loaded')).toBe(true);
    // systemd signals many property changes per transition; only changes of the three states come through
    seen.slice(1).forEach((s, i) => expect([s.activeState, s.subState]).not.toEqual([seen[i]!.activeState, seen[i]!.subState]));
    await stop();
  });

  it('a signal for a unit whose load state is unknown still arrives complete, in order', async () => {
    const { seen, stop } = await collect();
    await driver.reload(); // forgets load states
    expect((await instance.systemctl(['start', 'web@8080:x-1.service'])).code).toBe(0);
    expect((await instance.systemctl(['stop', 'web@8080:x-1.service'])).code).toBe(0);
    await waitFor(() => has(seen, 'web@8080:x-1.service', 'inactive', 'dead'), 'stopped');
    const active = seen.map((s) => s.activeState);
    expect(active.indexOf('active')).toBeLessThan(active.lastIndexOf('inactive'));
    expect(seen.every((s) => s.loadState === 'loaded')).toBe(true);
    await stop();
  });

  it('includes units loaded after subscribing, and their failures', async () => {
    const { seen, stop } = await collect();
    await driver.load(unit('later-fails.service', '[Service]\nExecStart=/bin/false\n'));
    await driver.reload();
    await driver.start('later-fails.service').catch(() => undefined);
    await waitFor(() => has(seen, 'later-fails.service', 'failed', 'failed'), 'later-fails.service failed');
    await stop();
  });

  it('leaves out units the driver does not manage', async () => {
    const { seen, stop } = await collect();
    // A unit systemd has, but not from the units directory (restarting dbus itself would cut the connection).
    const config = join(instance.home, '.config', 'systemd', 'user');
    mkdirSync(config, { recursive: true });
    writeFileSync(join(config, 'foreign.service'), '[Service]\nExecStart=/bin/sleep 1000\n');
    expect((await instance.systemctl(['start', 'foreign.service'])).code).toBe(0);
    expect((await instance.systemctl(['stop', 'foreign.service'])).code).toBe(0);
    await driver.load(sleeper(instance, 'marker.service'));
    await driver.reload();
    await driver.start('marker.service');
    await waitFor(() => has(seen, 'marker.service', 'active', 'running'), 'marker.service running');
    expect(seen.map((s) => s.name).filter((n) => n !== 'marker.service')).toEqual([]);
    await stop();
  });

  it('each subscriber gets every change; after unsubscribe, nothing more', async () => {
    const a = await collect();
    const b = await collect();
    await driver.stop('marker.service');
    await waitFor(() => has(a.seen, 'marker.service', 'inactive', 'dead') && has(b.seen, 'marker.service', 'inactive', 'dead'), 'both subscribers');
    await a.stop();
    const before = a.seen.length;
    await driver.start('marker.service');
    await waitFor(() => has(b.seen, 'marker.service', 'active', 'running'), 'the remaining subscriber');
    await sleep(50);
    expect(a.seen.length).toBe(before);
    await b.stop();
  });

  it('keeps working across a daemon-reload (systemd keeps the subscription)', async () => {
    const { seen, stop } = await collect();
    await driver.reload();
    await driver.stop('marker.service');
    await waitFor(() => has(seen, 'marker.service', 'inactive', 'dead'), 'marker.service stopped after reload');
    await stop();
  });
});
