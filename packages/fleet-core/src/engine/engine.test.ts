import { afterEach, describe, expect, it } from 'vitest';
import { leastLoaded } from '../__fixtures__/plugins.js';
import { InstrumentedRegistry } from '../__fixtures__/registry.js';
import { waitFor } from '../testing/index.js';
import { assemblePlugins, createMemoryRegistry, createUnit, ErrorCodes } from '../index.js';
import type { BindBatch, PluginHost, Registry } from '../index.js';
import { Engine, fencedCommitter, FleetStore, LeaderElection, MachinePresence } from '../unstable.js';
import type { EngineEvent } from '../unstable.js';

const service = '[Service]\nExecStart=/bin/sleep infinity\n';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: { ttl?: number } = {}) {
  const registry = new InstrumentedRegistry(createMemoryRegistry());
  cleanups.push(() => registry.close());
  const host = await assemblePlugins([leastLoaded]);
  const store = new FleetStore(registry);
  await store.ensureSchema();
  const events: EngineEvent[] = [];
  const engine = (id: string, overrides: { registry?: Registry; host?: PluginHost } = {}) => {
    const created = new Engine({
      registry: overrides.registry ?? registry,
      host: overrides.host ?? host,
      id,
      leaseTtlSeconds: options.ttl ?? 1,
      reconcileIntervalMs: 200,
      onEvent: (event) => events.push(event),
    });
    cleanups.push(() => created.stop());
    return created;
  };
  const machine = async (id: string, ttl = 1) => {
    const presence = await MachinePresence.announce({ registry, machine: { id, metadata: {} }, ttlSeconds: ttl });
    cleanups.push(() => presence.withdraw());
    return presence;
  };
  const submit = async (...names: string[]) => {
    for (const name of names) await store.submitUnit(createUnit({ name, contents: service, desiredState: 'launched' }));
  };
  const placements = async () => {
    const { items } = await registry.inner.list(store.layout.placements);
    return Object.fromEntries(items.map((kv) => [kv.key.slice(store.layout.placements.length), (JSON.parse(kv.value) as { machine: string }).machine]));
  };
  return { registry, store, engine, machine, submit, placements, events };
}

