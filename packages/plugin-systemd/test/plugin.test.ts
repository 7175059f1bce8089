/**
 * The plugin: its metadata, its options (zod, with defaults), and the
 * createDriver tap that gives the agent a working systemd driver.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { assemblePlugins, ErrorCodes, validatePluginOptions } from '@fleetd/core';
import systemdPlugin, { DEFAULT_UNITS_DIRECTORY, systemdOptions, type SystemdDriver } from '../src/index.js';
import { useSystemd } from '../src/testing/index.js';
import { expectFleetError, sleeper } from './helpers.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

describe('the systemd plugin', () => {
  it('is named systemd, carries the package version, and supports core ^0.1.0', () => {
    expect(systemdPlugin.meta).toEqual({ name: 'systemd', version, core: '^0.1.0' });
  });

  it('defaults: fleet’s units directory, the system bus, 30 s jobs, a 100 ms settle window', async () => {
    expect(await validatePluginOptions('systemd', systemdOptions, undefined)).toEqual({
      ok: true,
      value: { unitsDirectory: DEFAULT_UNITS_DIRECTORY, jobTimeoutMs: 30_000, startSettleMs: 100 },
    });
    expect(DEFAULT_UNITS_DIRECTORY).toBe('/run/fleet/units');
  });

  it('refuses bad options, each problem with its path', async () => {
    const outcome = await validatePluginOptions('systemd', systemdOptions, { jobTimeoutMs: -1, busAddress: '', unitDir: '/x' });
    expect(outcome.ok).toBe(false);
    const issues = outcome.ok ? [] : outcome.issues;
    expect(issues.some((i) => i.startsWith('systemd: jobTimeoutMs:'))).toBe(true);
    expect(issues.some((i) => i.startsWith('systemd: busAddress:'))).toBe(true);
    expect(issues.some((i) => i.includes('unitDir'))).toBe(true);
    await expectFleetError(assemblePlugins([[systemdPlugin, { jobTimeoutMs: 'soon' }]]), ErrorCodes.PLUGIN_OPTIONS_INVALID);
  });

  describe('createDriver', () => {
    const systemd = useSystemd(1);

    it('returns a driver on the configured bus and units directory', async () => {
      const instance = systemd()[0]!;
      const host = await assemblePlugins([[systemdPlugin, { busAddress: instance.busAddress, unitsDirectory: instance.unitsDirectory }]]);
      const driver = (await host.hooks.createDriver.promise({ machine: { id: 'm1', metadata: {} } })) as SystemdDriver | undefined;
      expect(driver).toBeDefined();
      try {
        expect(driver!.unitsDirectory).toBe(instance.unitsDirectory);
        expect(driver!.busAddress).toBe(instance.busAddress);
        await driver!.load(sleeper(instance, 'via-hook.service'));
        await driver!.reload();
        await driver!.start('via-hook.service');
        expect((await driver!.states(['via-hook.service']))[0]?.activeState).toBe('active');
      } finally {
        await driver?.close();
      }
    });
  });
});
