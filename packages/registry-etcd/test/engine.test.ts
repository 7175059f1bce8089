// The engine on a real etcd: election, failover, fencing, presence, and what
// happens when etcd itself fails. Each test uses its own key prefix.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { assemblePlugins, createUnit, ErrorCodes, Stage } from '@fleetd/core';
import { Engine, FleetStore, MachinePresence } from '@fleetd/core/unstable';
import type { PluginEntry, Registry } from '@fleetd/core';
import type { EngineEvent } from '@fleetd/core/unstable';
import { testPlugin, waitFor } from '@fleetd/core/testing';
import { createEtcdRegistry } from '../src/index.js';
import { useEtcd } from '../src/vitest/index.js';
import type { EtcdCluster } from '../src/testing/index.js';

const service = '[Service]\nExecStart=/bin/sleep infinity\n';
const leastLoaded = testPlugin('least-loaded', (hooks) => hooks.score.tap((_unit, machine) => -machine.load));
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** A fleet on `cluster` under a fresh prefix: clients, engines, machines, units. */
function fleet(cluster: EtcdCluster, options: { ttl?: number; plugins?: PluginEntry[] } = {}) {
  const keyPrefix = `/fleetd-test-${randomUUID()}/`;
  const client = (): Registry => {
    const registry = createEtcdRegistry({ ...cluster.clientOptions, requestTimeoutMs: 2000 });
    cleanups.push(() => registry.close());
    return registry;
  };
  const admin = client();
  const store = new FleetStore(admin, keyPrefix);
  const engine = async (id: string) => {
    const host = await assemblePlugins(options.plugins ?? [leastLoaded]);
    const created = new Engine({
      registry: client(),
      host,
      id,
      keyPrefix,
      leaseTtlSeconds: options.ttl ?? 2,
      reconcileIntervalMs: 500,
      // FLEETD_TEST_DEBUG=1 shows what the engines go through.
      ...(process.env['FLEETD_TEST_DEBUG']
        ? { onEvent: (event: EngineEvent) => console.error(id, new Date().toISOString(), event.type, 'error' in event ? event.error.message : '') }
        : {}),
    });
    cleanups.push(() => created.stop());
    return created;
  };
  const machine = async (id: string, ttl = options.ttl ?? 2) => {
    const presence = await MachinePresence.announce({ registry: client(), machine: { id, metadata: {} }, keyPrefix, ttlSeconds: ttl });
    cleanups.push(() => presence.withdraw());
    return presence;
  };
  const submit = async (...names: string[]) => {
    for (const name of names) await store.submitUnit(createUnit({ name, contents: service, desiredState: 'launched' }));
  };
  const placementKeys = async () => (await admin.list(store.layout.placements)).items;
  const placements = async () =>
    Object.fromEntries(
      (await placementKeys()).map((kv) => [kv.key.slice(store.layout.placements.length), (JSON.parse(kv.value) as { machine: string }).machine]),
    );
  return { store, admin, engine, machine, submit, placements, placementKeys };
}

