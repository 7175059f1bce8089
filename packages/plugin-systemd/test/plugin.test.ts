/**
 * The plugin: its metadata, its options (zod, with defaults), and the
 * createDriver tap that gives the agent a working systemd driver.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { assemblePlugins, ErrorCodes, validatePluginOptions } from '@fleetd/core';
import type { FleetError, PluginEntry } from '@fleetd/core';
import { createHookRunner, pluginDriver } from '@fleetd/core/unstable';
import systemdPlugin, { DEFAULT_UNITS_DIRECTORY, systemdOptions, type SystemdDriver } from '../src/index.js';
import { useSystemd } from '../src/vitest/index.js';
import { expectFleetError, sleeper, unit } from './helpers.js';

const { version, peerDependencies } = createRequire(import.meta.url)('../package.json') as { version: string; peerDependencies: Record<string, string> };

describe('the systemd plugin', () => {
  it('is named systemd, carries the package version, and supports the core range of its peer dependency', () => {
    expect(systemdPlugin.meta).toEqual({ name: 'systemd', version, core: peerDependencies['@fleetd/core'] });
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
    const machine = { id: 'm1', metadata: {} };

    /** The driver as the agent gets it: the first createDriver tap's, guarded as its plugin's. */
    async function agentDriver(entries: readonly PluginEntry[]) {
      const pluginErrors: FleetError[] = [];
      const created = await createHookRunner(await assemblePlugins(entries), (error) => pluginErrors.push(error)).createDriver({ machine });
      return { created, pluginErrors };
    }

    it('returns a driver on the configured bus and units directory', async () => {
      const instance = systemd()[0]!;
      const { created, pluginErrors } = await agentDriver([[systemdPlugin, { busAddress: instance.busAddress, unitsDirectory: instance.unitsDirectory }]]);
      expect(created?.plugin).toBe('systemd');
      const driver = created?.driver as SystemdDriver | undefined;
      try {
        expect(driver?.unitsDirectory).toBe(instance.unitsDirectory);
        expect(driver?.busAddress).toBe(instance.busAddress);
        await driver!.load(sleeper(instance, 'via-hook.service'));
        await driver!.reload();
        await driver!.start('via-hook.service');
        expect((await driver!.states(['via-hook.service']))[0]?.activeState).toBe('active');
      } finally {
        await driver?.close();
      }
      expect(pluginErrors).toEqual([]);
    });

    it("its driver's failures reach the agent as systemd's own FleetErrors, naming the unit", async () => {
      const instance = systemd()[0]!;
      const { created } = await agentDriver([[systemdPlugin, { busAddress: instance.busAddress, unitsDirectory: instance.unitsDirectory }]]);
      const driver = pluginDriver(created!.driver, created!.plugin);
      try {
        await driver.load(unit('broken.service', '[Service]\nType=oneshot\nExecStart=/bin/false\n'));
        await driver.reload();
        const error = await expectFleetError(driver.start('broken.service'), ErrorCodes.PLUGIN_ERROR);
        // Not re-wrapped as a failure in hook "driver.start": the message is what systemd said.
        expect(error).toMatchObject({ plugin: 'systemd', unit: 'broken.service', hook: undefined });
        expect(error.message).toContain('broken.service did not start');
      } finally {
        await driver.close();
      }
    });

    it('a bus nobody listens on fails createDriver as a PLUGIN_ERROR of systemd, keeping its own code', async () => {
      const instance = systemd()[0]!;
      const busAddress = `unix:path=${instance.dir}/no-such-bus`;
      const pending = agentDriver([[systemdPlugin, { busAddress, unitsDirectory: instance.unitsDirectory, jobTimeoutMs: 2000 }]]);
      const error = await expectFleetError(pending, ErrorCodes.PLUGIN_ERROR);
      expect(error).toMatchObject({ plugin: 'systemd', hook: 'createDriver', pluginCode: ErrorCodes.PLUGIN_ERROR });
      expect(error.message).toContain('could not connect to the service manager');
    });
  });
});
