/**
 * Three members: losing the leader, and a watch that follows a member through
 * a restart while the others take writes.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEtcdRegistry, type EtcdRegistry } from '../src/index.js';
import { useEtcd } from '../src/vitest/index.js';
import { collect, expectIncreasing, history, startWriter, timed, waitFor } from './helpers.js';

const etcd = useEtcd({ members: 3 });

describe('etcd registry on a three-member cluster', () => {
  let registry: EtcdRegistry;
  let p: string;

  beforeEach(() => {
    registry = createEtcdRegistry(etcd().clientOptions);
    p = `/fleetd-cluster/${randomUUID()}/`;
  });

  afterEach(async () => {
    await registry.close();
    // Bring every member back for the next test.
    for (const member of etcd().members) if (!member.isRunning) await member.start();
  });

  it('keeps working through the other endpoints when the leader is killed', async () => {
    const leader = await etcd().leader();
    await registry.put(`${p}before`, 'v');
    const from = (await registry.list(p)).revision;
    const watch = await collect(registry, p, from);
    await leader.kill();
    const killedAt = Date.now();
    // A write succeeds once the others have elected a new leader.
    await waitFor(async () => (await timed(registry.put(`${p}after`, 'v'))).error === undefined, 'a write to succeed', 15_000, 50);
    const recoveredMs = Date.now() - killedAt;
    const newLeader = await etcd().leader();
    expect(newLeader).not.toBe(leader);
    // From then on every call works, although one endpoint is still dead.
    for (let i = 0; i < 20; i++) {
      await registry.put(`${p}k${i}`, String(i));
      expect((await registry.get(`${p}k${i}`))?.value).toBe(String(i));
    }
    expect((await registry.list(p)).items).toHaveLength(22);
    const last = await registry.put(`${p}sentinel`, 'x');
    await waitFor(() => watch.revisions().includes(last.revision), 'the watch to follow', 10_000);
    expect(watch.errors).toEqual([]);
    expect(watch.batches).toEqual(await history(registry, p, from, last.revision));
    expect(recoveredMs).toBeLessThan(15_000);
    await watch.watcher.close();
  });

  it('a watch on one member resumes after its restart with exactly the revisions it missed', async () => {
    const [watched] = etcd().members;
    const watcherRegistry = createEtcdRegistry({ ...etcd().clientOptions, endpoints: [watched!.endpoint] });
    const from = (await registry.list(p)).revision + 1;
    const watch = await collect(watcherRegistry, p, from);
    const writer = startWriter(registry, p);
    await waitFor(() => writer.written() >= 10, 'writes before the stop');
    await watched!.stop();
    const atStop = writer.written();
    // The other two members keep taking writes the watcher cannot see yet.
    await waitFor(() => writer.written() >= atStop + 30, 'writes while the member is down', 10_000);
    await watched!.start();
    const atStart = writer.written();
    await waitFor(() => writer.written() >= atStart + 10, 'writes after the restart', 10_000);
    await writer.stop();
    const last = await registry.put(`${p}sentinel`, 'x');
    await waitFor(() => watch.revisions().includes(last.revision), 'the sentinel', 10_000);
    expect(watch.errors).toEqual([]);
    expectIncreasing(watch.revisions());
    expect(watch.batches).toEqual(await history(registry, p, from, last.revision));
    expect(watch.batches.length).toBeGreaterThanOrEqual(50);
    await watch.watcher.close();
    await watcherRegistry.close();
  });
});