describe('engine on one etcd member', () => {
  const etcd = useEtcd();

  it('two engines: only one acts', async () => {
    const { engine, machine, submit, placements } = fleet(etcd());
    await machine('m1');
    const [first, second] = [await engine('e1'), await engine('e2')];
    await first.start();
    await second.start();
    await waitFor(() => first.isLeader || second.isLeader, 'a leader', 5000);
    await submit('a.service', 'b.service');
    await waitFor(async () => Object.keys(await placements()).length === 2, 'placements', 5000);
    expect(first.isLeader !== second.isLeader).toBe(true);
    const follower = first.isLeader ? second : first;
    expect(await follower.runRound()).toBeUndefined();
  });

  it('kill the leading engine: the other acts within TTL + 1 s and nothing is placed twice', async () => {
    const { engine, machine, submit, placements, placementKeys } = fleet(etcd(), { ttl: 2 });
    await machine('m1', 10);
    await machine('m2', 10);
    const first = await engine('e1');
    await first.start();
    await waitFor(() => first.isLeader, 'e1 leading', 5000);
    const second = await engine('e2');
    await second.start();
    await submit('a.service', 'b.service', 'c.service');
    await waitFor(async () => Object.keys(await placements()).length === 3, 'placements', 5000);
    const killedAt = Date.now();
    await first.crash();
    await waitFor(() => second.isLeader, 'e2 leading', 5000);
    expect(Date.now() - killedAt).toBeLessThanOrEqual(2000 + 1000);
    await submit('d.service');
    await waitFor(async () => (await placements())['d.service'], 'd.service placed by the new leader', 5000);
    // version 1: every placement key was written exactly once.
    expect((await placementKeys()).map((kv) => kv.version)).toEqual([1, 1, 1, 1]);
  });

  it('presence expiry moves the units of a dead machine', async () => {
    const { engine, machine, submit, placements } = fleet(etcd(), { ttl: 2 });
    const m1 = await machine('m1', 2);
    await machine('m2', 10);
    await submit('a.service', 'b.service');
    const leader = await engine('e1');
    await leader.start();
    await waitFor(async () => Object.keys(await placements()).length === 2, 'placements', 5000);
    expect(await placements()).toEqual({ 'a.service': 'm1', 'b.service': 'm2' });
    await m1.abandon();
    await waitFor(async () => (await placements())['a.service'] === 'm2', 'a.service on m2', 8000);
  });

  it("a deposed engine's bind is rejected", async () => {
    const { engine, machine, submit, placements, admin, store } = fleet(etcd(), { ttl: 10 });
    await machine('m1', 10);
    const stale = await engine('e1');
    await stale.start();
    await waitFor(() => stale.isLeader, 'e1 leading', 5000);
    const leaderKey = await admin.get(store.layout.leader);
    await admin.revokeLease(leaderKey?.lease as string);
    await admin.put(store.layout.leader, JSON.stringify({ id: 'usurper' }));
    expect(stale.isLeader).toBe(true);
    await submit('a.service');
    await waitFor(() => stale.state.rawUnit('a.service'), 'the mirror to see a.service', 5000);
    const result = await stale.runRound();
    expect(result?.bindError?.code).toBe(ErrorCodes.ENGINE_DEPOSED);
    expect(await placements()).toEqual({});
  });

  it('etcd stopped for 10 s and started again: no placement revoked, engine and agents continue', async () => {
    const cluster = etcd();
    const { engine, machine, submit, placements, placementKeys } = fleet(cluster, { ttl: 5 });
    await machine('m1', 5);
    await machine('m2', 5);
    await submit('a.service', 'b.service');
    const leader = await engine('e1');
    await leader.start();
    await waitFor(async () => Object.keys(await placements()).length === 2, 'placements', 5000);
    const before = await placements();
    const member = cluster.members[0]!;
    await member.stop();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    expect(leader.state.placedMachineId('a.service')).toBe(before['a.service']);
    await member.start();
    await submit('c.service');
    await waitFor(async () => (await placements())['c.service'], 'c.service placed after etcd came back', 20_000);
    const after = await placements();
    expect({ a: after['a.service'], b: after['b.service'] }).toEqual({ a: before['a.service'], b: before['b.service'] });
    expect((await placementKeys()).map((kv) => kv.version)).toEqual([1, 1, 1]);
  }, 60_000);
});

describe('engine on three etcd members', () => {
  const etcd = useEtcd({ members: 3 });

  it('kill the etcd leader during a round of 1,000 placements: every unit ends placed exactly once', async () => {
    const cluster = etcd();
    let killed = false;
    const killer = testPlugin('etcd-leader-killer', (hooks) =>
      hooks.bind.tap({ stage: Stage.EARLY }, async (batch) => {
        if (killed || batch.placements.length < 1000) return;
        killed = true;
        // Kill it once the commit is under way, not before it starts.
        setTimeout(() => void cluster.leader().then((member) => member.kill()), 30);
      }),
    );
    const { engine, machine, submit, placementKeys } = fleet(cluster, { ttl: 10, plugins: [killer, leastLoaded] });
    await machine('m1', 30);
    await machine('m2', 30);
    await machine('m3', 30);
    const names = Array.from({ length: 1000 }, (_, i) => `app@${i}.service`);
    await submit(...names);
    const leader = await engine('e1');
    await leader.start();
    const keys = await waitFor(
      async () => {
        const items = await placementKeys();
        return items.length === 1000 ? items : undefined;
      },
      '1,000 placements',
      60_000,
    );
    expect(killed).toBe(true);
    expect(keys.every((kv) => kv.version === 1)).toBe(true);
    expect(new Set(keys.map((kv) => kv.key)).size).toBe(1000);
  }, 120_000);
});
