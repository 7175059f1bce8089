// The agent with an in-memory driver: what it reports when plugins fail.
// (The systemd plugin's suite runs the agent end to end on real systemd.)
import { afterEach, describe, expect, it } from 'vitest';
import { global } from '../__fixtures__/plugins.js';
import { assemblePlugins, createMemoryRegistry, createUnit, ErrorCodes } from '../index.js';
import type { FleetError, PluginEntry, Registry } from '../index.js';
import { memoryDriver, memoryDriverPlugin, testPlugin, waitFor } from '../testing/index.js';
import { Agent, FleetStore } from '../unstable.js';
import type { AgentEvent } from '../unstable.js';

const service = (xfleet = '') => `[Service]\nExecStart=/bin/true\n${xfleet ? `\n[X-Fleet]\n${xfleet}\n` : ''}`;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function startAgent(registry: Registry, plugins: readonly PluginEntry[]) {
  const events: AgentEvent[] = [];
  const agent = new Agent({ registry, host: await assemblePlugins(plugins), machine: { id: 'm1', metadata: {} }, reconcileIntervalMs: 60_000, onEvent: (event) => events.push(event) });
  await agent.start();
  stops.push(() => agent.stop());
  return events;
}

const errorsOf = (events: readonly AgentEvent[], type: 'plugin-error' | 'task'): FleetError[] =>
  events.flatMap((event) => (event.type === type && event.error !== undefined ? [event.error] : []));

describe('agent: plugin failures are reported, not lost', () => {
  it('regression: a plugin error raised while judging a global unit reaches the agent\'s owner', async () => {
    const registry = createMemoryRegistry();
    const inventory = testPlugin('inventory', (hooks) =>
      hooks.filter.tap((unit) => {
        if (unit.global) throw Object.assign(new Error('inventory service down'), { code: 'EINVENTORY' });
        return undefined;
      }),
    );
    const events = await startAgent(registry, [global, inventory, memoryDriverPlugin(memoryDriver())]);
    await new FleetStore(registry).submitUnit(createUnit({ name: 'monitor.service', contents: service('Global=true'), desiredState: 'launched' }));
    await waitFor(() => errorsOf(events, 'plugin-error')[0], 'a plugin-error event');
    expect(errorsOf(events, 'plugin-error')[0]).toMatchObject({
      code: ErrorCodes.PLUGIN_ERROR,
      plugin: 'inventory',
      hook: 'filter',
      pluginCode: 'EINVENTORY',
      message: 'plugin "inventory" failed in hook "filter": inventory service down',
    });
  });

  it('regression: a driver\'s failure is reported as the driver plugin\'s error, not REGISTRY_UNAVAILABLE', async () => {
    const registry = createMemoryRegistry();
    const driver = memoryDriver();
    driver.fail('start', Object.assign(new Error('unit masked'), { code: 'EMASKED' }));
    const events = await startAgent(registry, [global, memoryDriverPlugin(driver, 'toy-driver')]);
    await new FleetStore(registry).submitUnit(createUnit({ name: 'monitor.service', contents: service('Global=true'), desiredState: 'launched' }));
    await waitFor(() => errorsOf(events, 'task')[0], 'a failed task event');
    expect(errorsOf(events, 'task')[0]).toMatchObject({
      code: ErrorCodes.PLUGIN_ERROR,
      plugin: 'toy-driver',
      hook: 'driver.start',
      pluginCode: 'EMASKED',
      message: 'plugin "toy-driver" failed in hook "driver.start": unit masked',
    });
  });
});
