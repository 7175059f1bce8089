// The agent with an in-memory driver: which units it stops when their desired
// state becomes loaded. A start the test makes on the driver itself stands for
// systemd starting a unit on its own (a socket, a timer, another unit's
// [Install] WantedBy=, a manual `systemctl start`). The systemd plugin's suite
// runs the same on a real systemd (packages/plugin-systemd/test/launched.test.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { global } from '../__fixtures__/plugins.js';
import { assemblePlugins, createMemoryRegistry, createUnit } from '../index.js';
import type { LeaseId, Registry } from '../index.js';
import { memoryDriver, memoryDriverPlugin } from '../testing/index.js';
import type { MemoryDriver } from '../testing/index.js';
import { Agent, FleetStore } from '../unstable.js';

const service = '[Service]\nExecStart=/bin/true\n\n[X-Fleet]\nGlobal=true\n';
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** An agent on m1; `previous` (a stopped agent's presence lease) restarts that machine's fleetd. */
async function startAgent(registry: Registry, driver: MemoryDriver, previous?: LeaseId): Promise<Agent> {
  const host = await assemblePlugins([global, memoryDriverPlugin(driver)]);
  const agent = new Agent({ registry, host, machine: { id: 'm1', metadata: {} }, reconcileIntervalMs: 60_000, presenceLease: previous });
  await agent.start();
  stops.push(() => agent.stop());
  return agent;
}

async function setUp(desiredState: 'loaded' | 'launched') {
  const registry = createMemoryRegistry();
  const driver = memoryDriver();
  const agent = await startAgent(registry, driver);
  const store = new FleetStore(registry);
  await store.submitUnit(createUnit({ name: 'app.service', contents: service, desiredState }));
  await agent.reconcileNow();
  return { registry, driver, agent, store };
}

/** A few agent rounds, each with a full read of the driver's states. */
async function rounds(agent: Agent, count = 3): Promise<void> {
  for (let i = 0; i < count; i++) await agent.reconcileNow();
}

describe('agent: what it stops when the desired state is loaded', () => {
  it('regression: a loaded unit the service manager started on its own keeps running over agent rounds', async () => {
    const { driver, agent } = await setUp('loaded');
    expect(driver.calls('load')).toEqual(['app.service']);
    await driver.start('app.service');
    await rounds(agent);
    expect(driver.running.get('app.service')).toBe('active');
    expect(driver.calls('stop')).toEqual([]);
  });

  it('a unit it launched is stopped when set to loaded', async () => {
    const { driver, agent, store } = await setUp('launched');
    expect(driver.running.get('app.service')).toBe('active');
    await store.setDesiredState('app.service', 'loaded');
    await agent.reconcileNow();
    expect(driver.calls('stop')).toEqual(['app.service']);
    expect(driver.running.has('app.service')).toBe(false);
  });

  it('after it stopped a unit, a start by the service manager is left running', async () => {
    const { driver, agent, store } = await setUp('launched');
    await store.setDesiredState('app.service', 'loaded');
    await agent.reconcileNow();
    await driver.start('app.service');
    await rounds(agent);
    expect(driver.calls('stop')).toEqual(['app.service']);
    expect(driver.running.get('app.service')).toBe('active');
  });

  it('a launched unit the service manager stopped, then started again on its own while loaded, is left running', async () => {
    const { driver, agent, store } = await setUp('launched');
    await driver.stop('app.service');
    await store.setDesiredState('app.service', 'loaded');
    await agent.reconcileNow();
    await driver.start('app.service');
    await rounds(agent);
    expect(driver.calls('stop')).toEqual(['app.service']);
    expect(driver.running.get('app.service')).toBe('active');
  });

  it('a restarted agent adopts what runs launched, and stops it when set to loaded', async () => {
    const { registry, driver, agent, store } = await setUp('launched');
    await agent.stop({ leave: false });
    const next = await startAgent(registry, driver, agent.presenceLease);
    await next.reconcileNow();
    expect(driver.calls('start')).toEqual(['app.service']);
    await store.setDesiredState('app.service', 'loaded');
    await next.reconcileNow();
    expect(driver.calls('stop')).toEqual(['app.service']);
    expect(driver.running.has('app.service')).toBe(false);
  });

  it('a restarted agent leaves running a unit it finds running while desired loaded (it cannot know who started it; fleet did the same)', async () => {
    const { registry, driver, agent } = await setUp('loaded');
    await driver.start('app.service');
    await agent.stop({ leave: false });
    const next = await startAgent(registry, driver, agent.presenceLease);
    await rounds(next);
    expect(driver.calls('stop')).toEqual([]);
    expect(driver.running.get('app.service')).toBe('active');
  });

  it('a loaded unit the service manager started, then started by fleet and set to loaded again, is stopped (fleet owned it from its start)', async () => {
    const { driver, agent, store } = await setUp('loaded');
    await driver.start('app.service');
    await store.setDesiredState('app.service', 'launched');
    await agent.reconcileNow();
    expect(driver.calls('start')).toEqual(['app.service']);
    await store.setDesiredState('app.service', 'loaded');
    await agent.reconcileNow();
    expect(driver.calls('stop')).toEqual(['app.service']);
  });
});
