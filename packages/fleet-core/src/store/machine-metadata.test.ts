/**
 * Operator metadata (fleet's PATCH /machines) over what machines announce,
 * by fleet's mergeMetadata rule (registry/machine.go): the operator's value
 * wins, and a `remove` stores an empty value that hides the key, announced
 * or not. Pure merge, the store's writes, and the mirror every engine and
 * agent reads, on the memory registry.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { assemblePlugins, createMachine, createMemoryRegistry, withOperatorMetadata } from '../index.js';
import type { Registry } from '../index.js';
import { waitFor } from '../testing/index.js';
import { ClusterMirror, encodeMachine, FleetStore, RegistryMirror, Scheduler } from '../unstable.js';

describe("withOperatorMetadata: fleet's mergeMetadata", () => {
  it.each([
    { name: 'no operator metadata', announced: { region: 'us' }, overlay: {}, merged: { region: 'us' } },
    { name: 'an operator key the machine does not announce', announced: { region: 'us' }, overlay: { disk: 'ssd' }, merged: { region: 'us', disk: 'ssd' } },
    { name: 'the operator value wins', announced: { region: 'us' }, overlay: { region: 'eu' }, merged: { region: 'eu' } },
    {
      name: 'regression: an empty operator value hides an announced key',
      announced: { region: 'us', disk: 'ssd' },
      overlay: { region: '' },
      merged: { disk: 'ssd' },
    },
    { name: 'an empty operator value for a key nobody announces', announced: { region: 'us' }, overlay: { zone: '' }, merged: { region: 'us' } },
  ])('$name', ({ announced, overlay, merged }) => {
    const machine = createMachine({ id: 'm1', metadata: announced, publicIP: '10.0.0.1' });
    expect(withOperatorMetadata(machine, overlay)).toEqual({ id: 'm1', metadata: merged, publicIP: '10.0.0.1', version: undefined, facts: {} });
  });
});

const PREFIX = '/t/';
const registries: Registry[] = [];
const mirrors: RegistryMirror[] = [];
afterEach(async () => {
  for (const mirror of mirrors.splice(0)) await mirror.stop();
  for (const registry of registries.splice(0)) await registry.close();
});

/** A memory registry with m1 announcing `region=us, disk=ssd`, and a mirror of it as engines and agents keep one. */
async function cluster() {
  const registry = createMemoryRegistry();
  registries.push(registry);
  const store = new FleetStore(registry, PREFIX);
  await registry.put(store.layout.machine('m1'), encodeMachine({ id: 'm1', metadata: { region: 'us', disk: 'ssd' } }));
  const scheduler = new Scheduler(await assemblePlugins([]));
  const view = new ClusterMirror(
    store.layout,
    () => scheduler.createState(),
    () => {},
    (error) => expect.fail(error.message),
  );
  const mirror = new RegistryMirror(registry, store.layout.prefix, view);
  mirrors.push(mirror);
  await mirror.start();
  const metadata = () => view.cluster.machine('m1')?.metadata;
  const caughtUp = async () => (await registry.list(PREFIX)).revision <= mirror.revision;
  return { registry, store, metadata, caughtUp };
}

describe('PATCH remove of metadata the machine announces', () => {
  it("regression: a remove stores fleet's empty value (the key was deleted, so the announced value stayed)", async () => {
    const { registry, store } = await cluster();
    await store.applyMachineMetadata([{ machine: 'm1', key: 'region', value: undefined }]);
    expect((await registry.get(store.layout.machineMetadata('m1', 'region')))?.value).toBe('');
  });

  it('regression: the mirror engines and agents read loses the removed key, and a later add sets it again', async () => {
    const { store, metadata, caughtUp } = await cluster();
    expect(metadata()).toEqual({ region: 'us', disk: 'ssd' });
    await store.applyMachineMetadata([{ machine: 'm1', key: 'region', value: undefined }]);
    await waitFor(caughtUp, 'the mirror to see the remove', 5000);
    expect(metadata()).toEqual({ disk: 'ssd' });
    await store.applyMachineMetadata([{ machine: 'm1', key: 'region', value: 'eu' }]);
    await waitFor(caughtUp, 'the mirror to see the add', 5000);
    expect(metadata()).toEqual({ region: 'eu', disk: 'ssd' });
  });

  it('applies remove and add of one key in order, in one transaction: the last wins', async () => {
    const { registry, store } = await cluster();
    const before = (await registry.list(PREFIX)).revision;
    await store.applyMachineMetadata([
      { machine: 'm1', key: 'region', value: 'eu' },
      { machine: 'm1', key: 'region', value: undefined },
      { machine: 'm1', key: 'disk', value: undefined },
      { machine: 'm1', key: 'disk', value: 'nvme' },
    ]);
    expect((await registry.list(PREFIX)).revision).toBe(before + 1);
    expect((await registry.get(store.layout.machineMetadata('m1', 'region')))?.value).toBe('');
    expect((await registry.get(store.layout.machineMetadata('m1', 'disk')))?.value).toBe('nvme');
  });

  it('deleteMachineMetadata drops the operator entry, so the announced value shows again', async () => {
    const { store, metadata, caughtUp } = await cluster();
    await store.applyMachineMetadata([{ machine: 'm1', key: 'region', value: undefined }]);
    await waitFor(caughtUp, 'the mirror to see the remove', 5000);
    expect(metadata()).toEqual({ disk: 'ssd' });
    expect(await store.deleteMachineMetadata('m1', 'region')).toBe(true);
    await waitFor(caughtUp, 'the mirror to see the delete', 5000);
    expect(metadata()).toEqual({ region: 'us', disk: 'ssd' });
  });
});
