import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCodes, type FleetError } from '../errors.js';
import { describeRegistryContract } from '../vitest/registry-contract.js';
import { createMemoryRegistry, type MemoryRegistry } from './memory.js';
import type { WatchEvent } from './types.js';

describeRegistryContract('memory registry', async () => ({ registry: createMemoryRegistry() }));

async function expectCode(promise: Promise<unknown>, code: string): Promise<FleetError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ name: 'FleetError', code });
  return error as FleetError;
}

/** Lets queued microtasks (watch deliveries) run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('memory registry specifics', () => {
  let registry: MemoryRegistry;

  afterEach(async () => {
    await registry?.close();
    vi.useRealTimers();
  });

  describe('revisions', () => {
    it('starts at revision 1, and only writes advance it', async () => {
      registry = createMemoryRegistry();
      expect(registry.currentRevision()).toBe(1);
      expect(registry.compactedRevision()).toBe(0);
      expect((await registry.list('')).revision).toBe(1);
      expect(await registry.put('a', '1')).toEqual({ revision: 2 });
      expect(await registry.delete('missing')).toEqual({ revision: 2, deleted: 0 });
      expect((await registry.txn({ success: [{ type: 'get', key: 'a' }] })).revision).toBe(2);
      expect(await registry.delete('a')).toEqual({ revision: 3, deleted: 1 });
      expect(registry.currentRevision()).toBe(3);
    });

    it('a watch from revision 1 replays everything', async () => {
      registry = createMemoryRegistry();
      await registry.put('a', '1');
      await registry.put('b', '1');
      const seen: number[] = [];
      await registry.watch('', { fromRevision: 1, onEvents: (_e, rev) => seen.push(rev), onError: () => undefined });
      await settle();
      expect(seen).toEqual([2, 3]);
    });
  });

  describe('history limit', () => {
    it('keeps the last historyLimit revisions and auto-compacts the rest', async () => {
      registry = createMemoryRegistry({ historyLimit: 3 });
      for (let i = 0; i < 6; i++) await registry.put('k', String(i)); // revisions 2..7
      expect(registry.currentRevision()).toBe(7);
      expect(registry.compactedRevision()).toBe(4);

      const replayed: number[] = [];
      await registry.watch('', { fromRevision: 5, onEvents: (_e, rev) => replayed.push(rev), onError: () => undefined });
      const errors: FleetError[] = [];
      await registry.watch('', { fromRevision: 4, onEvents: () => undefined, onError: (e) => errors.push(e) });
      await settle();
      expect(replayed).toEqual([5, 6, 7]);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: ErrorCodes.REGISTRY_COMPACTED, revision: 4 });
      // A manual compact below the auto-compacted revision is already compacted.
      await expectCode(registry.compact(3), ErrorCodes.REGISTRY_COMPACTED);
    });

    it('compact(current) leaves only live watches possible', async () => {
      registry = createMemoryRegistry();
      const { revision } = await registry.put('k', 'v');
      await registry.compact(revision);
      expect(registry.compactedRevision()).toBe(revision);
      const seen: number[] = [];
      await registry.watch('', {
        fromRevision: revision + 1,
        onEvents: (_e, rev) => seen.push(rev),
        onError: () => undefined,
      });
      await registry.put('k', 'w');
      await settle();
      expect(seen).toEqual([revision + 1]);
    });

    it('rejects invalid options', () => {
      expect(() => createMemoryRegistry({ historyLimit: 0 })).toThrow(expect.objectContaining({ code: ErrorCodes.REGISTRY_INVALID_ARGUMENT }));
      expect(() => createMemoryRegistry({ maxTxnOps: 1.5 })).toThrow(expect.objectContaining({ code: ErrorCodes.REGISTRY_INVALID_ARGUMENT }));
      expect(() => createMemoryRegistry({ minLeaseTtlSeconds: 0 })).toThrow(expect.objectContaining({ code: ErrorCodes.REGISTRY_INVALID_ARGUMENT }));
    });
  });

  describe('txn limits', () => {
    it('honours a custom maxTxnOps', async () => {
      registry = createMemoryRegistry({ maxTxnOps: 2 });
      const put = (key: string) => ({ type: 'put' as const, key, value: 'v' });
      await registry.txn({ success: [put('a'), put('b')] });
      await expectCode(registry.txn({ success: [put('a'), put('b'), put('c')] }), ErrorCodes.REGISTRY_TXN_TOO_LARGE);
    });
  });

  describe('leases (fake timers)', () => {
    it('expires a lease exactly at its TTL; keepAlive restarts it', async () => {
      vi.useFakeTimers();
      registry = createMemoryRegistry();
      const lease = await registry.grantLease(10);
      await registry.put('a', 'v', { lease });
      await vi.advanceTimersByTimeAsync(9_999);
      expect(await registry.get('a')).toBeDefined();
      expect(await registry.keepAlive(lease)).toBe(10);
      await vi.advanceTimersByTimeAsync(9_999);
      expect(await registry.get('a')).toBeDefined();
      await vi.advanceTimersByTimeAsync(1);
      expect(await registry.get('a')).toBeUndefined();
      await expectCode(registry.keepAlive(lease), ErrorCodes.REGISTRY_LEASE_NOT_FOUND);
    });

    it('raises TTLs below minLeaseTtlSeconds to it', async () => {
      vi.useFakeTimers();
      registry = createMemoryRegistry({ minLeaseTtlSeconds: 5 });
      const lease = await registry.grantLease(1);
      expect(await registry.keepAlive(lease)).toBe(5);
      await registry.put('a', 'v', { lease });
      await vi.advanceTimersByTimeAsync(4_999);
      expect(await registry.get('a')).toBeDefined();
      await vi.advanceTimersByTimeAsync(1);
      expect(await registry.get('a')).toBeUndefined();
    });

    it('defaults the minimum TTL to 1 s', async () => {
      vi.useFakeTimers();
      registry = createMemoryRegistry();
      const lease = await registry.grantLease(0);
      expect(await registry.keepAlive(lease)).toBe(1);
    });

    it('leases longer than setTimeout can wait still expire at their TTL', async () => {
      vi.useFakeTimers();
      registry = createMemoryRegistry();
      const ttl = 30 * 24 * 3600; // 30 days > 2^31-1 ms
      const lease = await registry.grantLease(ttl);
      await registry.put('a', 'v', { lease });
      await vi.advanceTimersByTimeAsync(ttl * 1000 - 1);
      expect(await registry.get('a')).toBeDefined();
      await vi.advanceTimersByTimeAsync(1);
      expect(await registry.get('a')).toBeUndefined();
    });

    it('close clears every lease timer', async () => {
      vi.useFakeTimers();
      registry = createMemoryRegistry();
      await registry.grantLease(60);
      await registry.grantLease(60);
      const lease = await registry.grantLease(60);
      await registry.keepAlive(lease);
      expect(vi.getTimerCount()).toBe(3);
      await registry.close();
      expect(vi.getTimerCount()).toBe(0);
    });

    it('revoke and expiry clear their timers', async () => {
      vi.useFakeTimers();
      registry = createMemoryRegistry();
      const a = await registry.grantLease(60);
      await registry.grantLease(5);
      expect(vi.getTimerCount()).toBe(2);
      await registry.revokeLease(a);
      expect(vi.getTimerCount()).toBe(1);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  describe('leases (real timers)', () => {
    it('lease timers do not hold the process open (unref)', () => {
      registry = createMemoryRegistry();
      const count = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      const before = count();
      // Each call runs synchronously; only unref'd timers stay out of the count.
      void registry.grantLease(3600);
      void registry.grantLease(3600);
      expect(count()).toBe(before);
    });

    it('lease IDs are beyond 2^53, so they only survive as strings', async () => {
      registry = createMemoryRegistry();
      const lease = await registry.grantLease(60);
      expect(BigInt(lease)).toBeGreaterThan(2n ** 53n);
      expect(String(Number(lease))).not.toBe(lease);
    });

    it('regression: no lease ID survives a round trip through a number (1 in 256 did, failing the test above)', async () => {
      registry = createMemoryRegistry();
      const leases = await Promise.all(Array.from({ length: 512 }, () => registry.grantLease(60)));
      expect(leases.filter((lease) => BigInt(Number(lease)) === BigInt(lease))).toEqual([]);
    });

    it.each(['abc', '0', '-1', '01', '1.5', '9223372036854775808', ''])('lease ID %j is REGISTRY_INVALID_ARGUMENT', async (id) => {
      registry = createMemoryRegistry();
      await expectCode(registry.keepAlive(id), ErrorCodes.REGISTRY_INVALID_ARGUMENT);
      await expectCode(registry.put('a', 'v', { lease: id }), ErrorCodes.REGISTRY_INVALID_ARGUMENT);
    });
  });

  describe('watch delivery', () => {
    it('stops every watcher silently on close, even with deliveries queued', async () => {
      registry = createMemoryRegistry();
      const events: WatchEvent[] = [];
      const errors: FleetError[] = [];
      await registry.watch('', {
        fromRevision: 1,
        onEvents: (e) => events.push(...e),
        onError: (e) => errors.push(e),
      });
      void registry.put('a', 'v'); // delivery queued, not yet run
      await registry.close();
      await settle();
      expect(events).toEqual([]);
      expect(errors).toEqual([]);
    });

    it('an onEvents that throws closes the watcher and reports REGISTRY_UNAVAILABLE with the cause', async () => {
      registry = createMemoryRegistry();
      const boom = new Error('boom');
      const errors: FleetError[] = [];
      let calls = 0;
      await registry.watch('', {
        fromRevision: 2,
        onEvents: () => {
          calls += 1;
          throw boom;
        },
        onError: (e) => errors.push(e),
      });
      await registry.put('a', '1');
      await registry.put('a', '2');
      await settle();
      await registry.put('a', '3');
      await settle();
      expect(calls).toBe(1);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: ErrorCodes.REGISTRY_UNAVAILABLE, cause: boom });
    });

    it('writes made inside onEvents are delivered afterwards, in order', async () => {
      registry = createMemoryRegistry();
      const seen: string[] = [];
      await registry.watch('', {
        fromRevision: 2,
        onEvents: (events, revision) => {
          for (const e of events) if (e.type === 'put') seen.push(`${revision}:${e.kv.value}`);
          if (revision === 2) void registry.put('b', 'from-callback');
        },
        onError: () => undefined,
      });
      await registry.put('a', 'first');
      await registry.put('c', 'second');
      await settle();
      // The callback runs before `await registry.put('a')` resumes, so its write takes revision 3.
      expect(seen).toEqual(['2:first', '3:from-callback', '4:second']);
    });
  });

  describe('misc', () => {
    it('list("") and deletePrefix("") cover every key', async () => {
      registry = createMemoryRegistry();
      await registry.put('b', '1');
      await registry.put('a', '1');
      expect((await registry.list('')).items.map((kv) => kv.key)).toEqual(['a', 'b']);
      expect(await registry.deletePrefix('')).toEqual({ revision: 4, deleted: 2 });
      expect((await registry.list('')).items).toEqual([]);
    });

    it('returned key-values are frozen', async () => {
      registry = createMemoryRegistry();
      await registry.put('a', '1');
      const kv = await registry.get('a');
      expect(Object.isFrozen(kv)).toBe(true);
    });

    it.each([
      { name: 'a key with a lone surrogate', call: (r: MemoryRegistry) => r.put('a\uD800', 'v') },
      { name: 'a value with a lone surrogate', call: (r: MemoryRegistry) => r.put('a', '\uDC00x') },
      { name: 'a non-string key', call: (r: MemoryRegistry) => r.get(42 as unknown as string) },
      { name: 'a non-string value', call: (r: MemoryRegistry) => r.put('a', null as unknown as string) },
      {
        name: 'an unknown txn op',
        call: (r: MemoryRegistry) => r.txn({ success: [{ type: 'nope', key: 'a' } as never] }),
      },
      {
        name: 'a numeric compare with a string value',
        call: (r: MemoryRegistry) => r.txn({ compare: [{ key: 'a', target: 'version', op: '==', value: '1' as unknown as number }] }),
      },
      {
        name: 'an unknown compare op',
        call: (r: MemoryRegistry) => r.txn({ compare: [{ key: 'a', target: 'version', op: '>=' as '>', value: 1 }] }),
      },
    ])('$name is REGISTRY_INVALID_ARGUMENT', async ({ call }) => {
      registry = createMemoryRegistry();
      await expectCode(call(registry), ErrorCodes.REGISTRY_INVALID_ARGUMENT);
    });

    it('handles 100k keys: random-order puts, prefix lists and deletes stay fast', async () => {
      registry = createMemoryRegistry({ historyLimit: 1000 });
      const n = 100_000;
      const order = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      const started = performance.now();
      for (const i of order) await registry.put(`m/${i % 100}/k${i}`, 'v');
      const listed = await registry.list('m/42/');
      expect(listed.items).toHaveLength(n / 100);
      const keys = listed.items.map((kv) => kv.key);
      expect(keys).toEqual([...keys].sort());
      for (let i = 0; i < 200; i++) await registry.list(`m/${i % 100}/`);
      expect((await registry.deletePrefix('m/7/')).deleted).toBe(n / 100);
      expect((await registry.list('')).items).toHaveLength(n - n / 100);
      // Generous bound: it takes well under a second on the reference machine.
      expect(performance.now() - started).toBeLessThan(8_000);
    });
  });
});
