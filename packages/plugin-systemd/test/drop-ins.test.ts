/**
 * Drop-ins (AgentUnit.dropIns) on a real systemd user instance: where the
 * driver writes them, that systemd applies them (the unit's properties and
 * its cgroup's limit files), that they follow new versions and go with
 * unload, and that the driver touches only its own files.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, type AgentUnit, type UnitDropIn } from '@fleetd/core';
import { createSystemdDriver, SystemdManager, type SystemdDriver } from '../src/index.js';
import type { SystemdInstance } from '../src/testing/index.js';
import { useSystemd } from '../src/vitest/index.js';
import { expectFleetError, isAlive, pidOf, scriptUnit, sleeper, unit } from './helpers.js';
import { cgroupLimitFiles, expectedLimitFiles, INFINITY, serviceLimits } from './limits.js';

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

/** Where a user manager links runtime units: $XDG_RUNTIME_DIR/systemd/user. */
const runtimeLinks = (): string => join(instance.runtimeDir, 'systemd', 'user');
const dropInDir = (name: string): string => join(runtimeLinks(), `${name}.d`);
const filesIn = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);
const limits = (memory: string, cpu: string): UnitDropIn => ({ name: 'resources.conf', text: `[Service]\nMemoryMax=${memory}\nCPUQuota=${cpu}\n` });
const withDropIns = (u: AgentUnit, dropIns: readonly UnitDropIn[]): AgentUnit => ({ ...u, dropIns });

describe('where drop-ins go', () => {
  it("the driver found systemd's runtime unit directory, where its links are", async () => {
    expect(driver.runtimeUnitDirectory).toBe(runtimeLinks());
    await driver.load(sleeper(instance, 'where.service'));
    expect(readlinkSync(join(driver.runtimeUnitDirectory!, 'where.service'))).toBe(join(instance.unitsDirectory, 'where.service'));
    await driver.unload('where.service');
  });

  it('load writes <runtime>/<unit>.d/50-fleetd-<name>, mode 0644, with the text as given; no temporary file is left', async () => {
    const dropIns = [limits('64M', '50%'), { name: 'zz-env.conf', text: '[Service]\nEnvironment=FROM_DROP_IN=1\n' }];
    await driver.load(withDropIns(sleeper(instance, 'written.service'), dropIns));
    expect(filesIn(dropInDir('written.service'))).toEqual(['50-fleetd-resources.conf', '50-fleetd-zz-env.conf']);
    expect(readFileSync(join(dropInDir('written.service'), '50-fleetd-resources.conf'), 'utf8')).toBe('[Service]\nMemoryMax=64M\nCPUQuota=50%\n');
    expect(readFileSync(join(dropInDir('written.service'), '50-fleetd-zz-env.conf'), 'utf8')).toBe('[Service]\nEnvironment=FROM_DROP_IN=1\n');
    expect(lstatSync(join(dropInDir('written.service'), '50-fleetd-resources.conf')).mode & 0o777).toBe(0o644);
    await driver.unload('written.service');
  });

  it('unchanged drop-ins are not rewritten (systemd compares file times)', async () => {
    const u = withDropIns(sleeper(instance, 'same.service'), [limits('64M', '50%')]);
    await driver.load(u);
    const file = join(dropInDir('same.service'), '50-fleetd-resources.conf');
    const before = lstatSync(file);
    await driver.load(u);
    expect(lstatSync(file).ino).toBe(before.ino);
    expect(lstatSync(file).mtimeMs).toBe(before.mtimeMs);
    await driver.unload('same.service');
  });
});

