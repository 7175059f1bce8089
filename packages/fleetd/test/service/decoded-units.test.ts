/**
 * The API's decoded-unit cache (issue 15, item 3): a read decodes only the
 * units whose keys changed, and never answers with a stale unit after a
 * replace, a destroy (and re-create) or a desired-state change; on the
 * embedded store and on a real etcd.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assemblePlugins, createMemoryRegistry, createUnit } from '@fleetd/core';
import type { Registry, UnitOption } from '@fleetd/core';
import { encodeUnitState, FleetStore, KeyLayout } from '@fleetd/core/unstable';
import { createEtcdRegistry } from '@fleetd/registry-etcd';
import { useEtcd } from '@fleetd/registry-etcd/vitest';
import { DecodedUnits } from '../../src/service/decoded-units.js';
import { createFleetService } from '../../src/service/index.js';
import type { FleetService } from '../../src/service/index.js';
import { readClusterSnapshot } from '../../src/service/snapshot.js';

const etcd = useEtcd();
let prefixes = 0;
const registries: { name: string; open: () => Registry }[] = [
  { name: 'memory', open: () => createMemoryRegistry() },
  { name: 'etcd', open: () => createEtcdRegistry(etcd().clientOptions) },
];

const file = (exec: string) => `[Service]\nExecStart=${exec}\n`;
const optionsOf = (exec: string): UnitOption[] => [{ section: 'Service', name: 'ExecStart', value: exec }];

describe.each(registries)('on the $name registry', ({ open }) => {
  let registry: Registry;
  let layout: KeyLayout;
  let store: FleetStore;
  let service: FleetService;
  beforeAll(async () => {
    registry = open();
  });
  afterAll(async () => {
    await registry?.close();
  });

  async function fresh(): Promise<void> {
    layout = new KeyLayout(`/decoded-${++prefixes}/`);
    store = new FleetStore(registry, layout.prefix);
    service = createFleetService({
      registry,
      keyPrefix: layout.prefix,
      host: await assemblePlugins([]),
      mode: 'standalone',
      machineId: 'm1',
      version: 'test',
      agentEnabled: false,
    });
    for (const name of ['a.service', 'b.service', 'c.service'])
      await store.submitUnit(createUnit({ name, contents: file(`/bin/${name}`), desiredState: 'loaded' }));
  }

  it('a read decodes only the unit files that changed since the last one', async () => {
    await fresh();
    const decoded = new DecodedUnits();
    await readClusterSnapshot(registry, layout, decoded);
    expect(decoded.decodes).toBe(3);
    await readClusterSnapshot(registry, layout, decoded);
    expect(decoded.decodes).toBe(3);
    await store.setDesiredState('a.service', 'launched'); // not a unit file: nothing to decode again
    await store.replaceUnit(createUnit({ name: 'b.service', contents: file('/bin/b2') }));
    const snapshot = await readClusterSnapshot(registry, layout, decoded);
    expect(decoded.decodes).toBe(4);
    expect(snapshot.units.map((unit) => [unit.name, unit.desiredState, unit.file.lastValue('Service', 'ExecStart')])).toEqual([
      ['a.service', 'launched', '/bin/a.service'],
      ['b.service', 'loaded', '/bin/b2'],
      ['c.service', 'loaded', '/bin/c.service'],
    ]);
    await store.destroyUnit('c.service');
    await readClusterSnapshot(registry, layout, decoded);
    expect(decoded.size).toBe(2);
  });

  it.each([
    {
      name: 'replaced (new options, same name)',
      change: () => service.putUnit({ name: 'a.service', options: optionsOf('/bin/new') }),
      // Without a desired state a replacement is inactive, as in fleet.
      expected: { name: 'a.service', desiredState: 'inactive', options: optionsOf('/bin/new') },
    },
    {
      name: 'destroyed and submitted again with other contents',
      change: async () => {
        await service.destroyUnit('a.service');
        await service.putUnit({ name: 'a.service', options: optionsOf('/bin/again'), desiredState: 'inactive' });
      },
      expected: { name: 'a.service', desiredState: 'inactive', options: optionsOf('/bin/again') },
    },
    {
      name: 'given another desired state',
      change: () => service.putUnit({ name: 'a.service', desiredState: 'launched' }),
      expected: { name: 'a.service', desiredState: 'launched', options: optionsOf('/bin/a.service') },
    },
  ])('regression: no stale unit from the cache once a unit is $name', async ({ change, expected }) => {
    await fresh();
    expect(await service.getUnit('a.service')).toMatchObject({ options: optionsOf('/bin/a.service'), desiredState: 'loaded' });
    await service.listUnits();
    await change();
    expect(await service.getUnit('a.service')).toMatchObject(expected);
    const page = await service.pageUnits({ limit: 100, page: 1 });
    expect(page.items.find((unit) => unit.name === 'a.service')).toMatchObject(expected);
  });

  it('a destroyed unit is gone from every read', async () => {
    await fresh();
    await service.listUnits();
    await service.destroyUnit('b.service');
    expect((await service.listUnits()).map((unit) => unit.name)).toEqual(['a.service', 'c.service']);
    await expect(service.getUnit('b.service')).rejects.toMatchObject({ code: 'UNIT_NOT_FOUND', message: 'unit does not exist' });
  });

  it('a /state page holds only the filtered states of its page', async () => {
    await fresh();
    for (const [name, machine] of [
      ['a.service', 'm1'],
      ['b.service', 'm1'],
      ['b.service', 'm2'],
      ['c.service', 'm2'],
    ] as const) {
      const state = { name, hash: 'h', machineId: machine, loadState: 'loaded', activeState: 'active', subState: 'running' };
      await registry.put(layout.state(machine, name), encodeUnitState(state));
    }
    const first = await service.pageStates({ machineIDs: ['m2'] }, { limit: 1, page: 1 });
    expect(first.items).toEqual([expect.objectContaining({ name: 'b.service', machineID: 'm2' })]);
    expect(first.nextPageToken).toEqual(expect.any(String));
    const all = await service.pageStates({}, { limit: 100, page: 1 });
    expect(all.items.map((state) => `${state.name}@${state.machineID}`)).toEqual(['a.service@m1', 'b.service@m1', 'b.service@m2', 'c.service@m2']);
  });

  it('a page maps only its own units to the wire form, with fleet’s next token', async () => {
    await fresh();
    const first = await service.pageUnits({ limit: 2, page: 1 });
    expect(first.items.map((unit) => unit.name)).toEqual(['a.service', 'b.service']);
    expect(first.nextPageToken).toEqual(expect.any(String));
    const second = await service.pageUnits({ limit: 2, page: 2 });
    expect(second).toEqual({ items: [expect.objectContaining({ name: 'c.service' })], nextPageToken: undefined });
  });
});
