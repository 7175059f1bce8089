/**
 * The driver's life cycle against a real systemd user instance: load, reload,
 * start, stop, replace, unload, enablement, states, installed(), and the
 * refusal of names that would leave the units directory.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ErrorCodes } from '@fleetd/core';
import { createSystemdDriver, SystemdManager, UNIT_INTERFACE, unitObjectPath, type SystemdDriver } from '../src/index.js';
import type { SystemdInstance } from '../src/testing/index.js';
import { useSystemd } from '../src/vitest/index.js';
import { expectFleetError, isAlive, pidOf, scriptUnit, sleeper, unit, waitFor } from './helpers.js';

const systemd = useSystemd(1);
let instance: SystemdInstance;
let driver: SystemdDriver;
let manager: SystemdManager;

beforeAll(async () => {
  instance = systemd()[0]!;
  driver = await createSystemdDriver({ busAddress: instance.busAddress, unitsDirectory: instance.unitsDirectory });
  manager = await SystemdManager.connect(instance.busAddress, 10_000);
});
afterAll(async () => {
  await driver?.close();
  manager?.close();
});

const runtimeLinks = (): string => join(instance.runtimeDir, 'systemd', 'user');

describe('load, start, stop', () => {
  it('writes the unit file (mode 0644) and links it at runtime, without a daemon reload', async () => {
    const u = sleeper(instance, 'runs.service');
    await driver.load(u);
    const file = join(instance.unitsDirectory, 'runs.service');
    expect(readFileSync(file, 'utf8')).toContain('ExecStart=/bin/sh ');
    expect(lstatSync(file).mode & 0o777).toBe(0o644);
    expect(lstatSync(join(runtimeLinks(), 'runs.service')).isSymbolicLink()).toBe(true);
    expect(await manager.getUnitFileState('runs.service')).toBe('linked-runtime');
    expect(readdirSync(instance.unitsDirectory).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a started unit really runs', async () => {
    await driver.reload();
    await driver.start('runs.service');
    const pid = await pidOf(instance, 'runs.service');
    expect(isAlive(pid)).toBe(true);
    expect(await driver.states(['runs.service'])).toEqual([{ name: 'runs.service', loadState: 'loaded', activeState: 'active', subState: 'running' }]);
    // started twice: still the same process
    await driver.start('runs.service');
    expect(isAlive(pid)).toBe(true);
  });

  it('stop stops it: the process is gone when stop() resolves', async () => {
    const pid = await pidOf(instance, 'runs.service');
    await driver.stop('runs.service');
    expect(isAlive(pid)).toBe(false);
    const [state] = await driver.states(['runs.service']);
    expect(state).toMatchObject({ activeState: 'inactive', subState: 'dead' });
    await driver.stop('runs.service'); // stopping a stopped unit is fine
  });

  it('stop of a unit systemd never loaded resolves (nothing runs)', async () => {
    await driver.stop('never-seen.service');
  });
});

describe('no daemon-reload for units systemd has no definition of', () => {
  it('a unit systemd looked up before its file existed (not-found) is loaded from the file linked since', async () => {
    const u = sleeper(instance, 'looked-up.service');
    expect(await driver.states([u.name])).toEqual([{ name: u.name, loadState: 'not-found', activeState: 'inactive', subState: 'dead' }]);
    await driver.load(u);
    expect(await driver.states([u.name])).toEqual([{ name: u.name, loadState: 'loaded', activeState: 'inactive', subState: 'dead' }]);
    await driver.start(u.name);
    expect(isAlive(await pidOf(instance, u.name))).toBe(true);
  });

  it('many units linked and started in a burst all run, with at most one reload', async () => {
    const reload = vi.spyOn(SystemdManager.prototype, 'reload');
    const units = Array.from({ length: 20 }, (_, i) => sleeper(instance, `burst-${i}.service`));
    await driver.states(units.map((u) => u.name));
    await Promise.all(units.map((u) => driver.load(u)));
    await Promise.all(units.map((u) => driver.start(u.name)));
    for (const u of units) expect(isAlive(await pidOf(instance, u.name))).toBe(true);
    // A link systemd missed (same mtime tick as its last look) is the one case that reloads.
    expect(reload.mock.calls.length).toBeLessThanOrEqual(1);
    reload.mockRestore();
    for (const u of units) await driver.unload(u.name);
  });

  // systemd sees a new unit file by its directories' mtimes: a link within the tick of its last look goes unseen.
  // The mtime is set to whole seconds before systemd's look and put back after the link (exactly: a double holds it).
  const linkUnseen = async (name: string): Promise<void> => {
    const tick = Math.floor(Date.now() / 1000) - 60;
    utimesSync(runtimeLinks(), tick, tick);
    await driver.states([name]); // systemd looks it up: not-found
    await driver.load(sleeper(instance, name));
    utimesSync(runtimeLinks(), tick, tick);
    expect((await manager.listUnitsByNames([name]))[0]?.loadState).toBe('not-found');
  };

  it('a link systemd did not see: start() reloads once and starts it', async () => {
    await linkUnseen('unseen-start.service');
    await driver.start('unseen-start.service');
    expect(isAlive(await pidOf(instance, 'unseen-start.service'))).toBe(true);
  });

  it('a link systemd did not see: states() reloads once and reports it loaded', async () => {
    await linkUnseen('unseen-states.service');
    expect(await driver.states(['unseen-states.service'])).toEqual([
      { name: 'unseen-states.service', loadState: 'loaded', activeState: 'inactive', subState: 'dead' },
    ]);
  });
});

describe('states and installed()', () => {
  it('a unit that is not loaded yet is not-found/inactive/dead', async () => {
    expect(await driver.states(['not-yet.service'])).toEqual([{ name: 'not-yet.service', loadState: 'not-found', activeState: 'inactive', subState: 'dead' }]);
  });

  it('without names: every unit file in the units directory, nothing else of systemd’s', async () => {
    await driver.load(sleeper(instance, 'listed-a.service'));
    await driver.load(sleeper(instance, 'listed-b.service'));
    const names = (await driver.states()).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['listed-a.service', 'listed-b.service', 'runs.service']));
    expect(names).not.toContain('dbus.service');
    expect(names).toEqual(
      readdirSync(instance.unitsDirectory)
        .filter((f) => f.endsWith('.service'))
        .sort(),
    );
  });

  it('installed() maps each unit file to the hash the core gives its contents', async () => {
    const u = sleeper(instance, 'hashed.service');
    await driver.load(u);
    const installed = await driver.installed();
    expect(installed.get('hashed.service')).toBe(u.hash);
    expect(installed.has('dbus.service')).toBe(false);
  });

  it('names systemd cannot have are left out of states(), as ListUnitsByNames does', async () => {
    const tooLong = `${'x'.repeat(248)}.service`;
    const states = await driver.states(['runs.service', tooLong, 'foo@.service', '../x.service']);
    expect(states.map((s) => s.name)).toEqual(['runs.service']);
  });
});

describe('[Install] units', () => {
  const wants = async (): Promise<unknown> => manager.getProperty(unitObjectPath('default.target'), UNIT_INTERFACE, 'Wants');

  it('are enabled at runtime: linked into default.target.wants', async () => {
    await driver.load(sleeper(instance, 'installed.service', '\n[Install]\nWantedBy=default.target\n'));
    expect(await manager.getUnitFileState('installed.service')).toBe('enabled-runtime');
    expect(existsSync(join(runtimeLinks(), 'default.target.wants', 'installed.service'))).toBe(true);
    await driver.reload();
    expect(await wants()).toContain('installed.service');
  });

  it('a new version without [Install] is no longer enabled', async () => {
    await driver.load(sleeper(instance, 'installed.service', '# no install section now\n'));
    expect(await manager.getUnitFileState('installed.service')).toBe('linked-runtime');
    expect(existsSync(join(runtimeLinks(), 'default.target.wants', 'installed.service'))).toBe(false);
    await driver.reload();
    expect(await wants()).not.toContain('installed.service');
  });

  it('units without [Install] are only linked', async () => {
    expect(await manager.getUnitFileState('runs.service')).toBe('linked-runtime');
  });
});

describe('replace and unload', () => {
  // The version lives in the unit file (the script is the same file for both): only a reload makes v2 visible.
  const version = (v: string) =>
    scriptUnit(
      instance,
      'replaced.service',
      'echo "$VERSION" > {{dir}}/replaced.out\necho $$ > {{dir}}/replaced.service.pid\nexec sleep 1000\n',
      `Environment=VERSION=${v}\n`,
    );
  const output = (): string => readFileSync(join(instance.dir, 'replaced.out'), 'utf8').trim();

  it('load new contents + reload + restart runs the new contents', async () => {
    await driver.load(version('v1'));
    await driver.reload();
    await driver.start('replaced.service');
    await waitFor(() => existsSync(join(instance.dir, 'replaced.out')), 'v1 to run');
    expect(output()).toBe('v1');
    const first = await pidOf(instance, 'replaced.service');

    await driver.load(version('v2'));
    await driver.reload();
    await driver.stop('replaced.service');
    await driver.start('replaced.service');
    await waitFor(() => output() === 'v2', 'v2 to run');
    const second = await pidOf(instance, 'replaced.service');
    expect(second).not.toBe(first);
    expect(isAlive(first)).toBe(false);
    expect(isAlive(second)).toBe(true);
  });

  it('a loaded unit keeps its old contents until the reload (NeedDaemonReload)', async () => {
    // While loaded (here: running) systemd keeps the old definition. A stopped unit may be garbage-collected
    // and read afresh at its next start, so without a reload which contents run is a race: always reload.
    await driver.load(version('v3'));
    const need = (): Promise<unknown> => manager.getProperty(unitObjectPath('replaced.service'), UNIT_INTERFACE, 'NeedDaemonReload');
    expect(await need()).toBe(true);
    await driver.reload();
    expect(await need()).toBe(false);
  });

  it('unload stops the unit and removes its file, links and the unit itself', async () => {
    const pid = await pidOf(instance, 'replaced.service');
    await driver.unload('replaced.service');
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(join(instance.unitsDirectory, 'replaced.service'))).toBe(false);
    expect(existsSync(join(runtimeLinks(), 'replaced.service'))).toBe(false);
    expect((await driver.installed()).has('replaced.service')).toBe(false);
    await driver.reload();
    expect(await driver.states(['replaced.service'])).toEqual([
      { name: 'replaced.service', loadState: 'not-found', activeState: 'inactive', subState: 'dead' },
    ]);
    expect((await driver.states()).map((s) => s.name)).not.toContain('replaced.service');
  });

  it('unload of an enabled unit removes its [Install] links; unloading twice is fine', async () => {
    await driver.load(sleeper(instance, 'gone.service', '\n[Install]\nWantedBy=default.target\n'));
    await driver.unload('gone.service');
    expect(existsSync(join(runtimeLinks(), 'default.target.wants', 'gone.service'))).toBe(false);
    await driver.unload('gone.service');
  });
});

describe('names that would leave the units directory', () => {
  const hostile = [
    '../x.service',
    '../../../../etc/systemd/system/x.service',
    '/etc/systemd/system/x.service',
    'a/../x.service',
    '..service',
    '.service',
    '..',
    'x\u0000.service',
    'x/.service',
    'foo@.service', // a template: never loaded, only its instances
    `${'y'.repeat(248)}.service`, // valid for fleet (256), too long for systemd (255)
  ];

  it.each(hostile)('%j is refused by every method, with a FleetError naming it', async (name) => {
    for (const call of [
      () => driver.load(unit(name, '[Service]\nExecStart=/bin/true\n')),
      () => driver.start(name),
      () => driver.stop(name),
      () => driver.unload(name),
    ]) {
      const error = await expectFleetError(call(), name === 'foo@.service' ? ErrorCodes.UNIT_TEMPLATE_NOT_RUNNABLE : ErrorCodes.UNIT_NAME_INVALID);
      expect(error.unit).toBe(name);
      expect(error.message).toContain(JSON.stringify(name).slice(1, 20));
    }
    const outside = dirname(instance.unitsDirectory);
    expect(readdirSync(outside).filter((f) => f.startsWith('x'))).toEqual([]);
    expect(existsSync('/etc/systemd/system/x.service')).toBe(false);
  });
});

describe('the longest names systemd accepts', () => {
  it.each([
    { name: '255 characters (systemd’s UNIT_NAME_MAX, and NAME_MAX)', length: 255 },
    { name: '236 characters (the first that overflowed the old temporary name)', length: 236 },
  ])('regression: a unit name of $name is written, loads and starts', async ({ length }) => {
    const name = `${'n'.repeat(length - '.service'.length)}.service`;
    expect(name).toHaveLength(length);
    const pidFile = join(instance.dir, `long-${length}.pid`);
    await driver.load(unit(name, `[Service]\nExecStart=/bin/sh -c 'echo $$$$ > ${pidFile}; exec sleep 1000'\n`));
    await driver.start(name);
    const pid = await waitFor(() => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : 0), `${name} to write its pid`);
    expect(isAlive(pid)).toBe(true);
    expect(await driver.states([name])).toEqual([{ name, loadState: 'loaded', activeState: 'active', subState: 'running' }]);
    expect(readdirSync(instance.unitsDirectory).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await driver.unload(name);
    expect(isAlive(pid)).toBe(false);
  });
});
