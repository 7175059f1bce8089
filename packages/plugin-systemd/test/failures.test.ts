/**
 * Units that do not start, jobs that do not finish, and a systemd that goes
 * away: start() rejects with a FleetError that names the unit and says what
 * systemd reports, states() says `failed`, and nothing hangs.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '@fleetd/core';
import { createSystemdDriver, type SystemdDriver } from '../src/index.js';
import { startSystemdInstance, type SystemdInstance } from '../src/testing/index.js';
import { useSystemd } from '../src/vitest/index.js';
import { expectFleetError, unit } from './helpers.js';

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

async function loaded(name: string, service: string): Promise<void> {
  await driver.load(unit(name, `[Service]\n${service}`));
  await driver.reload();
}

describe('start() of a unit that fails', () => {
  it.each([
    { name: 'false-simple.service', service: 'ExecStart=/bin/false\n', why: 'Type=simple, exits 1 at once' },
    { name: 'missing-simple.service', service: 'ExecStart=/nonexistent/bin/daemon\n', why: 'Type=simple, no such binary (start job ends "done")' },
    { name: 'false-oneshot.service', service: 'Type=oneshot\nExecStart=/bin/false\n', why: 'Type=oneshot, start job ends "failed"' },
    { name: 'missing-exec.service', service: 'Type=exec\nExecStart=/nonexistent/bin/daemon\n', why: 'Type=exec, no such binary' },
  ])('$why: rejects naming the unit, and states() says failed', async ({ name, service }) => {
    await loaded(name, service);
    const error = await expectFleetError(driver.start(name), ErrorCodes.PLUGIN_ERROR);
    expect(error.unit).toBe(name);
    expect(error.plugin).toBe('systemd');
    expect(error.message).toContain(`${name} did not start: it is failed (failed)`);
    expect(await driver.states([name])).toEqual([{ name, loadState: 'loaded', activeState: 'failed', subState: 'failed' }]);
  });

  it.each([
    { name: 'oneshot-ok.service', service: 'Type=oneshot\nExecStart=/bin/true\n', active: 'inactive', sub: 'dead' },
    { name: 'oneshot-remain.service', service: 'Type=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n', active: 'active', sub: 'exited' },
    { name: 'quick-exit.service', service: 'ExecStart=/bin/true\n', active: 'inactive', sub: 'dead' },
    { name: 'condition.service', service: 'ExecStart=/bin/sleep 1000\n', unit: 'ConditionPathExists=/nonexistent\n', active: 'inactive', sub: 'dead' },
  ])('$name: ran and exited cleanly (or was skipped) counts as started: $active/$sub', async ({ name, service, unit: unitSection, active, sub }) => {
    await driver.load(unit(name, `[Unit]\n${unitSection ?? ''}Description=x\n\n[Service]\n${service}`));
    await driver.reload();
    await driver.start(name);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await driver.states([name])).toEqual([{ name, loadState: 'loaded', activeState: active, subState: sub }]);
  });

  it('a Type=simple unit loaded by an earlier driver (its type asked of systemd) still rejects when its binary is missing', async () => {
    const name = 'missing-earlier.service';
    await loaded(name, 'ExecStart=/nonexistent/bin/daemon\n');
    const later = await createSystemdDriver({ busAddress: instance.busAddress, unitsDirectory: instance.unitsDirectory });
    try {
      const error = await expectFleetError(later.start(name), ErrorCodes.PLUGIN_ERROR);
      expect(error.message).toContain(`${name} did not start: it is failed (failed)`);
    } finally {
      await later.close();
    }
  });

  it('a failed unit starts again once fixed (replace + reload), and unload resets it', async () => {
    await loaded('false-simple.service', 'ExecStart=/bin/sleep 1000\n');
    await driver.start('false-simple.service');
    await driver.unload('false-simple.service');
    await driver.unload('missing-simple.service');
    await driver.reload();
    const states = await driver.states(['false-simple.service', 'missing-simple.service']);
    expect(states.map((s) => [s.loadState, s.activeState])).toEqual([
      ['not-found', 'inactive'],
      ['not-found', 'inactive'],
    ]);
  });

  it('a unit with no file: rejects with systemd’s reason', async () => {
    const error = await expectFleetError(driver.start('no-file.service'), ErrorCodes.PLUGIN_ERROR);
    expect(error.unit).toBe('no-file.service');
    expect(error.message).toMatch(/could not start no-file\.service: Unit no-file\.service not found/);
  });

  it('a unit with a bad setting: rejects with systemd’s reason', async () => {
    await loaded('bad-setting.service', 'ExecStart=relative/path\n');
    const error = await expectFleetError(driver.start('bad-setting.service'), ErrorCodes.PLUGIN_ERROR);
    expect(error.message).toContain('bad-setting.service');
    expect((await driver.states(['bad-setting.service']))[0]?.loadState).toBe('bad-setting');
  });
});

describe('jobs that do not finish in time', () => {
  it('start() rejects with PLUGIN_TIMEOUT after jobTimeoutMs; the job goes on in systemd', async () => {
    const impatient = await createSystemdDriver({ busAddress: instance.busAddress, unitsDirectory: instance.unitsDirectory, jobTimeoutMs: 300 });
    try {
      await impatient.load(unit('slow.service', '[Service]\nType=oneshot\nExecStart=/bin/sleep 5\n'));
      await impatient.reload();
      const error = await expectFleetError(impatient.start('slow.service'), ErrorCodes.PLUGIN_TIMEOUT);
      // Still activating: start() gave up before the 5 s job ended (no clock read here: on a
      // loaded machine a wall-time bound failed while the behaviour was right).
      expect(error.unit).toBe('slow.service');
      expect(error.message).toMatch(/start job of slow\.service did not finish within 300 ms/);
      expect((await impatient.states(['slow.service']))[0]?.activeState).toBe('activating');
      await impatient.stop('slow.service');
    } finally {
      await impatient.close();
    }
  });
});

describe('a service manager that goes away', () => {
  it('createSystemdDriver rejects with a FleetError when nothing listens on the bus address', async () => {
    const error = await expectFleetError(
      createSystemdDriver({ busAddress: `unix:path=${instance.dir}/no-such-bus`, unitsDirectory: instance.unitsDirectory, jobTimeoutMs: 2000 }),
      ErrorCodes.PLUGIN_ERROR,
    );
    expect(error.message).toMatch(/could not connect to the service manager/);
    expect(error.message).toContain('no-such-bus');
  });

  it('calls on a driver whose systemd stopped reject at once instead of hanging', async () => {
    const doomed = await startSystemdInstance();
    // Units directory outside the doomed instance's directory, which its stop() removes.
    const unitsDirectory = join(instance.dir, 'orphan-units');
    const orphan = await createSystemdDriver({ busAddress: doomed.busAddress, unitsDirectory });
    try {
      await orphan.load(unit('x.service', '[Service]\nExecStart=/bin/sleep 1000\n'));
      await doomed.stop();
      const started = Date.now();
      const error = await expectFleetError(orphan.states(['x.service']), ErrorCodes.PLUGIN_ERROR);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(error.message).toMatch(/connection to .* (lost|closed)/);
      await expectFleetError(orphan.start('x.service'), ErrorCodes.PLUGIN_ERROR);
      // A load that could not link leaves no file behind: installed() must not report it.
      await expectFleetError(orphan.load(unit('y.service', '[Service]\nExecStart=/bin/sleep 1000\n')), ErrorCodes.PLUGIN_ERROR);
      expect(existsSync(join(unitsDirectory, 'y.service'))).toBe(false);
      expect([...(await orphan.installed()).keys()]).toEqual(['x.service']);
    } finally {
      await orphan.close();
      await doomed.stop();
    }
  });
});
