import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryRegistry, createUnit, MAX_TXN_OPS } from '@fleetd/core';
import { FleetStore } from '@fleetd/core/unstable';
import type { Registry, Txn } from '@fleetd/core';
import { createEtcdRegistry } from '@fleetd/registry-etcd';
import { useEtcd } from '@fleetd/registry-etcd/vitest';
import { DesiredStateBatcher } from '../../src/service/desired-state-batcher.js';

const etcd = useEtcd();
const opened: Registry[] = [];
afterEach(async () => {
  for (const registry of opened.splice(0)) await registry.close();
});

let prefixes = 0;
const registries = [
  { name: 'memory', open: () => createMemoryRegistry() },
  { name: 'etcd', open: () => createEtcdRegistry(etcd().clientOptions) },
];

/** A registry whose transactions are recorded, with a store under a prefix of its own and `count` units submitted. */
async function setUp(open: () => Registry, count: number) {
  const inner = open();
  opened.push(inner);
  const txns: Txn[] = [];
  const registry = new Proxy(inner, {
    get(target, property) {
      if (property === 'txn') return (txn: Txn) => (txns.push(txn), target.txn(txn));
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value.bind(target) as unknown) : value;
    },
  });
  const store = new FleetStore(registry, `/dsb${prefixes++}/`);
  const names = Array.from({ length: count }, (_, i) => `u${i}.service`);
  for (const name of names) await store.submitUnit(createUnit({ name, contents: '[Service]\nExecStart=/bin/true\n', desiredState: 'inactive' }));
  txns.length = 0;
  const desired = async (name: string) => (await registry.get(store.layout.desired(name)))?.value;
  return { batcher: new DesiredStateBatcher(store), txns, names, desired };
}

describe.each(registries)('desired-state batcher ($name)', ({ open }) => {
  it('sets the states asked for meanwhile in the next transactions, each guarded on its unit', async () => {
    const { batcher, txns, names, desired } = await setUp(open, 300);
    expect(await Promise.all(names.map((name) => batcher.set(name, 'launched')))).toEqual(names.map(() => true));
    // The first two go alone, in flight together; the 298 that waited fill transactions of MAX_TXN_OPS.
    expect(txns.map((txn) => txn.compare?.length)).toEqual([1, 1, MAX_TXN_OPS, MAX_TXN_OPS, 298 - 2 * MAX_TXN_OPS]);
    expect(await Promise.all(names.map(desired))).toEqual(names.map(() => 'launched'));
  });

  it('answers false for a unit that is not there, writes nothing for it, and still sets the others of its batch', async () => {
    const { batcher, names, desired } = await setUp(open, 10);
    const asked = [...names.slice(0, 5), 'gone.service', ...names.slice(5)];
    const results = await Promise.all(asked.map((name) => batcher.set(name, 'loaded')));
    expect(results).toEqual(asked.map((name) => name !== 'gone.service'));
    expect(await desired('gone.service')).toBeUndefined();
    expect(await Promise.all(names.map(desired))).toEqual(names.map(() => 'loaded'));
  });

  it('keeps the order of two changes of one unit: the later one wins', async () => {
    const { batcher, names, desired } = await setUp(open, 3);
    await Promise.all([...names.map((name) => batcher.set(name, 'loaded')), batcher.set('u1.service', 'launched'), batcher.set('u1.service', 'inactive')]);
    expect(await Promise.all(names.map(desired))).toEqual(['loaded', 'inactive', 'loaded']);
  });
});
