// What reaches an agent's mirror: its placements, unit files, desired states
// and the machines, but never the unit states other machines report.
import { afterEach, describe, expect, it } from 'vitest';
import { global } from '../__fixtures__/plugins.js';
import { assemblePlugins, createMemoryRegistry, createUnit } from '../index.js';
import type { Registry } from '../index.js';
import { memoryDriver, memoryDriverPlugin, waitFor } from '../testing/index.js';
import { Agent, agentWatchScope, decodeUnitState, encodePlacement, FleetStore, KeyLayout } from '../unstable.js';

const layout = new KeyLayout();
const service = (xfleet = '') => `[Service]\nExecStart=/bin/true\n${xfleet ? `\n[X-Fleet]\n${xfleet}\n` : ''}`;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** The registry as one agent sees it, recording the key of every watch event delivered to it. */
function recordingWatches(inner: Registry): { readonly registry: Registry; readonly received: string[] } {
  const received: string[] = [];
  const registry: Registry = {
    get: (key) => inner.get(key),
    list: (prefix) => inner.list(prefix),
    put: (key, value, options) => inner.put(key, value, options),
    delete: (key) => inner.delete(key),
    deletePrefix: (prefix) => inner.deletePrefix(prefix),
    txn: (txn) => inner.txn(txn),
    grantLease: (ttl) => inner.grantLease(ttl),
    keepAlive: (lease) => inner.keepAlive(lease),
    revokeLease: (lease) => inner.revokeLease(lease),
    compact: (revision) => inner.compact(revision),
    close: () => inner.close(),
    watch: (prefix, options) =>
      inner.watch(prefix, {
        fromRevision: options.fromRevision,
        onError: (error) => options.onError(error),
        onEvents: (events, revision) => {
          for (const event of events) received.push(event.type === 'put' ? event.kv.key : event.key);
          options.onEvents(events, revision);
        },
      }),
  };
  return { registry, received };
}

async function startAgent(registry: Registry, id: string) {
  const driver = memoryDriver();
  const agent = new Agent({
    registry,
    host: await assemblePlugins([global, memoryDriverPlugin(driver)]),
    machine: { id, metadata: {} },
    reconcileIntervalMs: 60_000,
    mirrorScope: 'agent',
  });
  await agent.start();
  stops.push(() => agent.stop());
  return driver;
}

async function stateOf(registry: Registry, machine: string, unit: string) {
  const kv = await registry.get(layout.state(machine, unit));
  return kv === undefined ? undefined : decodeUnitState(kv.key, kv.value);
}

describe('agent watch scope', () => {
  it('is the unit files, desired states, placements, machines and operator metadata: no unit states', () => {
    expect(agentWatchScope(new KeyLayout('/x/'))).toEqual(['/x/units/', '/x/desired/', '/x/placements/', '/x/machines/', '/x/metadata/']);
  });

  it('regression: an agent no longer receives the unit states another machine reports for a unit placed there', async () => {
    const shared = createMemoryRegistry();
    stops.push(() => shared.close());
    const { registry, received } = recordingWatches(shared);
    const own = await startAgent(registry, 'm1');
    await startAgent(shared, 'm2');
    const store = new FleetStore(shared);
    await store.submitUnit(createUnit({ name: 'elsewhere.service', contents: service(), desiredState: 'launched' }));
    await store.submitUnit(createUnit({ name: 'here.service', contents: service(), desiredState: 'launched' }));
    await shared.put(layout.placement('elsewhere.service'), encodePlacement('m2'));
    await shared.put(layout.placement('here.service'), encodePlacement('m1'));
    await waitFor(async () => (await stateOf(shared, 'm2', 'elsewhere.service'))?.activeState === 'active', 'elsewhere.service active on m2');
    await waitFor(async () => (await stateOf(shared, 'm1', 'here.service'))?.activeState === 'active', 'here.service active on m1');
    // A last write in m1's scope: every event before it has been delivered once it has.
    await shared.put(layout.machineMetadata('m1', 'done'), 'yes');
    await waitFor(() => received.includes(layout.machineMetadata('m1', 'done')), 'the last write');
    expect(received).toContain(layout.placement('elsewhere.service'));
    expect(received.filter((key) => key.startsWith(layout.states))).toEqual([]);
    expect(own.running.has('here.service')).toBe(true);
    expect(own.running.has('elsewhere.service')).toBe(false);
  });

  it('still runs the global units, judged on the machines it mirrors', async () => {
    const registry = createMemoryRegistry();
    stops.push(() => registry.close());
    const drivers = [await startAgent(registry, 'm1'), await startAgent(registry, 'm2')];
    await new FleetStore(registry).submitUnit(createUnit({ name: 'monitor.service', contents: service('Global=true'), desiredState: 'launched' }));
    await waitFor(() => drivers.every((driver) => driver.running.has('monitor.service')), 'monitor.service running on both machines');
  });
});
