// The agent with an in-memory driver: what it reports when plugins fail.
// (The systemd plugin's suite runs the agent end to end on real systemd.)
import { afterEach, describe, expect, it } from 'vitest';
import { global } from '../__fixtures__/plugins.js';
import { assemblePlugins, createMemoryRegistry, createUnit, ErrorCodes, FleetError } from '../index.js';
import type { PluginEntry, Registry } from '../index.js';
import { memoryDriver, memoryDriverPlugin, testPlugin, waitFor } from '../testing/index.js';
import { Agent, decodeUnitState, FleetStore, KeyLayout } from '../unstable.js';
import type { AgentEvent, AgentOptions } from '../unstable.js';

const service = (xfleet = '') => `[Service]\nExecStart=/bin/true\n${xfleet ? `\n[X-Fleet]\n${xfleet}\n` : ''}`;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function startAgent(registry: Registry, plugins: readonly PluginEntry[], options: Partial<AgentOptions> = {}) {
  return (await startAgentWith(registry, plugins, options)).events;
}

async function startAgentWith(registry: Registry, plugins: readonly PluginEntry[], options: Partial<AgentOptions> = {}) {
  const events: AgentEvent[] = [];
  const agent = new Agent({
    registry,
    host: await assemblePlugins(plugins),
    machine: { id: 'm1', metadata: {} },
    reconcileIntervalMs: 60_000,
    onEvent: (event) => events.push(event),
    ...options,
  });
  await agent.start();
  stops.push(() => agent.stop());
  return { agent, events };
}

const errorsOf = (events: readonly AgentEvent[], type: 'plugin-error' | 'task'): FleetError[] =>
  events.flatMap((event) => (event.type === type && event.error !== undefined ? [event.error] : []));