describe('systemd applies them', () => {
  // What the agent does for a unit systemd has no definition of: load, then start, no daemon-reload.
  it.each([
    { name: 'never looked up before', lookUpFirst: false, unitName: 'fresh-limited.service' },
    { name: 'looked up before (load state not-found)', lookUpFirst: true, unitName: 'seen-limited.service' },
  ])('a new unit started right after load runs with its limits: $name', async ({ lookUpFirst, unitName }) => {
    if (lookUpFirst) expect((await driver.states([unitName]))[0]?.loadState).toBe('not-found');
    await driver.load(withDropIns(sleeper(instance, unitName), [limits('64M', '50%')]));
    await driver.start(unitName);
    expect(isAlive(await pidOf(instance, unitName))).toBe(true);
    const applied = await serviceLimits(manager, unitName);
    expect(applied.memoryMax).toBe(64n * 1024n * 1024n);
    expect(applied.cpuQuotaPerSecUSec).toBe(500_000n);
    expect(applied.dropInPaths).toEqual([join(dropInDir(unitName), '50-fleetd-resources.conf')]);
    expect(cgroupLimitFiles(applied.controlGroup)).toEqual(expectedLimitFiles(64 * 1024 * 1024, 50));
    await driver.unload(unitName);
  });

  describe('a replaced unit', () => {
    // The version lives in the unit file, so each is a new hash, as a replace is.
    const version = (v: string, dropIns: readonly UnitDropIn[]): AgentUnit =>
      withDropIns(scriptUnit(instance, 'replaced.service', 'echo $$ > {{dir}}/replaced.service.pid\nexec sleep 1000\n', `Environment=VERSION=${v}\n`), dropIns);
    const replace = async (next: AgentUnit): Promise<void> => {
      // The agent's order for new contents: unload, load, daemon-reload, start.
      await driver.unload(next.name);
      await driver.load(next);
      await driver.reload();
      await driver.start(next.name);
    };

    it('v1 runs with its limits', async () => {
      await driver.load(version('v1', [limits('64M', '50%')]));
      await driver.start('replaced.service');
      const applied = await serviceLimits(manager, 'replaced.service');
      expect([applied.memoryMax, applied.cpuQuotaPerSecUSec]).toEqual([64n * 1024n * 1024n, 500_000n]);
      expect(cgroupLimitFiles(applied.controlGroup)).toEqual(expectedLimitFiles(64 * 1024 * 1024, 50));
    });

    it('v2 with a different drop-in gets the new limits after the reload; the files follow', async () => {
      await replace(version('v2', [limits('128M', '25%')]));
      expect(filesIn(dropInDir('replaced.service'))).toEqual(['50-fleetd-resources.conf']);
      expect(readFileSync(join(dropInDir('replaced.service'), '50-fleetd-resources.conf'), 'utf8')).toBe('[Service]\nMemoryMax=128M\nCPUQuota=25%\n');
      const applied = await serviceLimits(manager, 'replaced.service');
      expect([applied.memoryMax, applied.cpuQuotaPerSecUSec]).toEqual([128n * 1024n * 1024n, 250_000n]);
      expect(cgroupLimitFiles(applied.controlGroup)).toEqual(expectedLimitFiles(128 * 1024 * 1024, 25));
    });

    it('v3 without drop-ins: the file and the directory are gone, and systemd sets no limit', async () => {
      await replace(version('v3', []));
      expect(existsSync(dropInDir('replaced.service'))).toBe(false);
      const applied = await serviceLimits(manager, 'replaced.service');
      expect([applied.memoryMax, applied.cpuQuotaPerSecUSec, applied.dropInPaths]).toEqual([INFINITY, INFINITY, []]);
    });

    it('a new version loaded over the old one (no unload) replaces and removes its drop-ins too', async () => {
      await driver.load(version('v4', [limits('64M', '50%'), { name: 'extra.conf', text: '[Service]\nNice=5\n' }]));
      expect(filesIn(dropInDir('replaced.service'))).toEqual(['50-fleetd-extra.conf', '50-fleetd-resources.conf']);
      await driver.load(version('v5', [limits('96M', '75%')]));
      expect(filesIn(dropInDir('replaced.service'))).toEqual(['50-fleetd-resources.conf']);
      expect(readFileSync(join(dropInDir('replaced.service'), '50-fleetd-resources.conf'), 'utf8')).toBe('[Service]\nMemoryMax=96M\nCPUQuota=75%\n');
      await driver.reload();
      await driver.stop('replaced.service');
      await driver.start('replaced.service');
      const applied = await serviceLimits(manager, 'replaced.service');
      expect([applied.memoryMax, applied.cpuQuotaPerSecUSec]).toEqual([96n * 1024n * 1024n, 750_000n]);
      expect(cgroupLimitFiles(applied.controlGroup)).toEqual(expectedLimitFiles(96 * 1024 * 1024, 75));
    });

    it('unload removes the drop-ins and the directory', async () => {
      await driver.unload('replaced.service');
      expect(existsSync(dropInDir('replaced.service'))).toBe(false);
      expect(existsSync(join(instance.unitsDirectory, 'replaced.service'))).toBe(false);
    });
  });
});

