/**
 * An agent's mirror on a real etcd: it watches only its scope (unit files,
 * desired states, placements, machines, operator metadata), one etcd watch per
 * prefix, so the unit states other machines report never reach it; each
 * watch resumes on its own after a partition (in order within its prefix, not
 * across prefixes), and a compacted history makes the mirror re-list every prefix.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { assemblePlugins, createUnit, ErrorCodes } from '@fleetd/core';
import type { KeyValue, Registry, WatchEvent } from '@fleetd/core';
import { Agent, agentWatchScope, encodePlacement, FleetStore, KeyLayout, RegistryMirror } from '@fleetd/core/unstable';
import { memoryDriver, memoryDriverPlugin } from '@fleetd/core/testing';
import { createEtcdRegistry } from '../src/index.js';
import { startTcpProxy } from '../src/testing/index.js';
import { useEtcd } from '../src/vitest/index.js';
import { waitFor } from './helpers.js';

const etcd = useEtcd();
const service = '[Service]\nExecStart=/bin/true\n';
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
});

function client(endpoints: readonly string[] = etcd().endpoints): Registry {
  const registry = createEtcdRegistry({ endpoints: [...endpoints], requestTimeoutMs: 1000 });
  closers.push(() => registry.close());
  return registry;
}

/** A mirror of the agent scope under a fresh prefix: key → value, every key it was told about, its re-lists and errors. */
async function agentMirror(registry: Registry) {
  const layout = new KeyLayout(`/agent-watch-${randomUUID()}/`);
  const copy = new Map<string, string>();
  const received: string[] = [];
  const stats = { resets: 0, errors: [] as string[] };
  const mirror = new RegistryMirror(
    registry,
    agentWatchScope(layout),
    {
      reset: (items: readonly KeyValue[]) => {
        stats.resets++;
        copy.clear();
        for (const kv of items) copy.set(kv.key, kv.value);
      },
      apply: (events: readonly WatchEvent[]) => {
        for (const event of events) {
          received.push(event.type === 'put' ? event.kv.key : event.key);
          if (event.type === 'put') copy.set(event.kv.key, event.kv.value);
          else copy.delete(event.key);
        }
      },
    },
    { retryDelayMs: 50, onError: (error) => stats.errors.push(error.code) },
  );
  await mirror.start();
  closers.push(() => mirror.stop());
  return { layout, copy, received, stats };
}

