import { createRequire } from 'node:module';
import { definePlugin } from '@fleetd/core';
import { createSystemdDriver } from './driver.js';
import { systemdOptions } from './options.js';
import { PLUGIN_NAME } from './errors.js';

export { createSystemdDriver, DEFAULT_JOB_TIMEOUT_MS, DEFAULT_START_SETTLE_MS, type SystemdDriver, type SystemdDriverOptions } from './driver.js';
export { DEFAULT_UNITS_DIRECTORY, systemdOptions, type SystemdPluginInput, type SystemdPluginOptions } from './options.js';
export { RUNNING_STATES } from './judge.js';
export * from './dbus/index.js';

// The core range is the package's peer range, so that it follows the releases (one place to change).
const { version, peerDependencies } = createRequire(import.meta.url)('../package.json') as { version: string; peerDependencies: { '@fleetd/core': string } };

/**
 * The agent's driver: runs the units placed on this machine with systemd over
 * D-Bus. The first createDriver tap that returns a driver wins; the agent
 * reports the driver's failures as this plugin's.
 */
export default definePlugin({
  meta: { name: PLUGIN_NAME, version, core: peerDependencies['@fleetd/core'] },
  options: systemdOptions,
  apply(hooks, options) {
    hooks.createDriver.tap(async () => createSystemdDriver(options));
  },
});
