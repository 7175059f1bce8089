/**
 * PATCH /machines as one transaction (issue 15, item 4), on each registry a
 * daemon runs on: the embedded memory store, the standalone file store, and a
 * real etcd (whose --max-txn-ops, 128 by default, bounds one transaction).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assemblePlugins, createMachine, createMemoryRegistry, ErrorCodes } from '@fleetd/core';
import type { Registry } from '@fleetd/core';
import { ClusterMirror, encodeMachine, FleetStore, KeyLayout, RegistryMirror, Scheduler } from '@fleetd/core/unstable';
import { waitFor } from '@fleetd/core/testing';
import { expectFleetError } from '@fleetd/core/vitest';
import { createEtcdRegistry } from '@fleetd/registry-etcd';
import { useEtcd } from '@fleetd/registry-etcd/vitest';
import type { WireMachineMetadataOp } from '../../src/api/wire.js';
import { MAX_METADATA_PATCH_OPS, patchMachines } from '../../src/service/machines-patch.js';
import { openFileRegistry } from '../../src/store/file-registry.js';

const etcd = useEtcd();
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fleetd-patch-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let prefixes = 0;
const registries: { name: string; open: () => Promise<Registry> }[] = [
  { name: 'memory', open: async () => createMemoryRegistry() },
  { name: 'file (standalone)', open: async () => openFileRegistry({ dir: join(dir, `store-${++prefixes}`), fsync: false }) },
  { name: 'etcd', open: async () => createEtcdRegistry(etcd().clientOptions) },
];

/** `count` distinct keys on machine m1, `key-0` … */
function adds(count: number, machine = 'm1'): WireMachineMetadataOp[] {
  return Array.from({ length: count }, (_, i) => ({ op: 'add', path: `/${machine}/metadata/key-${i}`, value: `v${i}` }));
}

/** A store under a fresh prefix, with machine m1 announced, and a mirror that counts how often m1 is rebuilt. */
async function setUp(registry: Registry) {
  const layout = new KeyLayout(`/patch-${++prefixes}/`);
  const store = new FleetStore(registry, layout.prefix);
  await registry.put(layout.machine('m1'), encodeMachine(createMachine({ id: 'm1', metadata: { region: 'us' } })));
  const scheduler = new Scheduler(await assemblePlugins([]));
  const counts = { changes: 0, rebuilds: 0 };
  const cluster = new ClusterMirror(
    layout,
    () => {
      const state = scheduler.createState();
      const upsert = state.upsertMachine.bind(state);
      vi.spyOn(state, 'upsertMachine').mockImplementation((machine) => {
        counts.rebuilds++;
        upsert(machine);
      });
      return state;
    },
    () => counts.changes++,
    (error) => expect.fail(error.message),
  );
  const mirror = new RegistryMirror(registry, layout.prefix, cluster);
  await mirror.start();
  const metadata = (): Record<string, string> => ({ ...cluster.cluster.machine('m1')?.machine.metadata });
  return { layout, store, cluster, mirror, counts, metadata };
}

describe.each(registries)('PATCH /machines on the $name registry', ({ open }) => {
  let registry: Registry;
  beforeAll(async () => {
    registry = await open();
  });
  afterAll(async () => {
    await registry?.close();
  });

  it(`regression: ${MAX_METADATA_PATCH_OPS} operations are one transaction, and the machine is rebuilt once`, async () => {
    const { layout, store, mirror, counts, metadata } = await setUp(registry);
    try {
      const before = { ...counts };
      await patchMachines(store, adds(MAX_METADATA_PATCH_OPS));
      await waitFor(() => Object.keys(metadata()).length === MAX_METADATA_PATCH_OPS + 1, 'the mirror to see every key');
      const { items } = await registry.list(`${layout.machineMetadataOverlay}m1/`);
      expect(items).toHaveLength(MAX_METADATA_PATCH_OPS);
      expect(new Set(items.map((kv) => kv.modRevision)).size).toBe(1);
      expect({ changes: counts.changes - before.changes, rebuilds: counts.rebuilds - before.rebuilds }).toEqual({ changes: 1, rebuilds: 1 });
      expect(metadata()).toMatchObject({ region: 'us', 'key-0': 'v0', [`key-${MAX_METADATA_PATCH_OPS - 1}`]: `v${MAX_METADATA_PATCH_OPS - 1}` });
    } finally {
      await mirror.stop();
    }
  });

  it.each([
    { name: 'first', at: 0 },
    { name: 'last', at: MAX_METADATA_PATCH_OPS - 1 },
  ])('regression: a bad operation $name in a full PATCH applies nothing', async ({ at }) => {
    const { layout, store, mirror } = await setUp(registry);
    try {
      const ops = adds(MAX_METADATA_PATCH_OPS);
      ops[at] = { op: 'add', path: `/m1/metadata/key-${at}` };
      const error = await expectFleetError(patchMachines(store, ops), ErrorCodes.MACHINE_INVALID);
      expect(error.message).toBe('invalid value: add and replace require a value');
      expect((await registry.list(layout.machineMetadataOverlay)).items).toEqual([]);
    } finally {
      await mirror.stop();
    }
  });

  it('regression: one operation over the cap is refused with the cap, and nothing is applied', async () => {
    const { layout, store, mirror } = await setUp(registry);
    try {
      const error = await expectFleetError(patchMachines(store, adds(MAX_METADATA_PATCH_OPS + 1)), ErrorCodes.MACHINE_PATCH_TOO_LARGE);
      expect(error.message).toBe(`${MAX_METADATA_PATCH_OPS + 1} operations in one PATCH, at most ${MAX_METADATA_PATCH_OPS}`);
      expect((await registry.list(layout.machineMetadataOverlay)).items).toEqual([]);
    } finally {
      await mirror.stop();
    }
  });

  it('regression: remove of a key the machine announces hides it (fleet stores an empty value), and a later add sets it again', async () => {
    const { layout, store, mirror, metadata } = await setUp(registry);
    try {
      await patchMachines(store, [{ op: 'remove', path: '/m1/metadata/region' }]);
      await waitFor(() => metadata()['region'] === undefined, 'the mirror to hide region');
      expect(metadata()).toEqual({});
      expect((await registry.get(layout.machineMetadata('m1', 'region')))?.value).toBe('');
      await patchMachines(store, [{ op: 'add', path: '/m1/metadata/region', value: 'eu' }]);
      await waitFor(() => metadata()['region'] === 'eu', 'the mirror to see region again');
    } finally {
      await mirror.stop();
    }
  });

  it('operations on one key apply in order: the last one wins, as fleet applying them one by one', async () => {
    const { store, mirror, metadata } = await setUp(registry);
    try {
      await patchMachines(store, [
        { op: 'add', path: '/m1/metadata/role', value: 'web' },
        { op: 'remove', path: '/m1/metadata/role' },
        { op: 'add', path: '/m1/metadata/tier', value: 'bronze' },
        { op: 'replace', path: '/m1/metadata/tier', value: 'gold' },
        { op: 'add', path: '/m1/metadata/gone', value: 'x' },
        { op: 'remove', path: '/m1/metadata/gone' },
      ]);
      await waitFor(() => metadata()['tier'] === 'gold', 'the mirror to see the PATCH');
      expect(metadata()).toEqual({ region: 'us', tier: 'gold' });
    } finally {
      await mirror.stop();
    }
  });
});
