/**
 * etcd-specific behaviour beyond the contract, against one shared member.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes, type Registry } from '@fleetd/core';
import { createEtcdRegistry, type EtcdRegistry } from '../src/index.js';
import { useEtcd } from '../src/vitest/index.js';
import { collect, expectFleetError, sleep, timed, waitFor } from './helpers.js';

const etcd = useEtcd();

describe('etcd registry', () => {
  let registry: EtcdRegistry;
  let p: string;

  beforeEach(() => {
    registry = createEtcdRegistry(etcd().clientOptions);
    p = `/fleetd-registry-etcd/${randomUUID()}/`;
  });

  afterEach(async () => {
    await registry.deletePrefix(p).catch(() => undefined);
    await registry.close();
  });

  it('keeps real lease IDs (beyond 2^53) exact, as decimal strings', async () => {
    const lease = await registry.grantLease(60);
    expect(BigInt(lease)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    const seen: string[] = [];
    const watcher = await registry.watch(p, {
      fromRevision: (await registry.list(p)).revision + 1,
      onEvents: (events) => events.forEach((e) => e.type === 'put' && e.kv.lease !== undefined && seen.push(e.kv.lease)),
      onError: () => undefined,
    });
    await registry.put(`${p}a`, 'v', { lease });
    expect((await registry.get(`${p}a`))?.lease).toBe(lease);
    expect((await registry.list(p)).items[0]?.lease).toBe(lease);
    await waitFor(() => seen.length === 1, 'the put event');
    expect(seen).toEqual([lease]);
    await registry.revokeLease(lease);
    await watcher.close();
  });

  it.each([
    { name: 'a 1.6 MiB value (over etcd’s 1.5 MiB request limit)', size: 1.6 * 1024 * 1024 },
    { name: 'a 3 MiB value (over etcd’s gRPC message limit)', size: 3 * 1024 * 1024 },
  ])('refuses $name with REGISTRY_INVALID_ARGUMENT', async ({ size }) => {
    await expectFleetError(registry.put(`${p}big`, 'x'.repeat(Math.floor(size))), ErrorCodes.REGISTRY_INVALID_ARGUMENT);
    expect(await registry.get(`${p}big`)).toBeUndefined();
  });

  it('lists and replays more than gRPC’s default 4 MiB in one answer', async () => {
    const value = 'v'.repeat(1024 * 1024);
    const first = await registry.put(`${p}0`, value);
    for (let i = 1; i < 6; i++) await registry.put(`${p}${i}`, value);
    expect((await registry.list(p)).items).toHaveLength(6);
    const replay = await collect(registry, p, first.revision);
    await waitFor(() => replay.batches.length >= 6, 'the replay');
    expect(replay.batches.map((b) => b.revision)).toEqual(Array.from({ length: 6 }, (_, i) => first.revision + i));
    await replay.watcher.close();
  });

  it('replays a long history one revision per onEvents call, in order', async () => {
    const from = (await registry.list(p)).revision + 1;
    const revisions: number[] = [];
    for (let i = 0; i < 150; i++) revisions.push((await registry.put(`${p}k${i % 7}`, String(i))).revision);
    const replay = await collect(registry, p, from);
    await waitFor(() => replay.batches.length >= 150, 'the replay');
    expect(replay.revisions()).toEqual(revisions);
    expect(replay.batches.every((b) => b.events.length === 1)).toBe(true);
    await replay.watcher.close();
  });

  it('a throwing onEvents closes the watcher and reports REGISTRY_UNAVAILABLE with the cause', async () => {
    const boom = new Error('boom');
    const errors: unknown[] = [];
    let calls = 0;
    await registry.watch(p, {
      fromRevision: (await registry.list(p)).revision + 1,
      onEvents: () => {
        calls += 1;
        throw boom;
      },
      onError: (error) => errors.push(error),
    });
    await registry.put(`${p}a`, '1');
    await registry.put(`${p}a`, '2');
    await waitFor(() => errors.length > 0, 'the error');
    await sleep(100);
    expect(calls).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: 'FleetError', code: ErrorCodes.REGISTRY_UNAVAILABLE, cause: boom });
  });

  it('txn({}) reads the current store revision without writing', async () => {
    const { revision } = await registry.put(`${p}a`, 'v');
    expect(await registry.txn({})).toEqual({ succeeded: true, revision, responses: [] });
  });

  it('close() ends open watchers silently and rejects later calls with REGISTRY_CLOSED', async () => {
    const watch = await collect(registry, p, (await registry.list(p)).revision + 1);
    await registry.close();
    await sleep(50);
    expect(watch.errors).toEqual([]);
    await expectFleetError(registry.get(`${p}a`), ErrorCodes.REGISTRY_CLOSED);
    registry = createEtcdRegistry(etcd().clientOptions);
  });

  it('a call in flight when the registry closes rejects with REGISTRY_CLOSED', async () => {
    const lease = await registry.grantLease(60);
    const pending = registry.keepAlive(lease);
    await registry.close();
    const result = await timed(pending);
    // Either it was answered before the close, or it is rejected as closed; never a raw gRPC error.
    if (result.error !== undefined) expect(result.error).toMatchObject({ code: ErrorCodes.REGISTRY_CLOSED });
    registry = createEtcdRegistry(etcd().clientOptions);
    await registry.revokeLease(lease);
  });
});

describe('an etcd registry with nothing listening', () => {
  let registry: Registry;

  beforeEach(() => {
    // Port 1 on loopback: connection refused at once.
    registry = createEtcdRegistry({ endpoints: ['http://127.0.0.1:1'], requestTimeoutMs: 300, dialTimeoutMs: 300 });
  });

  afterEach(() => registry.close());

  it.each([
    { name: 'get', call: (r: Registry) => r.get('/a') },
    { name: 'list', call: (r: Registry) => r.list('/') },
    { name: 'put', call: (r: Registry) => r.put('/a', 'v') },
    { name: 'delete', call: (r: Registry) => r.delete('/a') },
    { name: 'deletePrefix', call: (r: Registry) => r.deletePrefix('/a/') },
    { name: 'txn', call: (r: Registry) => r.txn({ success: [{ type: 'put', key: '/a', value: 'v' }] }) },
    { name: 'grantLease', call: (r: Registry) => r.grantLease(10) },
    { name: 'keepAlive', call: (r: Registry) => r.keepAlive('7587869010390188050') },
    { name: 'revokeLease', call: (r: Registry) => r.revokeLease('7587869010390188050') },
    { name: 'compact', call: (r: Registry) => r.compact(5) },
    { name: 'watch', call: (r: Registry) => r.watch('/', { fromRevision: 1, onEvents: () => undefined, onError: () => undefined }) },
  ])('$name fails with REGISTRY_UNAVAILABLE within its timeout', async ({ call }) => {
    const { ms, error } = await timed(call(registry));
    expect(error).toMatchObject({ name: 'FleetError', code: ErrorCodes.REGISTRY_UNAVAILABLE });
    expect((error as Error).message).toMatch(/ECONNREFUSED|No connection established|cooling down/);
    expect(ms).toBeLessThan(800);
  });
});
