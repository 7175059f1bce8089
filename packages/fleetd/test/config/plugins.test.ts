import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORE_VERSION, definePlugin, ErrorCodes } from '@fleetd/core';
import { assembleFromConfig, loadConfig, resolveConfig, resolvePlugins } from '../../src/config/index.js';
import { emptyDir, fixture, fixtureCopy, fleetError, NO_SYSTEM_DIR } from './helpers.js';

async function resolveDir(dir: string) {
  return resolveConfig(await loadConfig({ cwd: dir, env: {}, systemConfigDir: NO_SYSTEM_DIR }));
}

describe('plugin resolution', () => {
  it('by path, relative to the config file', async () => {
    const resolved = await resolveDir(fixture('plugin-by-path'));
    expect(resolved.plugins.map(({ specifier, from }) => ({ specifier, from }))).toEqual([
      { specifier: '../_plugins/zone.mjs', from: join(fixture('_plugins'), 'zone.mjs') },
    ]);
    const host = await assembleFromConfig(resolved);
    expect(host.plugins.map((plugin) => [plugin.meta.name, plugin.options, plugin.weight])).toEqual([['zone', { key: 'zone' }, 1]]);
  });

  it('extraPlugins: one line adds a plugin to the default ones, before the systemd driver', async () => {
    const resolved = await resolveDir(fixture('plugin-extra'));
    const names = resolved.plugins.map(({ specifier }) => specifier);
    expect(names.slice(-2)).toEqual(['../_plugins/zone.mjs', '@fleetd/plugin-systemd']);
    expect(names).toContain('least-loaded');
    const host = await assembleFromConfig(resolved);
    expect(host.plugins.find((plugin) => plugin.meta.name === 'zone')?.weight).toBe(2);
  });

  it('extraPlugins come after a plugins list', async () => {
    const resolved = await resolveDir(fixture('plugin-extra-after-list'));
    expect(resolved.plugins.map(({ specifier }) => specifier)).toEqual(['@fleetd/plugin-least-loaded', '../_plugins/zone.mjs']);
  });

  it("by package name, from the config's node_modules, with options", async () => {
    const dir = await fixtureCopy('plugin-by-package');
    const resolved = await resolveDir(dir);
    expect(resolved.plugins[0]?.from).toBe(join(dir, 'node_modules', 'fleetd-plugin-zone', 'index.js'));
    const host = await assembleFromConfig(resolved);
    expect(host.plugins.map((plugin) => [plugin.meta.name, plugin.options])).toEqual([['zone-package', { key: 'rack' }]]);
  });

  it("first-party plugins resolve from fleetd's own install when the config dir has no node_modules", async () => {
    const plugins = await resolvePlugins({ plugins: ['@fleetd/plugin-metadata'] }, { configDir: await emptyDir() });
    expect(plugins.map((plugin) => (plugin.entry as { plugin: { meta: { name: string } } }).plugin.meta.name)).toEqual(['metadata']);
  });

  it('a path that does not exist is PLUGIN_NOT_FOUND naming entry and file', async () => {
    const error = await fleetError(() => resolveDir(fixture('plugin-not-found')));
    expect(error.code).toBe(ErrorCodes.PLUGIN_NOT_FOUND);
    expect(error.message).toBe(
      `plugins[1] "./missing-plugin.mjs": cannot be found: ${join(fixture('plugin-not-found'), 'missing-plugin.mjs')} does not exist (paths are relative to ${fixture('plugin-not-found')})`,
    );
  });

  it('a package that is not installed is PLUGIN_NOT_FOUND saying where it looked and how to install it', async () => {
    const configDir = await emptyDir();
    const error = await fleetError(() => resolvePlugins({ plugins: ['@fleetd/plugin-metadata', 'ghost', 'fleetd-plugin-zone'] }, { configDir }));
    expect(error.code).toBe(ErrorCodes.PLUGIN_NOT_FOUND);
    expect(error.message).toBe(`plugins[1] "ghost": cannot be found from ${configDir} (npm i ghost in ${configDir}, or give its path)`);
  });

  it('a module whose default export is not a plugin is PLUGIN_INVALID', async () => {
    const error = await fleetError(() => resolveDir(fixture('plugin-not-a-plugin')));
    expect(error.code).toBe(ErrorCodes.PLUGIN_INVALID);
    expect(error.message).toBe(
      `plugins[0] "../_plugins/not-a-plugin.mjs": the default export of ${join(fixture('_plugins'), 'not-a-plugin.mjs')} is not a plugin: expected definePlugin({ meta, apply })`,
    );
  });

  it('a plugin with incomplete meta is PLUGIN_INVALID from the core check, naming the entry', async () => {
    const error = await fleetError(() => resolvePlugins({ plugins: ['./no-version.mjs'] }, { configDir: fixture('_plugins') }));
    expect(error.code).toBe(ErrorCodes.PLUGIN_INVALID);
    expect(error.message).toBe('plugins[0] "./no-version.mjs": plugin "half": meta.version undefined is not a semver version');
  });

  it('a core range mismatch stops assembly, prefixed with the config file', async () => {
    const resolved = await resolveDir(fixture('plugin-core-mismatch'));
    const error = await fleetError(() => assembleFromConfig(resolved));
    expect(error.code).toBe(ErrorCodes.PLUGIN_VERSION_MISMATCH);
    expect(error.plugin).toBe('future');
    expect(error.message).toBe(
      `invalid configuration in ${join(fixture('plugin-core-mismatch'), 'fleetd.config.yaml')}: plugin "future"@3.0.0 supports @fleetd/core ^9.0.0, but the running core is ${CORE_VERSION}`,
    );
  });

  it('bad plugin options are reported as plugin: path: message, all at once', async () => {
    const resolved = await resolveDir(fixture('plugin-bad-options'));
    const error = await fleetError(() => assembleFromConfig(resolved));
    expect(error.code).toBe(ErrorCodes.PLUGIN_OPTIONS_INVALID);
    expect(error.issues).toEqual(['zone: key: Invalid input: expected string, received number', 'systemd: jobTimeoutMs: Too small: expected number to be >0']);
    expect(error.message).toBe(
      `invalid configuration in ${join(fixture('plugin-bad-options'), 'fleetd.config.yaml')}: invalid plugin options:\n  ${error.issues.join('\n  ')}`,
    );
  });

  it('weights reach the host; the systemd plugin gets the agent section as option defaults, its own options win', async () => {
    const resolved = await resolveDir(fixture('plugin-systemd-defaults'));
    expect(resolved.plugins[0]?.entry).toMatchObject({
      options: { unitsDirectory: '/run/fleetd-test/units', busAddress: 'unix:path=/run/user/1000/bus' },
    });
    const host = await assembleFromConfig(resolved);
    expect(host.plugins.map((plugin) => [plugin.meta.name, plugin.weight])).toEqual([
      ['systemd', 1],
      ['zone', 3],
    ]);
    expect(host.plugins[0]?.options).toMatchObject({ unitsDirectory: '/run/fleetd-test/units', busAddress: 'unix:path=/run/user/1000/bus' });
  });

  it('inline plugin objects (fleetd.config.ts) are used as given', async () => {
    const inline = definePlugin({ meta: { name: 'inline', version: '1.0.0', core: '*' }, apply: () => {} });
    const plugins = await resolvePlugins({ plugins: [{ plugin: inline, weight: 2 }] }, { configDir: await emptyDir() });
    expect(plugins).toEqual([{ entry: { plugin: inline, weight: 2 }, specifier: 'inline', from: 'inline' }]);
  });

  it('no plugins key: the fleet preset plus systemd with the agent settings; no systemd without the agent', async () => {
    const withAgent = await resolvePlugins({ agent: { unitsDirectory: '/u', busAddress: 'unix:path=/b' } }, { configDir: '/' });
    expect(withAgent.at(-1)).toMatchObject({ specifier: '@fleetd/plugin-systemd', entry: { options: { unitsDirectory: '/u', busAddress: 'unix:path=/b' } } });
    const host = await assembleFromConfig(await resolveConfig({ config: { machine: { id: 'm1' } } }));
    expect(host.plugins.at(-1)?.meta.name).toBe('systemd');
    const agentless = await resolvePlugins({ agent: { enabled: false } }, { configDir: '/' });
    expect(agentless.map((plugin) => plugin.from)).not.toContain('@fleetd/plugin-systemd');
  });

  it("agent.stopAfterDisconnect is the disconnect plugin's machine default, with or without a plugins list; its own options win", async () => {
    const preset = await resolveConfig({ config: { machine: { id: 'm1' }, agent: { stopAfterDisconnect: '20s' } } });
    const optionsOf = async (resolved: typeof preset) =>
      (await assembleFromConfig(resolved)).plugins.find((plugin) => plugin.meta.name === 'disconnect')?.options;
    expect(await optionsOf(preset)).toEqual({ stopAfter: '20s' });
    expect(await optionsOf(await resolveConfig({ config: { machine: { id: 'm1' } } }))).toEqual({ stopAfter: 'off' });
    const listed = await resolveConfig({ config: { machine: { id: 'm1' }, agent: { stopAfterDisconnect: '20s' }, plugins: ['@fleetd/plugin-disconnect'] } });
    expect(await optionsOf(listed)).toEqual({ stopAfter: '20s' });
    const own = await resolveConfig({
      config: { machine: { id: 'm1' }, agent: { stopAfterDisconnect: '20s' }, plugins: [['@fleetd/plugin-disconnect', { stopAfter: '5s' }]] },
    });
    expect(await optionsOf(own)).toEqual({ stopAfter: '5s' });
  });

  it('regression: agent.stopAfterDisconnect without the disconnect plugin is refused instead of silently doing nothing', async () => {
    const error = await fleetError(() =>
      resolveConfig({ config: { machine: { id: 'm1' }, agent: { stopAfterDisconnect: '20s' }, plugins: ['@fleetd/plugin-metadata'] } }),
    );
    expect(error.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(error.message).toBe(
      'invalid configuration in the configuration object:\n  agent.stopAfterDisconnect: has no effect without the disconnect plugin: add @fleetd/plugin-disconnect to plugins, or leave this option out',
    );
  });

  it('a plugin listed twice is PLUGIN_DUPLICATE with the source prefixed', async () => {
    const resolved = await resolveConfig({
      config: { machine: { id: 'm1' }, plugins: ['./zone.mjs', './zone.mjs'] },
      file: join(fixture('_plugins'), 'fleetd.config.yaml'),
    });
    const error = await fleetError(() => assembleFromConfig(resolved));
    expect(error.code).toBe(ErrorCodes.PLUGIN_DUPLICATE);
    expect(error.message).toBe(
      `invalid configuration in ${join(fixture('_plugins'), 'fleetd.config.yaml')}: plugin "zone" is listed twice; list each plugin once`,
    );
  });
});
