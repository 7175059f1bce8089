import { isFleetError } from '../errors.js';
import type { FleetError } from '../errors.js';
import { pluginError } from '../hooks/plugin-errors.js';
import type { UnitDriver } from '../hooks/views.js';

/**
 * The driver a plugin created, with every failure reported as that plugin's
 * (PLUGIN_ERROR naming it, hook `driver.<method>`, its own code kept as
 * `pluginCode`), so a failed start never reads as a registry outage.
 */
export function pluginDriver(driver: UnitDriver, plugin: string): UnitDriver {
  const failure = (method: string, error: unknown): FleetError =>
    isFleetError(error) && error.plugin === plugin ? error : pluginError(plugin, `driver.${method}`, error);
  const guard =
    <Args extends unknown[], Result>(method: string, call: (...args: Args) => Promise<Result>) =>
    async (...args: Args): Promise<Result> => {
      try {
        return await call(...args);
      } catch (error) {
        throw failure(method, error);
      }
    };
  return Object.freeze({
    load: guard('load', (unit) => driver.load(unit)),
    unload: guard('unload', (name) => driver.unload(name)),
    reload: guard('reload', () => driver.reload()),
    start: guard('start', (name) => driver.start(name)),
    stop: guard('stop', (name) => driver.stop(name)),
    states: guard('states', (names) => driver.states(names)),
    installed: guard('installed', () => driver.installed()),
    subscribe: guard('subscribe', (listener) => driver.subscribe(listener)),
    onLost: (listener) => driver.onLost((error) => listener(failure('onLost', error))),
    close: guard('close', () => driver.close()),
  } satisfies UnitDriver);
}