describe('engine on the embedded registry', () => {
  it('places submitted units on announced machines', async () => {
    const { engine, machine, submit, placements } = await setup();
    await machine('m1');
    await machine('m2');
    await submit('a.service', 'b.service', 'c.service');
    const leader = engine('e1');
    await leader.start();
    await waitFor(async () => Object.keys(await placements()).length === 3, 'three placements', 5000);
    expect(await placements()).toEqual({ 'a.service': 'm1', 'b.service': 'm2', 'c.service': 'm1' });
  });

  it('lets only one of two engines act, and the other takes over when the leader stops', async () => {
    const { engine, machine, submit, placements } = await setup();
    await machine('m1');
    const first = engine('e1');
    const second = engine('e2');
    await first.start();
    await second.start();
    await waitFor(() => first.isLeader || second.isLeader, 'a leader', 3000);
    expect(first.isLeader && second.isLeader).toBe(false);
    const [leader, follower] = first.isLeader ? [first, second] : [second, first];
    await submit('a.service');
    await waitFor(async () => (await placements())['a.service'], 'a.service placed', 3000);
    await leader.stop();
    await waitFor(() => follower.isLeader, 'the other engine to lead', 2000);
    await submit('b.service');
    await waitFor(async () => (await placements())['b.service'], 'b.service placed by the new leader', 3000);
  });

  it('takes over within the lease TTL when the leader dies without resigning, placing nothing twice', async () => {
    const { engine, machine, submit, placements, registry } = await setup({ ttl: 1 });
    await machine('m1');
    await machine('m2');
    const first = engine('e1');
    await first.start();
    await waitFor(() => first.isLeader, 'e1 leading', 3000);
    const second = engine('e2');
    await second.start();
    await submit('a.service', 'b.service');
    await waitFor(async () => Object.keys(await placements()).length === 2, 'placements', 3000);
    const before = await placements();
    const died = Date.now();
    await first.crash();
    await waitFor(() => second.isLeader, 'e2 leading', 3000);
    expect(Date.now() - died).toBeLessThan(1000 + 1000);
    registry.resetCounts();
    await second.runRound();
    expect(await placements()).toEqual(before);
    expect(registry.count('put', 'delete')).toBe(0);
  });

  it('refuses the writes of a deposed engine that has not noticed yet', async () => {
    const { engine, machine, submit, placements, registry, store } = await setup({ ttl: 5 });
    await machine('m1', 5);
    const stale = engine('e1');
    await stale.start();
    await waitFor(() => stale.isLeader, 'e1 leading', 3000);
    // Someone else's term: the key is replaced behind e1's back.
    const leaderKey = await registry.inner.get(store.layout.leader);
    await registry.inner.revokeLease(leaderKey?.lease as string);
    await registry.inner.put(store.layout.leader, JSON.stringify({ id: 'e2' }));
    expect(stale.isLeader).toBe(true);
    await submit('a.service');
    await waitFor(() => stale.state.rawUnit('a.service'), 'the mirror to see a.service', 2000);
    const result = await stale.runRound();
    expect(result?.bindError?.code).toBe(ErrorCodes.ENGINE_DEPOSED);
    expect(await placements()).toEqual({});
    expect(stale.state.placementOf('a.service')).toBeUndefined();
  });

  it('merges operator metadata over what machines announce, and follows it both ways', async () => {
    const { engine, machine, store } = await setup();
    const presence = await machine('m1');
    await store.setMachineMetadata('m1', 'region', 'eu');
    await store.setMachineMetadata('m2', 'disk', 'ssd');
    const leader = engine('e1');
    await leader.start();
    const metadataOf = (id: string) => leader.state.machine(id)?.machine.metadata;
    await presence.update({ id: 'm1', metadata: { region: 'us', rack: '7' } });
    await waitFor(() => metadataOf('m1')?.['rack'] === '7', 'announced metadata', 2000);
    expect(metadataOf('m1')).toEqual({ region: 'eu', rack: '7' });
    await store.deleteMachineMetadata('m1', 'region');
    await waitFor(() => metadataOf('m1')?.['region'] === 'us', 'the overlay removed', 2000);
    expect(leader.state.machine('m2')).toBeUndefined();
    await machine('m2');
    await waitFor(() => metadataOf('m2')?.['disk'] === 'ssd', 'overlay of a machine that joins later', 2000);
  });

  it('moves the units of a machine whose presence expired', async () => {
    const { engine, machine, submit, placements } = await setup();
    const m1 = await machine('m1', 1);
    await machine('m2', 5);
    await submit('a.service', 'b.service');
    const leader = engine('e1');
    await leader.start();
    await waitFor(async () => Object.keys(await placements()).length === 2, 'placements', 3000);
    expect(await placements()).toEqual({ 'a.service': 'm1', 'b.service': 'm2' });
    await m1.abandon();
    await waitFor(async () => (await placements())['a.service'] === 'm2', 'a.service to move to m2', 4000);
  });

  it('revokes nothing when the registry fails during a round, and catches up when it is back', async () => {
    const { engine, machine, submit, placements, registry, events } = await setup({ ttl: 5 });
    await machine('m1', 5);
    const m2 = await machine('m2', 5);
    await submit('a.service', 'b.service');
    const leader = engine('e1');
    await leader.start();
    await waitFor(async () => Object.keys(await placements()).length === 2, 'placements', 3000);
    registry.failing.add('txn');
    await m2.withdraw();
    await waitFor(() => events.some((event) => event.type === 'round-failed'), 'a failed round', 3000);
    expect(await placements()).toEqual({ 'a.service': 'm1', 'b.service': 'm2' });
    expect(leader.state.placedMachineId('b.service')).toBe('m2');
    registry.failing.delete('txn');
    await waitFor(async () => (await placements())['b.service'] === 'm1', 'b.service moved once the registry is back', 3000);
  });

  it('makes no registry reads or writes in steady state', async () => {
    const { engine, machine, submit, placements, registry } = await setup({ ttl: 5 });
    await machine('m1', 5);
    await submit('a.service', 'b.service');
    const leader = engine('e1');
    await leader.start();
    await waitFor(async () => Object.keys(await placements()).length === 2, 'placements', 3000);
    await leader.runRound();
    registry.resetCounts();
    for (let i = 0; i < 5; i++) await leader.runRound();
    expect(registry.count('get', 'list', 'txn', 'put', 'delete', 'watch')).toBe(0);
  });

  it('reconsiders a unit whose placement changed concurrently instead of overwriting it', async () => {
    const { registry, store, placements } = await setup({ ttl: 5 });
    const election = new LeaderElection({ registry, key: store.layout.leader, candidate: 'e1', ttlSeconds: 5 });
    election.start();
    cleanups.push(() => election.stop());
    await waitFor(() => election.isLeader, 'leading', 2000);
    await registry.inner.put(store.layout.placement('a.service'), JSON.stringify({ machine: 'm2' }));
    const refused = new Map<string, string>();
    const decided = (unit: string) => ({ unit, machine: 'm1', previousMachine: undefined, candidates: [] });
    const batch: BindBatch = {
      round: 1,
      placements: [decided('a.service'), decided('b.service')],
      revocations: [],
      refuse: (unit, reason) => void refused.set(unit, reason),
      isRefused: (unit) => refused.has(unit),
    };
    // The decision saw no placement of either unit (revision 0).
    const seen = { placement: () => 0, unit: () => 0, recordPlacement: () => {} };
    await fencedCommitter({ registry, layout: store.layout, seen, fence: () => election.fence })(batch);
    expect([...refused]).toEqual([['a.service', 'changed concurrently: reconsidered next round']]);
    expect(await placements()).toEqual({ 'a.service': 'm2', 'b.service': 'm1' });
  });

  it('commits a large round in transactions of at most 128 operations', async () => {
    const { engine, machine, submit, placements, registry } = await setup({ ttl: 5 });
    await machine('m1', 5);
    await machine('m2', 5);
    const names = Array.from({ length: 300 }, (_, i) => `u${i}.service`);
    await submit(...names);
    const leader = engine('e1');
    registry.resetCounts();
    await leader.start();
    await waitFor(async () => Object.keys(await placements()).length === 300, '300 placements', 5000);
    // 300 placements at 63 per transaction (a fence and two guards each: 127 compares) = 5 transactions,
    // plus one for the schema check and one for the election.
    expect(registry.count('txn')).toBe(7);
  });
});