describe('agent watch scope on etcd', () => {
  it('regression: an agent receives the placement of a unit on another machine, but not the states reported there', async () => {
    const keyPrefix = `/agent-watch-${randomUUID()}/`;
    const layout = new KeyLayout(keyPrefix);
    const received: string[] = [];
    const drivers = new Map<string, ReturnType<typeof memoryDriver>>();
    for (const id of ['m1', 'm2']) {
      const registry = client();
      const driver = memoryDriver();
      drivers.set(id, driver);
      const watched = id === 'm1' ? recording(registry, received) : registry;
      const agent = new Agent({
        registry: watched,
        host: await assemblePlugins([memoryDriverPlugin(driver)]),
        machine: { id, metadata: {} },
        keyPrefix,
        ttlSeconds: 5,
        mirrorScope: 'agent',
      });
      await agent.start();
      closers.push(() => agent.stop());
    }
    const admin = client();
    const store = new FleetStore(admin, keyPrefix);
    for (const [name, machine] of [
      ['elsewhere.service', 'm2'],
      ['here.service', 'm1'],
    ] as const) {
      await store.submitUnit(createUnit({ name, contents: service, desiredState: 'launched' }));
      await admin.put(layout.placement(name), encodePlacement(machine));
    }
    await waitFor(() => drivers.get('m2')?.running.has('elsewhere.service') === true, 'elsewhere.service running on m2');
    await waitFor(() => drivers.get('m1')?.running.has('here.service') === true, 'here.service running on m1');
    await waitFor(async () => (await admin.get(layout.state('m2', 'elsewhere.service'))) !== undefined, 'the state m2 reports');
    // A last write in m1's scope: etcd delivers a watch's events in order, so the ones before it are in.
    await admin.put(layout.machineMetadata('m1', 'done'), 'yes');
    await waitFor(() => received.includes(layout.machineMetadata('m1', 'done')), 'the last write');
    expect(received).toContain(layout.placement('elsewhere.service'));
    expect(received.filter((key) => key.startsWith(layout.states))).toEqual([]);
    expect(drivers.get('m1')?.running.has('elsewhere.service')).toBe(false);
  });

  it('each prefix resumes after a partition from its own last revision: nothing missed, nothing twice', async () => {
    const proxy = await startTcpProxy(etcd().endpoints[0] as string);
    closers.push(() => proxy.close());
    const admin = client();
    const { layout, copy, received } = await agentMirror(client([proxy.endpoint]));
    await admin.put(layout.placement('a.service'), encodePlacement('m2'));
    await waitFor(() => copy.has(layout.placement('a.service')), 'the first placement');
    proxy.cut('refuse');
    await admin.put(layout.desired('a.service'), 'launched');
    await admin.put(layout.state('m2', 'a.service'), '{}');
    await admin.put(layout.machine('m3'), '{}');
    await admin.delete(layout.placement('a.service'));
    proxy.restore();
    await waitFor(() => copy.has(layout.machine('m3')) && !copy.has(layout.placement('a.service')), 'the writes made during the partition');
    // Each prefix's events come in order; across prefixes, a watch that reconnected first may deliver first.
    expect(received.filter((key) => key.startsWith(layout.placements))).toEqual([layout.placement('a.service'), layout.placement('a.service')]);
    expect(received.filter((key) => !key.startsWith(layout.placements)).sort()).toEqual([layout.desired('a.service'), layout.machine('m3')]);
    expect([...copy.keys()].sort()).toEqual([layout.desired('a.service'), layout.machine('m3')]);
  });

  it('re-lists every prefix when the history a watch would resume from was compacted during a partition', async () => {
    const proxy = await startTcpProxy(etcd().endpoints[0] as string);
    closers.push(() => proxy.close());
    const admin = client();
    const { layout, copy, stats } = await agentMirror(client([proxy.endpoint]));
    await admin.put(layout.placement('old.service'), encodePlacement('m2'));
    await waitFor(() => copy.has(layout.placement('old.service')), 'the first placement');
    proxy.cut('refuse');
    await admin.delete(layout.placement('old.service'));
    const { revision } = await admin.put(layout.unit('new.service'), '{}');
    await admin.compact(revision);
    proxy.restore();
    await waitFor(() => copy.has(layout.unit('new.service')) && stats.resets === 2, 'the re-listed state');
    expect(stats.errors).toContain(ErrorCodes.REGISTRY_COMPACTED);
    expect([...copy.keys()]).toEqual([layout.unit('new.service')]);
  });
});

/** `registry`, recording the key of every watch event it delivers into `received`. */
function recording(registry: Registry, received: string[]): Registry {
  return {
    get: (key) => registry.get(key),
    list: (prefix) => registry.list(prefix),
    put: (key, value, options) => registry.put(key, value, options),
    delete: (key) => registry.delete(key),
    deletePrefix: (prefix) => registry.deletePrefix(prefix),
    txn: (txn) => registry.txn(txn),
    grantLease: (ttl) => registry.grantLease(ttl),
    keepAlive: (lease) => registry.keepAlive(lease),
    revokeLease: (lease) => registry.revokeLease(lease),
    compact: (revision) => registry.compact(revision),
    close: () => registry.close(),
    watch: (prefix, options) =>
      registry.watch(prefix, {
        fromRevision: options.fromRevision,
        onError: (error) => options.onError(error),
        onEvents: (events, revision) => {
          for (const event of events) received.push(event.type === 'put' ? event.kv.key : event.key);
          options.onEvents(events, revision);
        },
      }),
  };
}