describe('only its own files', () => {
  it('a drop-in the driver did not write is left alone, and so is the directory holding it', async () => {
    const name = 'shared.service';
    mkdirSync(dropInDir(name), { recursive: true });
    writeFileSync(join(dropInDir(name), '90-admin.conf'), '[Service]\nNice=3\n');
    await driver.load(withDropIns(sleeper(instance, name), [limits('64M', '50%')]));
    expect(filesIn(dropInDir(name))).toEqual(['50-fleetd-resources.conf', '90-admin.conf']);
    await driver.load(withDropIns(sleeper(instance, name, '# v2\n'), []));
    expect(filesIn(dropInDir(name))).toEqual(['90-admin.conf']);
    await driver.load(withDropIns(sleeper(instance, name, '# v3\n'), [limits('64M', '50%')]));
    await driver.unload(name);
    expect(filesIn(dropInDir(name))).toEqual(['90-admin.conf']);
    expect(readFileSync(join(dropInDir(name), '90-admin.conf'), 'utf8')).toBe('[Service]\nNice=3\n');
  });

  it('after a restart of fleetd (a new driver), unload finds the drop-ins by their prefix and removes them', async () => {
    await driver.load(withDropIns(sleeper(instance, 'restarted.service'), [limits('64M', '50%')]));
    expect(filesIn(dropInDir('restarted.service'))).toEqual(['50-fleetd-resources.conf']);
    const next = await createSystemdDriver({ busAddress: instance.busAddress, unitsDirectory: instance.unitsDirectory });
    try {
      expect((await next.installed()).has('restarted.service')).toBe(true);
      await next.unload('restarted.service');
    } finally {
      await next.close();
    }
    expect(existsSync(dropInDir('restarted.service'))).toBe(false);
  });
});

describe('refused before anything is written', () => {
  const nothingNamed = (part: string): void => {
    for (const dir of [instance.runtimeDir, join(instance.runtimeDir, 'systemd'), runtimeLinks(), instance.unitsDirectory, instance.dir]) {
      expect(filesIn(dir).filter((f) => f.includes(part))).toEqual([]);
    }
  };

  it.each([
    { name: '../escape.service', message: 'invalid unit name "../escape.service": \'/\' is not allowed (position 3)' },
    { name: '../../outside/escape.service', message: 'invalid unit name "../../outside/escape.service": \'/\' is not allowed (position 3)' },
    { name: 'a/../escape.service', message: 'invalid unit name "a/../escape.service": \'/\' is not allowed (position 2)' },
    { name: '..', message: 'invalid unit name "..": it ends in \'.\' instead of a unit type' },
  ])('a unit name that would escape the directory: $name', async ({ name, message }) => {
    const error = await expectFleetError(
      driver.load(withDropIns(unit(name, '[Service]\nExecStart=/bin/true\n'), [limits('64M', '50%')])),
      ErrorCodes.UNIT_NAME_INVALID,
    );
    expect([error.unit, error.message]).toEqual([name, message]);
    nothingNamed('escape');
    nothingNamed('resources.conf');
  });

  const invalidName = 'a name is 1-105 characters of [A-Za-z0-9_.@-] ending in .conf';
  it.each([
    {
      name: 'a drop-in name with a slash',
      dropIn: { name: '../../escape.conf', text: '' },
      message: `systemd: drop-in "../../escape.conf" of bad-drop-in.service: ${invalidName}`,
    },
    {
      name: 'a drop-in name not ending in .conf',
      dropIn: { name: 'limits', text: '' },
      message: `systemd: drop-in "limits" of bad-drop-in.service: ${invalidName}`,
    },
    {
      name: 'a NUL in the text',
      dropIn: { name: 'nul.conf', text: 'a\0b' },
      message: 'systemd: drop-in nul.conf of bad-drop-in.service contains a NUL character',
    },
  ])('$name', async ({ dropIn, message }) => {
    const name = 'bad-drop-in.service';
    const error = await expectFleetError(driver.load(withDropIns(sleeper(instance, name), [limits('64M', '50%'), dropIn])), ErrorCodes.PLUGIN_ERROR);
    expect([error.unit, error.message]).toEqual([name, message]);
    expect(existsSync(join(instance.unitsDirectory, name))).toBe(false);
    expect(existsSync(dropInDir(name))).toBe(false);
    expect(existsSync(join(runtimeLinks(), name))).toBe(false);
    nothingNamed('escape');
  });

  it('a unit name too long for a drop-in directory (254 characters + ".d"): refused with drop-ins, loaded without', async () => {
    const name = `${'n'.repeat(254 - '.service'.length)}.service`;
    const long = unit(name, '[Service]\nExecStart=/bin/sleep 1000\n');
    const error = await expectFleetError(driver.load(withDropIns(long, [limits('64M', '50%')])), ErrorCodes.PLUGIN_ERROR);
    expect([error.unit, error.message]).toEqual([
      name,
      `systemd: cannot install the drop-ins of ${name}: its drop-in directory's name (the unit's and ".d") would be longer than a file name may be (255 characters)`,
    ]);
    expect(existsSync(join(instance.unitsDirectory, name))).toBe(false);
    await driver.load(long);
    expect(existsSync(join(instance.unitsDirectory, name))).toBe(true);
    await driver.unload(name);
  });
});