describe('engine retries', () => {
  it('places an unschedulable unit as soon as a machine joins, and refuses a prefix of another schema', async () => {
    const { engine, machine, submit, placements, registry, store } = await setup({ ttl: 5 });
    await submit('a.service');
    const leader = engine('e1');
    await leader.start();
    await waitFor(() => leader.isLeader, 'leading', 3000);
    await leader.runRound();
    expect(await placements()).toEqual({});
    await machine('m1', 5);
    await waitFor(async () => (await placements())['a.service'] === 'm1', 'a.service placed on the new machine', 3000);
    await registry.inner.put(store.layout.schema, '99');
    await expect(engine('e2').start()).rejects.toMatchObject({ code: ErrorCodes.STORE_SCHEMA_MISMATCH });
  });
});

describe('machine presence', () => {
  it('refuses a second fleetd with the same machine ID, and accepts it once the first withdrew', async () => {
    const registry = createMemoryRegistry();
    cleanups.push(() => registry.close());
    const first = await MachinePresence.announce({ registry, machine: { id: 'm1', metadata: {} }, ttlSeconds: 5 });
    await expect(MachinePresence.announce({ registry, machine: { id: 'm1', metadata: {} }, ttlSeconds: 5 })).rejects.toMatchObject({
      code: ErrorCodes.MACHINE_ID_TAKEN,
    });
    await first.withdraw();
    const second = await MachinePresence.announce({ registry, machine: { id: 'm1', metadata: { zone: 'a' } }, ttlSeconds: 5 });
    await second.withdraw();
  });

  it('lets a restarted fleetd take its machine back with the lease it persisted, and nobody else', async () => {
    const registry = createMemoryRegistry();
    cleanups.push(() => registry.close());
    const machine = { id: 'm1', metadata: {} };
    const before = await MachinePresence.announce({ registry, machine, ttlSeconds: 5 });
    const lease = before.lease;
    const key = '/fleetd/machines/m1';
    const revision = (await registry.get(key))?.createRevision;
    await before.abandon();
    await expect(MachinePresence.announce({ registry, machine, ttlSeconds: 5, resumeLease: 'not-it' })).rejects.toMatchObject({
      code: ErrorCodes.MACHINE_ID_TAKEN,
    });
    const after = await MachinePresence.announce({ registry, machine: { id: 'm1', metadata: { zone: 'b' } }, ttlSeconds: 5, resumeLease: lease });
    cleanups.push(() => after.withdraw());
    expect(after.lease).toBe(lease);
    // The key never went away, so the engine never saw the machine leave.
    expect((await registry.get(key))?.createRevision).toBe(revision);
    expect((await registry.get(key))?.value).toContain('"zone":"b"');
  });

  it('announces afresh when the persisted lease has expired', async () => {
    const registry = createMemoryRegistry();
    cleanups.push(() => registry.close());
    const before = await MachinePresence.announce({ registry, machine: { id: 'm1', metadata: {} }, ttlSeconds: 5 });
    const lease = before.lease;
    await before.withdraw();
    const after = await MachinePresence.announce({ registry, machine: { id: 'm1', metadata: {} }, ttlSeconds: 5, resumeLease: lease });
    cleanups.push(() => after.withdraw());
    expect(after.lease).not.toBe(lease);
  });
});
