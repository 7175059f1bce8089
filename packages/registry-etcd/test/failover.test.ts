/**
 * One member that stops, restarts and hangs: timeouts, and watches that
 * resume without losing or repeating a revision.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes, type Registry } from '@fleetd/core';
import { createEtcdRegistry, type EtcdRegistry } from '../src/index.js';
import { useEtcd } from '../src/vitest/index.js';
import { collect, expectIncreasing, history, sleep, startWriter, timed, waitFor } from './helpers.js';

const etcd = useEtcd();

const CALLS: readonly { readonly name: string; readonly call: (r: Registry, p: string) => Promise<unknown> }[] = [
  { name: 'get', call: (r, p) => r.get(`${p}a`) },
  { name: 'list', call: (r, p) => r.list(p) },
  { name: 'put', call: (r, p) => r.put(`${p}a`, 'v') },
  { name: 'txn', call: (r, p) => r.txn({ success: [{ type: 'put', key: `${p}a`, value: 'v' }] }) },
  { name: 'grantLease', call: (r) => r.grantLease(10) },
  { name: 'watch', call: (r, p) => r.watch(p, { fromRevision: 1, onEvents: () => undefined, onError: () => undefined }) },
];

describe('etcd registry failover (one member)', () => {
  let registry: EtcdRegistry;
  let p: string;
  let keepStopped = false;

  beforeEach(() => {
    registry = createEtcdRegistry({ ...etcd().clientOptions, requestTimeoutMs: 500, dialTimeoutMs: 500 });
    p = `/fleetd-failover/${randomUUID()}/`;
  });

  afterEach(async () => {
    // Leave the member running for the next test, whatever this one did.
    const member = etcd().members[0]!;
    member.resume();
    if (!keepStopped && !member.isRunning) await member.start();
    await registry.close();
  });

  describe('while etcd is stopped', () => {
    beforeAll(async () => {
      const warm = createEtcdRegistry(etcd().clientOptions);
      await warm.put('/fleetd-failover/warm', 'x');
      await warm.close();
      await etcd().members[0]!.stop();
      keepStopped = true;
    });

    afterAll(async () => {
      keepStopped = false;
      await etcd().members[0]!.start();
    });

    it.each(CALLS)('$name fails quickly with REGISTRY_UNAVAILABLE', async ({ call }) => {
      // A connection that was up, then broke.
      await timed(registry.get(`${p}a`));
      const { ms, error } = await timed(call(registry, p));
      expect(error).toMatchObject({ name: 'FleetError', code: ErrorCodes.REGISTRY_UNAVAILABLE });
      expect(ms).toBeLessThan(1500);
    });
  });

  it('a registry that saw etcd stop works again once etcd is back', async () => {
    const member = etcd().members[0]!;
    await registry.put(`${p}a`, 'v');
    await member.stop();
    await expect(registry.get(`${p}a`)).rejects.toMatchObject({ code: ErrorCodes.REGISTRY_UNAVAILABLE });
    await member.start();
    await waitFor(async () => (await timed(registry.get(`${p}a`))).error === undefined, 'the registry to work again');
    for (const { call } of CALLS) expect((await timed(call(registry, p))).error).toBeUndefined();
  });

  it('a request to a hung member (SIGSTOP) times out after requestTimeoutMs with REGISTRY_UNAVAILABLE', async () => {
    const member = etcd().members[0]!;
    await registry.put(`${p}a`, 'v');
    await member.pause();
    const { ms, error } = await timed(registry.get(`${p}a`));
    member.resume();
    expect(error).toMatchObject({ name: 'FleetError', code: ErrorCodes.REGISTRY_UNAVAILABLE });
    expect((error as Error).message).toContain('no answer within 500 ms');
    expect(ms).toBeGreaterThanOrEqual(450);
    expect(ms).toBeLessThan(1500);
  });

  it('a watch resumes across a restart: every revision once, in order, none lost', async () => {
    const member = etcd().members[0]!;
    const from = (await registry.list(p)).revision + 1;
    const watch = await collect(registry, p, from);
    const writer = startWriter(createEtcdRegistry(etcd().clientOptions), p);
    await waitFor(() => writer.written() >= 20, 'some writes');
    await member.stop();
    await sleep(300);
    await member.start();
    const before = writer.written();
    await waitFor(() => writer.written() >= before + 20, 'writes after the restart', 10_000);
    await writer.stop();
    const last = await registry.put(`${p}sentinel`, 'x');
    await waitFor(() => watch.revisions().includes(last.revision), 'the sentinel', 10_000);
    expect(watch.errors).toEqual([]);
    expectIncreasing(watch.revisions());
    expect(watch.batches).toEqual(await history(registry, p, from, last.revision));
    await watch.watcher.close();
  });

  it('a watch whose history was compacted while it was disconnected fails with REGISTRY_COMPACTED', async () => {
    const member = etcd().members[0]!;
    const from = (await registry.list(p)).revision + 1;
    const watch = await collect(registry, p, from);
    const seen = await registry.put(`${p}a`, '1');
    await waitFor(() => watch.revisions().includes(seen.revision), 'the first event');
    // Writes elsewhere, then a compaction: a connected watch does not notice...
    for (let i = 0; i < 3; i++) await registry.put(`/fleetd-failover-other/${randomUUID()}`, 'x');
    const { revision: compactAt } = await registry.put(`/fleetd-failover-other/${randomUUID()}`, 'x');
    await registry.compact(compactAt);
    await sleep(100);
    expect(watch.errors).toEqual([]);
    // ...but resuming after revision `seen` needs history that is gone.
    await member.stop();
    await member.start();
    await waitFor(() => watch.errors.length > 0, 'the compaction error', 10_000);
    expect(watch.errors).toHaveLength(1);
    expect(watch.errors[0]).toMatchObject({ name: 'FleetError', code: ErrorCodes.REGISTRY_COMPACTED, revision: compactAt });
    expect(watch.revisions()).toEqual([seen.revision]);
  });
});