describe('agent: plugin failures are reported, not lost', () => {
  it("regression: a plugin error raised while judging a global unit reaches the agent's owner", async () => {
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

  it("regression: a driver's failure is reported as the driver plugin's error, not REGISTRY_UNAVAILABLE", async () => {
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

describe('agent: a unit whose load fails', () => {
  const tooLong = Object.assign(new Error("ENAMETOOLONG: name too long, open '/run/fleet/units/.x.tmp'"), { code: 'ENAMETOOLONG' });
  const reason = `plugin "memory-driver" failed in hook "driver.load": ${tooLong.message}`;

  async function setUp() {
    const registry = createMemoryRegistry();
    const driver = memoryDriver();
    driver.fail('load', tooLong, 'long.service');
    let now = 0;
    const { agent } = await startAgentWith(registry, [global, memoryDriverPlugin(driver)], { clock: () => now });
    const store = new FleetStore(registry);
    const stateOf = async (name: string) => {
      const key = new KeyLayout().state('m1', name);
      const stored = await registry.get(key);
      return stored === undefined ? undefined : decodeUnitState(key, stored.value);
    };
    const loadsOf = (name: string) => driver.calls('load').filter((unit) => unit === name).length;
    return { registry, driver, agent, store, stateOf, loadsOf, at: (ms: number) => (now = ms) };
  }

  const long = (xfleet = 'Global=true') => createUnit({ name: 'long.service', contents: service(xfleet), desiredState: 'launched' });

  it('regression: its state says why it does not run, instead of nothing at all', async () => {
    const { store, stateOf, driver } = await setUp();
    const unit = long();
    await store.submitUnit(unit);
    await store.submitUnit(createUnit({ name: 'fine.service', contents: service('Global=true'), desiredState: 'launched' }));
    const state = await waitFor(() => stateOf('long.service'), "the failed unit's state");
    expect(state).toEqual({
      name: 'long.service',
      hash: unit.hash,
      machineId: 'm1',
      loadState: 'error',
      activeState: 'inactive',
      subState: 'dead',
      message: `load failed: ${reason} (first attempt; next in 5 s)`,
    });
    await waitFor(() => driver.running.get('fine.service') === 'active', 'the other unit running');
    expect(driver.calls('start')).not.toContain('long.service');
  });

  it('regression: is retried with exponential back-off, not every round', async () => {
    const { agent, store, stateOf, loadsOf, at } = await setUp();
    await store.submitUnit(long());
    await waitFor(() => stateOf('long.service'), "the failed unit's state");
    await agent.reconcileNow();
    await agent.reconcileNow();
    expect(loadsOf('long.service')).toBe(1);
    const attempts: [number, number, string][] = [
      [4_999, 1, 'first attempt; next in 5 s'],
      [5_000, 2, 'attempt 2; next in 10 s'],
      [14_999, 2, 'attempt 2; next in 10 s'],
      [15_000, 3, 'attempt 3; next in 20 s'],
      [35_000, 4, 'attempt 4; next in 40 s'],
    ];
    for (const [time, loads, note] of attempts) {
      at(time);
      await agent.reconcileNow();
      expect({ time, loads: loadsOf('long.service') }).toEqual({ time, loads });
      await waitFor(async () => (await stateOf('long.service'))?.message === `load failed: ${reason} (${note})`, `the state after ${loads} loads`);
    }
  });

  it('regression: a late signal from the service manager does not hide why the unit is not loaded', async () => {
    const { driver, registry, store, stateOf } = await setUp();
    await store.submitUnit(long());
    await waitFor(() => stateOf('long.service'), "the failed unit's state");
    const key = new KeyLayout().state('m1', 'long.service');
    const written = (await registry.get(key))?.modRevision ?? 0;
    // The memory driver signals a stop whatever the unit's file: systemd would say not-found, inactive.
    await driver.stop('long.service');
    await waitFor(async () => ((await registry.get(key))?.modRevision ?? 0) > written, "the signal's state written");
    expect(await stateOf('long.service')).toMatchObject({
      loadState: 'error',
      activeState: 'inactive',
      message: `load failed: ${reason} (first attempt; next in 5 s)`,
    });
  });

  it('a load that succeeds at last clears the message and the unit starts', async () => {
    const { agent, driver, store, stateOf, at } = await setUp();
    await store.submitUnit(long());
    await waitFor(() => stateOf('long.service'), "the failed unit's state");
    driver.recover('load', 'long.service');
    at(5_000);
    await agent.reconcileNow();
    await waitFor(async () => (await stateOf('long.service'))?.activeState === 'active', 'the unit running');
    const state = await stateOf('long.service');
    expect(state).toMatchObject({ loadState: 'loaded', activeState: 'active' });
    expect(state).not.toHaveProperty('message');
  });

  it('a new version of the unit is loaded at once, its back-off started over', async () => {
    const { agent, store, stateOf, loadsOf, at } = await setUp();
    await store.submitUnit(long());
    await waitFor(() => stateOf('long.service'), "the failed unit's state");
    at(5_000);
    await agent.reconcileNow();
    expect(loadsOf('long.service')).toBe(2);
    const replaced = long('Global=true\nConflicts=other.service');
    await store.replaceUnit(replaced);
    await waitFor(() => loadsOf('long.service') === 3, 'the new version loaded');
    await waitFor(async () => (await stateOf('long.service'))?.hash === replaced.hash, "the new version's state");
    expect((await stateOf('long.service'))?.message).toBe(`load failed: ${reason} (first attempt; next in 5 s)`);
  });

  it('its state is withdrawn when the unit is no longer to run here', async () => {
    const { store, stateOf } = await setUp();
    await store.submitUnit(long());
    await waitFor(() => stateOf('long.service'), "the failed unit's state");
    await store.setDesiredState('long.service', 'inactive');
    await waitFor(async () => (await stateOf('long.service')) === undefined, 'the state withdrawn');
  });
});

type CallFilter = (method: string, args: readonly unknown[]) => boolean;

/**
 * The registry as an agent cut off from it sees it: while cut, every call
 * (or those `which` picks) fails as an unreachable etcd's would.
 */
function cuttable(registry: Registry): { registry: Registry; cut(on: boolean, which?: CallFilter): void } {
  let failing: CallFilter | undefined;
  const proxy = new Proxy(registry, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || property === 'close') return value;
      return (...args: unknown[]) =>
        failing?.(String(property), args)
          ? Promise.reject(new FleetError(ErrorCodes.REGISTRY_UNAVAILABLE, 'connection refused (cut off by the test)'))
          : (value as (...a: unknown[]) => unknown).apply(target, args);
    },
  });
  return { registry: proxy, cut: (on, which = () => true) => void (failing = on ? which : undefined) };
}

/** Writes and deletes of unit states only: the rest of the registry answers. */
const stateWrites: CallFilter = (method, args) => (method === 'put' || method === 'delete') && String(args[0]).includes('/states/');

describe('agent: cut off from the registry', () => {
  /** Gives units named stop-* a grace of 500 ms; the others none. */
  const graceForStopUnits = testPlugin('grace', (hooks) => hooks.disconnectGrace.tap((grace, unit) => (unit.name.startsWith('stop-') ? 500 : grace)));

  it('stops the units with a grace once it has run out, keeps the others running, and starts them again when back', async () => {
    const line = cuttable(createMemoryRegistry());
    const driver = memoryDriver();
    const { events } = await startAgentWith(line.registry, [global, graceForStopUnits, memoryDriverPlugin(driver)], {
      ttlSeconds: 3,
      reconcileIntervalMs: 200,
    });
    const store = new FleetStore(line.registry);
    for (const name of ['stop-me.service', 'keep-me.service'])
      await store.submitUnit(createUnit({ name, contents: service('Global=true'), desiredState: 'launched' }));
    await waitFor(() => driver.running.size === 2, 'both units running');
    line.cut(true);
    await waitFor(() => !driver.running.has('stop-me.service'), 'the unit with a grace stopped');
    expect(events.filter((event) => event.type === 'disconnect-stop')).toMatchObject([{ type: 'disconnect-stop', unit: 'stop-me.service', graceMs: 500 }]);
    expect(driver.running.get('keep-me.service')).toBe('active');
    expect((await driver.installed()).has('stop-me.service')).toBe(true);
    expect(driver.calls('unload')).toEqual([]);
    line.cut(false);
    await waitFor(() => driver.running.get('stop-me.service') === 'active', 'the unit started again');
    expect(events.filter((event) => event.type === 'reconnected')).toEqual([{ type: 'reconnected', units: ['stop-me.service'] }]);
    expect(driver.calls('start').filter((name) => name === 'keep-me.service')).toHaveLength(1);
  });

  it('without a grace nothing is stopped, however long it is cut off', async () => {
    const raw = createMemoryRegistry();
    const line = cuttable(raw);
    const driver = memoryDriver();
    const { events } = await startAgentWith(line.registry, [global, memoryDriverPlugin(driver)], { ttlSeconds: 3, reconcileIntervalMs: 200 });
    await new FleetStore(line.registry).submitUnit(createUnit({ name: 'stop-me.service', contents: service('Global=true'), desiredState: 'launched' }));
    await waitFor(() => driver.running.size === 1, 'the unit running');
    line.cut(true);
    // Past the TTL: the presence key expires; the agent announces the machine again when back.
    const presenceKey = new KeyLayout().machine('m1');
    await waitFor(async () => (await raw.get(presenceKey)) === undefined, 'the presence expired', 10_000);
    line.cut(false);
    await waitFor(() => raw.get(presenceKey), 'the machine announced again', 10_000);
    const rounds = events.filter((event) => event.type === 'round').length;
    await waitFor(() => events.filter((event) => event.type === 'round').length > rounds, 'a round after coming back');
    expect(driver.calls('stop')).toEqual([]);
    expect(events.filter((event) => event.type === 'disconnect-stop')).toEqual([]);
  });
});

describe('agent: state writes that fail', () => {
  const stateKey = (name: string) => new KeyLayout().state('m1', name);

  it('regression: a state whose write failed (etcd unreachable) is written again, though the unit sends no new signal', async () => {
    const raw = createMemoryRegistry();
    const line = cuttable(raw);
    const driver = memoryDriver();
    await startAgentWith(line.registry, [global, memoryDriverPlugin(driver)], { reconcileIntervalMs: 100 });
    line.cut(true, stateWrites);
    await new FleetStore(line.registry).submitUnit(createUnit({ name: 'steady.service', contents: service('Global=true'), desiredState: 'launched' }));
    await waitFor(() => driver.running.get('steady.service') === 'active', 'the unit running');
    expect(await raw.get(stateKey('steady.service'))).toBeUndefined();
    line.cut(false);
    const written = await waitFor(() => raw.get(stateKey('steady.service')), 'the state written once etcd answers again');
    expect(decodeUnitState(written.key, written.value)).toMatchObject({ name: 'steady.service', machineId: 'm1', loadState: 'loaded', activeState: 'active' });
    expect(driver.calls('start')).toEqual(['steady.service']);
  });

  it('regression: a state change the driver did not signal is written when the safety-net round reads it', async () => {
    const registry = createMemoryRegistry();
    const driver = memoryDriver();
    await startAgentWith(registry, [global, memoryDriverPlugin(driver)], { reconcileIntervalMs: 100 });
    await new FleetStore(registry).submitUnit(createUnit({ name: 'steady.service', contents: service('Global=true'), desiredState: 'launched' }));
    const activeState = async () => {
      const stored = await registry.get(stateKey('steady.service'));
      return stored === undefined ? undefined : decodeUnitState(stored.key, stored.value).activeState;
    };
    await waitFor(async () => (await activeState()) === 'active', 'the state written');
    // A lost signal: the service manager's state changes and nobody is told (reloading still counts as running).
    (driver.running as Map<string, string>).set('steady.service', 'reloading');
    await waitFor(async () => (await activeState()) === 'reloading', 'the state read by the safety net written');
    expect(driver.calls('start')).toEqual(['steady.service']);
  });

  it('regression: the state of an unloaded unit whose delete failed is deleted again', async () => {
    const raw = createMemoryRegistry();
    const line = cuttable(raw);
    const driver = memoryDriver();
    await startAgentWith(line.registry, [global, memoryDriverPlugin(driver)], { reconcileIntervalMs: 100 });
    const store = new FleetStore(line.registry);
    await store.submitUnit(createUnit({ name: 'gone.service', contents: service('Global=true'), desiredState: 'launched' }));
    await waitFor(async () => (await raw.get(stateKey('gone.service'))) !== undefined, 'the state written');
    line.cut(true, stateWrites);
    await store.setDesiredState('gone.service', 'inactive');
    await waitFor(() => driver.calls('unload').includes('gone.service'), 'the unit unloaded');
    expect(await raw.get(stateKey('gone.service'))).toBeDefined();
    line.cut(false);
    await waitFor(async () => (await raw.get(stateKey('gone.service'))) === undefined, 'the state deleted once etcd answers again');
  });
});

describe('agent: the state lease', () => {
  it('regression: a lost state lease is replaced even when the first grant fails, and the states are written again', async () => {
    const raw = createMemoryRegistry();
    const line = cuttable(raw);
    const driver = memoryDriver();
    await startAgentWith(line.registry, [global, memoryDriverPlugin(driver)], { ttlSeconds: 3, reconcileIntervalMs: 100 });
    await new FleetStore(line.registry).submitUnit(createUnit({ name: 'steady.service', contents: service('Global=true'), desiredState: 'launched' }));
    const key = new KeyLayout().state('m1', 'steady.service');
    const first = await waitFor(() => raw.get(key), 'the state written');
    // The lease is gone (an outage past the TTL) and etcd still refuses new leases for a while.
    let refused = 0;
    line.cut(true, (method) => method === 'grantLease' && ++refused <= 2);
    await raw.revokeLease(first.lease as string);
    await waitFor(() => refused > 2, 'the agent asking for a new lease again after refusals');
    line.cut(false);
    const again = await waitFor(async () => {
      const current = await raw.get(key);
      return current !== undefined && current.lease !== first.lease ? current : undefined;
    }, 'the state written again under a new lease');
    expect(decodeUnitState(again.key, again.value)).toMatchObject({ name: 'steady.service', activeState: 'active' });
  });
});
