/**
 * The registry contract: the behaviour every `Registry` implementation must
 * have, written once and run against each (the embedded memory store here; an
 * etcd-backed store against a real etcd).
 *
 * Only etcd v3 behaviour is pinned (each rule was checked against etcd 3.4.23;
 * see `../registry/types.ts`), plus argument validation that the interface
 * itself defines. The suite never assumes an empty store or absolute revision
 * numbers: every test works under its own random key prefix and asserts
 * relations between revisions. It does assume that nothing else writes to the
 * store while a test runs (it checks that a no-op creates no revision), so run
 * it against a store of its own, one test at a time.
 *
 * Usage:
 *
 * ```ts
 * describeRegistryContract('etcd registry', async () => ({ registry: await connect(), cleanup }), {
 *   leaseTtlSeconds: 2,
 * });
 * ```
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../testing/wait-for.js';
import { ErrorCodes, type ErrorCode, type FleetError } from '../errors.js';
import {
  MAX_TXN_OPS,
  type CompareOp,
  type Compare,
  type KeyValue,
  type LeaseId,
  type Registry,
  type Txn,
  type TxnOp,
  type WatchEvent,
  type Watcher,
} from '../registry/types.js';

export interface RegistryContractSetup {
  readonly registry: Registry;
  readonly cleanup?: () => Promise<void>;
}

export interface RegistryContractOptions {
  /** TTL the lease tests grant (default 1). A store may raise it to its minimum (etcd: 2 s). */
  readonly leaseTtlSeconds?: number;
}

// ---- helpers ----

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Expects `promise` to reject with a FleetError of `code` and returns the error. */
export async function expectFleetError(promise: Promise<unknown>, code: ErrorCode): Promise<FleetError> {
  let thrown: unknown;
  try {
    await promise;
  } catch (error) {
    thrown = error;
  }
  // Match by shape, not instanceof: an implementation may load another copy of @fleetd/core.
  expect(thrown, `expected a rejection with ${code}`).toMatchObject({ name: 'FleetError', code });
  return thrown as FleetError;
}

interface Batch {
  readonly revision: number;
  readonly events: readonly WatchEvent[];
}

interface Collector {
  readonly watcher: Watcher;
  readonly batches: Batch[];
  readonly errors: FleetError[];
  events(): WatchEvent[];
}

async function collect(registry: Registry, prefix: string, fromRevision: number): Promise<Collector> {
  const batches: Batch[] = [];
  const errors: FleetError[] = [];
  const watcher = await registry.watch(prefix, {
    fromRevision,
    onEvents: (events, revision) => batches.push({ revision, events: [...events] }),
    onError: (error) => errors.push(error),
  });
  return { watcher, batches, errors, events: () => batches.flatMap((b) => b.events) };
}

function eventKey(event: WatchEvent): string {
  return event.type === 'put' ? event.kv.key : event.key;
}

function eventRevision(event: WatchEvent): number {
  return event.type === 'put' ? event.kv.modRevision : event.modRevision;
}

/** Short event descriptions for readable assertions: `put k=v`, `delete k`. */
function describeEvents(events: readonly WatchEvent[], prefix: string): string[] {
  return events.map((e) => (e.type === 'put' ? `put ${e.kv.key.slice(prefix.length)}=${e.kv.value}` : `delete ${e.key.slice(prefix.length)}`));
}

// ---- tables ----

interface KeyState {
  readonly createRevision: number;
  readonly modRevision: number;
}

interface CompareCase {
  readonly name: string;
  /** Whether the compared key exists (value 'm', version 2) or is missing. */
  readonly present: boolean;
  readonly compare: (key: string, state: KeyState) => Compare;
  readonly expected: boolean;
}

function valueCase(present: boolean, op: CompareOp, value: string, expected: boolean): CompareCase {
  return {
    name: `value ${op} ${JSON.stringify(value)} on a ${present ? 'key holding "m"' : 'missing key'} is ${expected}`,
    present,
    compare: (key) => ({ key, target: 'value', op, value }),
    expected,
  };
}

function versionCase(present: boolean, op: CompareOp, value: number, expected: boolean): CompareCase {
  return {
    name: `version ${op} ${value} on a ${present ? 'key at version 2' : 'missing key'} is ${expected}`,
    present,
    compare: (key) => ({ key, target: 'version', op, value }),
    expected,
  };
}

function revisionCase(target: 'createRevision' | 'modRevision', op: CompareOp, offset: number, expected: boolean): CompareCase {
  const shown = offset === 0 ? 'its own' : offset > 0 ? `its own + ${offset}` : `its own - ${-offset}`;
  return {
    name: `${target} ${op} ${shown} on an existing key is ${expected}`,
    present: true,
    compare: (key, state) => ({ key, target, op, value: state[target] + offset }),
    expected,
  };
}

function missingRevisionCase(target: 'createRevision' | 'modRevision', op: CompareOp, value: number, expected: boolean): CompareCase {
  return {
    name: `${target} ${op} ${value} on a missing key is ${expected}`,
    present: false,
    compare: (key) => ({ key, target, op, value }),
    expected,
  };
}

const COMPARE_CASES: readonly CompareCase[] = [
  valueCase(true, '==', 'm', true),
  valueCase(true, '==', 'n', false),
  valueCase(true, '!=', 'n', true),
  valueCase(true, '!=', 'm', false),
  valueCase(true, '<', 'n', true),
  valueCase(true, '<', 'm', false),
  valueCase(true, '>', 'l', true),
  valueCase(true, '>', 'm', false),
  valueCase(true, '>', '', true),
  // etcd applyCompare: a value compare on a missing key is false whatever the op.
  valueCase(false, '==', '', false),
  valueCase(false, '!=', 'x', false),
  valueCase(false, '<', 'z', false),
  valueCase(false, '>', '', false),
  versionCase(true, '==', 2, true),
  versionCase(true, '==', 1, false),
  versionCase(true, '!=', 1, true),
  versionCase(true, '!=', 2, false),
  versionCase(true, '<', 3, true),
  versionCase(true, '<', 2, false),
  versionCase(true, '>', 1, true),
  versionCase(true, '>', 2, false),
  // A missing key has version, createRevision and modRevision 0.
  versionCase(false, '==', 0, true),
  versionCase(false, '!=', 0, false),
  versionCase(false, '<', 1, true),
  versionCase(false, '>', 0, false),
  ...(['createRevision', 'modRevision'] as const).flatMap((target) => [
    revisionCase(target, '==', 0, true),
    revisionCase(target, '==', 1, false),
    revisionCase(target, '!=', 1, true),
    revisionCase(target, '!=', 0, false),
    revisionCase(target, '<', 1, true),
    revisionCase(target, '<', 0, false),
    revisionCase(target, '>', -1, true),
    revisionCase(target, '>', 0, false),
    missingRevisionCase(target, '==', 0, true),
    missingRevisionCase(target, '!=', 0, false),
    missingRevisionCase(target, '<', 1, true),
    missingRevisionCase(target, '>', 0, false),
  ]),
];

interface TxnShapeCase {
  readonly name: string;
  readonly txn: (p: string) => Txn;
}

const put = (key: string, value = 'v'): TxnOp => ({ type: 'put', key, value });
const del = (key: string): TxnOp => ({ type: 'delete', key });
const get = (key: string): TxnOp => ({ type: 'get', key });

/** etcd `checkIntervals`: "duplicate key given in txn request". */
const DUPLICATE_CASES: readonly TxnShapeCase[] = [
  { name: 'the same key put twice', txn: (p) => ({ success: [put(`${p}a`), put(`${p}b`), put(`${p}a`, 'w')] }) },
  { name: 'a key put and deleted', txn: (p) => ({ success: [put(`${p}a`), del(`${p}a`)] }) },
  { name: 'a key deleted and put', txn: (p) => ({ success: [del(`${p}a`), put(`${p}a`)] }) },
  {
    name: 'a key put under a deleted prefix',
    txn: (p) => ({ success: [{ type: 'deletePrefix', prefix: `${p}dir/` }, put(`${p}dir/x`)] }),
  },
  {
    name: 'a duplicate in the failure branch, which would not run',
    txn: (p) => ({ success: [put(`${p}a`)], failure: [put(`${p}b`), put(`${p}b`)] }),
  },
];

const NON_DUPLICATE_CASES: readonly TxnShapeCase[] = [
  { name: 'a key deleted twice', txn: (p) => ({ success: [del(`${p}a`), del(`${p}a`), put(`${p}b`)] }) },
  { name: 'a key read and put', txn: (p) => ({ success: [get(`${p}a`), put(`${p}a`), get(`${p}a`)] }) },
  { name: 'the same key put in both branches', txn: (p) => ({ success: [put(`${p}a`)], failure: [put(`${p}a`)] }) },
  {
    name: 'a delete inside a deleted prefix',
    txn: (p) => ({ success: [{ type: 'deletePrefix', prefix: `${p}dir/` }, del(`${p}dir/x`), put(`${p}a`)] }),
  },
  {
    name: 'a put next to a deleted prefix',
    txn: (p) => ({ success: [{ type: 'deletePrefix', prefix: `${p}dir/` }, put(`${p}dir`), put(`${p}dir0`)] }),
  },
];

const TOO_LARGE_CASES: readonly TxnShapeCase[] = [
  {
    name: `${MAX_TXN_OPS + 1} success ops`,
    txn: (p) => ({ success: Array.from({ length: MAX_TXN_OPS + 1 }, (_, i) => put(`${p}k${i}`)) }),
  },
  {
    name: `${MAX_TXN_OPS + 1} failure ops (even when the success branch runs)`,
    txn: (p) => ({
      success: [put(`${p}a`)],
      failure: Array.from({ length: MAX_TXN_OPS + 1 }, (_, i) => put(`${p}k${i}`)),
    }),
  },
  {
    name: `${MAX_TXN_OPS + 1} compares`,
    txn: (p) => ({
      compare: Array.from({ length: MAX_TXN_OPS + 1 }, (_, i) => ({
        key: `${p}c${i}`,
        target: 'version' as const,
        op: '==' as const,
        value: 0,
      })),
      success: [put(`${p}a`)],
    }),
  },
];

// ---- the suite ----

export function describeRegistryContract(label: string, setup: () => Promise<RegistryContractSetup>, options: RegistryContractOptions = {}): void {
  const ttl = options.leaseTtlSeconds ?? 1;
  // A store may raise the TTL (etcd 3.4: to 2 s) and check expiry periodically
  // (etcd: every 500 ms), so leave room; waits end as soon as the condition holds.
  const expiryWaitMs = Math.max(ttl, 2) * 2000 + 2000;
  const leaseTestTimeoutMs = expiryWaitMs + Math.max(ttl, 2) * 2000 + 5000;

  describe(label, () => {
    let registry: Registry;
    let cleanup: (() => Promise<void>) | undefined;
    /** This test's own key prefix. */
    let p: string;
    const granted: LeaseId[] = [];

    beforeEach(async () => {
      const made = await setup();
      registry = made.registry;
      cleanup = made.cleanup;
      p = `/fleetd-registry-contract/${randomUUID()}/`;
      granted.length = 0;
    });

    afterEach(async () => {
      // Leave nothing behind in a shared store: no leases that expire later, no keys.
      for (const lease of granted) await registry.revokeLease(lease).catch(() => undefined);
      await registry.deletePrefix(p).catch(() => undefined);
      await registry.close().catch(() => undefined);
      await cleanup?.();
    });

    async function grant(ttlSeconds = ttl): Promise<LeaseId> {
      const lease = await registry.grantLease(ttlSeconds);
      granted.push(lease);
      return lease;
    }

    /** The revision a watch must start from to see only what happens next. */
    async function nextRevision(): Promise<number> {
      return (await registry.list(p)).revision + 1;
    }

    describe('keys', () => {
      it('get of a missing key is undefined', async () => {
        expect(await registry.get(`${p}missing`)).toBeUndefined();
      });

      it('put then get round-trips the value with the put revision', async () => {
        const { revision } = await registry.put(`${p}a`, 'hello');
        expect(await registry.get(`${p}a`)).toEqual({
          key: `${p}a`,
          value: 'hello',
          createRevision: revision,
          modRevision: revision,
          version: 1,
          lease: undefined,
        } satisfies KeyValue);
      });

      it('each put creates a new revision, keeps createRevision and bumps version, even for the same value', async () => {
        const first = await registry.put(`${p}a`, 'one');
        const second = await registry.put(`${p}a`, 'two');
        const third = await registry.put(`${p}a`, 'two');
        expect(second.revision).toBeGreaterThan(first.revision);
        expect(third.revision).toBeGreaterThan(second.revision);
        expect(await registry.get(`${p}a`)).toMatchObject({
          value: 'two',
          createRevision: first.revision,
          modRevision: third.revision,
          version: 3,
        });
      });

      it('revisions are shared by the whole store: writes to other keys advance them too', async () => {
        const a = await registry.put(`${p}a`, '1');
        const b = await registry.put(`${p}b`, '1');
        const a2 = await registry.put(`${p}a`, '2');
        expect(b.revision).toBeGreaterThan(a.revision);
        expect(a2.revision).toBeGreaterThan(b.revision);
      });

      it('delete removes the key in a new revision; deleting a missing key creates none', async () => {
        const put1 = await registry.put(`${p}a`, 'v');
        const deleted = await registry.delete(`${p}a`);
        expect(deleted.deleted).toBe(1);
        expect(deleted.revision).toBeGreaterThan(put1.revision);
        expect(await registry.get(`${p}a`)).toBeUndefined();
        const again = await registry.delete(`${p}a`);
        expect(again).toEqual({ deleted: 0, revision: deleted.revision });
      });

      it('a key put again after a delete starts over at version 1 with a new createRevision', async () => {
        const first = await registry.put(`${p}a`, 'v1');
        await registry.put(`${p}a`, 'v2');
        await registry.delete(`${p}a`);
        const again = await registry.put(`${p}a`, 'v3');
        expect(again.revision).toBeGreaterThan(first.revision);
        expect(await registry.get(`${p}a`)).toMatchObject({
          value: 'v3',
          version: 1,
          createRevision: again.revision,
          modRevision: again.revision,
        });
      });

      it.each([
        { name: 'an empty value', value: '' },
        { name: 'multi-byte and astral characters', value: 'héllo wörld ✓ 日本語 😀' },
        { name: 'control characters and NUL', value: 'a\u0000b\nc\td' },
        { name: 'a 64 KiB value', value: 'x'.repeat(64 * 1024) },
      ])('values round-trip exactly: $name', async ({ value }) => {
        await registry.put(`${p}v`, value);
        expect((await registry.get(`${p}v`))?.value).toBe(value);
      });

      it('keys with multi-byte characters round-trip', async () => {
        const key = `${p}ünïcødé/日本/😀`;
        await registry.put(key, 'v');
        expect((await registry.get(key))?.key).toBe(key);
        expect((await registry.list(`${p}ünïcødé/`)).items.map((kv) => kv.key)).toEqual([key]);
      });

      it.each([
        { name: 'get', call: (r: Registry) => r.get('') },
        { name: 'put', call: (r: Registry) => r.put('', 'v') },
        { name: 'delete', call: (r: Registry) => r.delete('') },
        { name: 'txn compare', call: (r: Registry) => r.txn({ compare: [{ key: '', target: 'version', op: '==', value: 0 }] }) },
        { name: 'txn put', call: (r: Registry) => r.txn({ success: [put('')] }) },
        { name: 'txn get', call: (r: Registry) => r.txn({ success: [get('')] }) },
      ])('$name with an empty key is REGISTRY_INVALID_ARGUMENT', async ({ call }) => {
        await expectFleetError(call(registry), ErrorCodes.REGISTRY_INVALID_ARGUMENT);
      });
    });

    describe('list and deletePrefix', () => {
      it('list returns the keys under the prefix, sorted, and nothing else', async () => {
        const inside = ['dir/b', 'dir/a', 'dir/c/d', 'dir/a/x'];
        const outside = ['dir', 'dir0', 'di', 'other/dir/a', 'dir.'];
        let last = 0;
        for (const k of [...inside, ...outside]) last = (await registry.put(`${p}${k}`, k)).revision;
        const listed = await registry.list(`${p}dir/`);
        expect(listed.items.map((kv) => kv.key)).toEqual(['dir/a', 'dir/a/x', 'dir/b', 'dir/c/d'].map((k) => p + k));
        expect(listed.items.map((kv) => kv.value)).toEqual(['dir/a', 'dir/a/x', 'dir/b', 'dir/c/d']);
        expect(listed.revision).toBe(last);
      });

      it('list items are whole key-values, consistent at the returned revision', async () => {
        await registry.put(`${p}a`, '1');
        await registry.put(`${p}a`, '2');
        await registry.put(`${p}b`, '1');
        const listed = await registry.list(p);
        for (const kv of listed.items) {
          expect(kv.modRevision).toBeLessThanOrEqual(listed.revision);
          expect(kv).toEqual(await registry.get(kv.key));
        }
        expect(listed.items.map((kv) => [kv.key, kv.version])).toEqual([
          [`${p}a`, 2],
          [`${p}b`, 1],
        ]);
      });

      it('list sorts by UTF-8 bytes (code points), not by UTF-16 code units', async () => {
        // U+1F600 is a surrogate pair in UTF-16 (sorts before U+FF5E there) but
        // 4 bytes F0.. in UTF-8 (sorts after U+FF5E's EF BD 9E), as etcd orders it.
        const names = ['\u{1F600}', '\uFF5E', 'é', 'a', 'Z', '~'];
        for (const n of names) await registry.put(`${p}u/${n}`, n);
        const listed = await registry.list(`${p}u/`);
        expect(listed.items.map((kv) => kv.value)).toEqual(['Z', 'a', '~', 'é', '\uFF5E', '\u{1F600}']);
      });

      it('list of an empty range is empty', async () => {
        await registry.put(`${p}a`, '1');
        const listed = await registry.list(`${p}nothing/`);
        expect(listed.items).toEqual([]);
        expect(listed.revision).toBeGreaterThan(0);
      });

      it('deletePrefix deletes exactly the keys under the prefix, in one revision', async () => {
        for (const k of ['dir/a', 'dir/b', 'dir/c/d', 'dir', 'dir0']) await registry.put(`${p}${k}`, 'v');
        const before = await nextRevision();
        const watch = await collect(registry, p, before);
        const result = await registry.deletePrefix(`${p}dir/`);
        expect(result.deleted).toBe(3);
        expect(result.revision).toBe(before);
        expect((await registry.list(p)).items.map((kv) => kv.key)).toEqual([`${p}dir`, `${p}dir0`]);
        await waitFor(() => watch.batches.length >= 1, 'the delete events');
        expect(watch.batches).toHaveLength(1);
        expect(watch.batches[0]?.revision).toBe(result.revision);
        expect(describeEvents(watch.batches[0]?.events ?? [], p).sort()).toEqual(['delete dir/a', 'delete dir/b', 'delete dir/c/d']);
        await watch.watcher.close();
      });

      it('deletePrefix with nothing to delete creates no revision', async () => {
        const { revision } = await registry.put(`${p}a`, 'v');
        expect(await registry.deletePrefix(`${p}nothing/`)).toEqual({ deleted: 0, revision });
      });
    });

    describe('txn', () => {
      it.each(COMPARE_CASES)('$name', async ({ present, compare, expected }) => {
        const key = `${p}subject`;
        let state: KeyState = { createRevision: 0, modRevision: 0 };
        if (present) {
          const created = await registry.put(key, 'first');
          const modified = await registry.put(key, 'm');
          state = { createRevision: created.revision, modRevision: modified.revision };
        }
        const result = await registry.txn({
          compare: [compare(key, state)],
          success: [put(`${p}branch`, 'success')],
          failure: [put(`${p}branch`, 'failure')],
        });
        expect(result.succeeded).toBe(expected);
        expect((await registry.get(`${p}branch`))?.value).toBe(expected ? 'success' : 'failure');
      });

      it('value compares use UTF-8 byte order', async () => {
        await registry.put(`${p}a`, '\uFF5E');
        const result = await registry.txn({ compare: [{ key: `${p}a`, target: 'value', op: '<', value: '\u{1F600}' }] });
        expect(result.succeeded).toBe(true);
      });

      it('every compare must hold for the success branch', async () => {
        await registry.put(`${p}a`, '1');
        const holds: Compare = { key: `${p}a`, target: 'value', op: '==', value: '1' };
        const fails: Compare = { key: `${p}a`, target: 'version', op: '>', value: 1 };
        expect((await registry.txn({ compare: [holds, holds] })).succeeded).toBe(true);
        expect((await registry.txn({ compare: [holds, fails] })).succeeded).toBe(false);
        expect((await registry.txn({ compare: [fails, holds] })).succeeded).toBe(false);
      });

      it('a txn without compares runs its success branch', async () => {
        const result = await registry.txn({ success: [put(`${p}a`)] });
        expect(result.succeeded).toBe(true);
        expect(await registry.get(`${p}a`)).toBeDefined();
      });

      it('a failed compare writes nothing of the success branch and all of the failure branch, atomically', async () => {
        await registry.put(`${p}keep`, 'original');
        await registry.put(`${p}gone`, 'x');
        const result = await registry.txn({
          compare: [{ key: `${p}keep`, target: 'value', op: '==', value: 'other' }],
          success: [put(`${p}s1`), put(`${p}keep`, 'changed'), del(`${p}gone`)],
          failure: [put(`${p}f1`, 'a'), put(`${p}f2`, 'b'), get(`${p}keep`)],
        });
        expect(result.succeeded).toBe(false);
        expect(result.responses).toHaveLength(3);
        expect(result.responses[2]).toMatchObject({ type: 'get', kv: { value: 'original' } });
        expect(await registry.get(`${p}s1`)).toBeUndefined();
        expect((await registry.get(`${p}keep`))?.value).toBe('original');
        expect(await registry.get(`${p}gone`)).toBeDefined();
        const f1 = await registry.get(`${p}f1`);
        const f2 = await registry.get(`${p}f2`);
        expect(f1?.modRevision).toBe(result.revision);
        expect(f2?.modRevision).toBe(result.revision);
      });

      it('all writes of one txn share one new revision', async () => {
        await registry.put(`${p}old`, 'x');
        const existing = await registry.put(`${p}b`, 'before');
        const result = await registry.txn({ success: [put(`${p}a`, '1'), put(`${p}b`, '2'), del(`${p}old`)] });
        expect(result.revision).toBeGreaterThan(existing.revision);
        const a = await registry.get(`${p}a`);
        const b = await registry.get(`${p}b`);
        expect(a).toMatchObject({ modRevision: result.revision, createRevision: result.revision, version: 1 });
        expect(b).toMatchObject({ modRevision: result.revision, createRevision: existing.revision, version: 2 });
        expect(await registry.get(`${p}old`)).toBeUndefined();
        const next = await registry.put(`${p}c`, 'x');
        expect(next.revision).toBeGreaterThan(result.revision);
      });

      it('responses follow op order and a get sees earlier writes of the same txn', async () => {
        await registry.put(`${p}x`, 'old');
        await registry.put(`${p}dir/1`, 'v');
        await registry.put(`${p}dir/2`, 'v');
        const result = await registry.txn({
          success: [
            get(`${p}x`),
            get(`${p}new`),
            put(`${p}new`, 'fresh'),
            get(`${p}new`),
            del(`${p}x`),
            get(`${p}x`),
            del(`${p}missing`),
            { type: 'deletePrefix', prefix: `${p}dir/` },
          ],
        });
        const r = result.responses;
        expect(r.map((x) => x.type)).toEqual(['get', 'get', 'put', 'get', 'delete', 'get', 'delete', 'delete']);
        expect(r[0]).toMatchObject({ type: 'get', kv: { value: 'old' } });
        expect(r[1]).toEqual({ type: 'get', kv: undefined });
        expect(r[3]).toMatchObject({
          type: 'get',
          kv: { key: `${p}new`, value: 'fresh', version: 1, modRevision: result.revision },
        });
        expect(r[4]).toEqual({ type: 'delete', deleted: 1 });
        expect(r[5]).toEqual({ type: 'get', kv: undefined });
        expect(r[6]).toEqual({ type: 'delete', deleted: 0 });
        expect(r[7]).toEqual({ type: 'delete', deleted: 2 });
      });

      it('a read-only txn, or one that only deletes missing keys, creates no revision', async () => {
        const { revision } = await registry.put(`${p}a`, 'v');
        const readOnly = await registry.txn({
          compare: [{ key: `${p}a`, target: 'version', op: '==', value: 1 }],
          success: [get(`${p}a`)],
        });
        expect(readOnly.revision).toBe(revision);
        const noop = await registry.txn({ success: [del(`${p}missing`), { type: 'deletePrefix', prefix: `${p}none/` }] });
        expect(noop.revision).toBe(revision);
        const empty = await registry.txn({});
        expect(empty).toEqual({ succeeded: true, revision, responses: [] });
        expect((await registry.put(`${p}b`, 'v')).revision).toBeGreaterThan(revision);
      });

      it.each(TOO_LARGE_CASES)('a txn with $name is REGISTRY_TXN_TOO_LARGE and writes nothing', async ({ txn }) => {
        await expectFleetError(registry.txn(txn(p)), ErrorCodes.REGISTRY_TXN_TOO_LARGE);
        expect((await registry.list(p)).items).toEqual([]);
      });

      it(`a txn with ${MAX_TXN_OPS} compares and ${MAX_TXN_OPS} ops per branch is accepted`, async () => {
        const result = await registry.txn({
          compare: Array.from({ length: MAX_TXN_OPS }, (_, i) => ({
            key: `${p}c${i}`,
            target: 'version' as const,
            op: '==' as const,
            value: 0,
          })),
          success: Array.from({ length: MAX_TXN_OPS }, (_, i) => put(`${p}k/${String(i).padStart(3, '0')}`)),
          failure: Array.from({ length: MAX_TXN_OPS }, (_, i) => get(`${p}k/${i}`)),
        });
        expect(result.succeeded).toBe(true);
        expect(result.responses).toHaveLength(MAX_TXN_OPS);
        const listed = await registry.list(`${p}k/`);
        expect(listed.items).toHaveLength(MAX_TXN_OPS);
        expect(new Set(listed.items.map((kv) => kv.modRevision))).toEqual(new Set([result.revision]));
      });

      it.each(DUPLICATE_CASES)('$name is REGISTRY_INVALID_ARGUMENT and writes nothing', async ({ txn }) => {
        await expectFleetError(registry.txn(txn(p)), ErrorCodes.REGISTRY_INVALID_ARGUMENT);
        expect((await registry.list(p)).items).toEqual([]);
      });

      it.each(NON_DUPLICATE_CASES)('$name is allowed', async ({ txn }) => {
        const result = await registry.txn(txn(p));
        expect(result.succeeded).toBe(true);
      });

      it('a compare-and-swap loses to a write made after the read', async () => {
        await registry.put(`${p}cas`, 'v1');
        const read = (await registry.get(`${p}cas`))!;
        await registry.put(`${p}cas`, 'concurrent');
        const result = await registry.txn({
          compare: [{ key: `${p}cas`, target: 'modRevision', op: '==', value: read.modRevision }],
          success: [put(`${p}cas`, 'mine')],
          failure: [get(`${p}cas`)],
        });
        expect(result.succeeded).toBe(false);
        expect(result.responses[0]).toMatchObject({ type: 'get', kv: { value: 'concurrent' } });
        expect((await registry.get(`${p}cas`))?.value).toBe('concurrent');
      });

      it('of two concurrent compare-and-swaps on one read, exactly one wins', async () => {
        await registry.put(`${p}cas`, 'v1');
        const read = (await registry.get(`${p}cas`))!;
        const attempt = (value: string) =>
          registry.txn({
            compare: [{ key: `${p}cas`, target: 'modRevision', op: '==', value: read.modRevision }],
            success: [put(`${p}cas`, value)],
          });
        const results = await Promise.all([attempt('x'), attempt('y'), attempt('z')]);
        const winners = results.filter((r) => r.succeeded);
        expect(winners).toHaveLength(1);
        const final = await registry.get(`${p}cas`);
        expect(final?.version).toBe(2);
        expect(final?.modRevision).toBe(winners[0]?.revision);
      });

      it('create-if-absent via createRevision == 0 succeeds once', async () => {
        const create = (value: string) =>
          registry.txn({
            compare: [{ key: `${p}lock`, target: 'createRevision', op: '==', value: 0 }],
            success: [put(`${p}lock`, value)],
          });
        expect((await create('first')).succeeded).toBe(true);
        expect((await create('second')).succeeded).toBe(false);
        expect((await registry.get(`${p}lock`))?.value).toBe('first');
      });

      it('a put with an unknown lease in the running branch fails with REGISTRY_LEASE_NOT_FOUND and writes nothing', async () => {
        const lease = await grant();
        await registry.revokeLease(lease);
        await expectFleetError(
          registry.txn({ success: [put(`${p}a`), { type: 'put', key: `${p}b`, value: 'v', lease }] }),
          ErrorCodes.REGISTRY_LEASE_NOT_FOUND,
        );
        expect((await registry.list(p)).items).toEqual([]);
        // etcd checks leases only on the branch that runs.
        const result = await registry.txn({
          success: [put(`${p}a`)],
          failure: [{ type: 'put', key: `${p}b`, value: 'v', lease }],
        });
        expect(result.succeeded).toBe(true);
      });
    });

    describe('leases', () => {
      it('grantLease returns a distinct decimal int64 ID; keys put with it carry it', async () => {
        const a = await grant();
        const b = await grant();
        for (const id of [a, b]) {
          expect(id).toMatch(/^[1-9][0-9]*$/);
          expect(BigInt(id)).toBeLessThan(1n << 63n);
        }
        expect(a).not.toBe(b);
        await registry.put(`${p}a`, 'v', { lease: a });
        expect((await registry.get(`${p}a`))?.lease).toBe(a);
        expect((await registry.list(p)).items[0]?.lease).toBe(a);
      });

      it('keepAlive returns the granted TTL, at least the one asked for', async () => {
        const lease = await grant();
        const remaining = await registry.keepAlive(lease);
        expect(remaining).toBeGreaterThanOrEqual(ttl);
      });

      it(
        'leased keys vanish after the TTL, in one revision that watchers see; the lease is gone then',
        async () => {
          const started = Date.now();
          const lease = await grant();
          const from = await nextRevision();
          const watch = await collect(registry, p, from);
          await registry.put(`${p}a`, 'v', { lease });
          await registry.put(`${p}b`, 'v', { lease });
          await registry.put(`${p}unleased`, 'v');
          expect(await registry.get(`${p}a`)).toBeDefined();
          await waitFor(async () => (await registry.get(`${p}a`)) === undefined, 'the leased key to expire', expiryWaitMs);
          expect(Date.now() - started).toBeGreaterThanOrEqual(ttl * 1000 - 50);
          expect(await registry.get(`${p}b`)).toBeUndefined();
          expect(await registry.get(`${p}unleased`)).toBeDefined();
          await waitFor(() => watch.events().filter((e) => e.type === 'delete').length >= 2, 'the delete events');
          const deletes = watch.batches.filter((batch) => batch.events.some((e) => e.type === 'delete'));
          expect(deletes).toHaveLength(1);
          expect(describeEvents(deletes[0]?.events ?? [], p).sort()).toEqual(['delete a', 'delete b']);
          expect(deletes[0]?.events.every((e) => eventRevision(e) === deletes[0]?.revision)).toBe(true);
          await watch.watcher.close();

          await expectFleetError(registry.put(`${p}c`, 'v', { lease }), ErrorCodes.REGISTRY_LEASE_NOT_FOUND);
          await expectFleetError(registry.keepAlive(lease), ErrorCodes.REGISTRY_LEASE_NOT_FOUND);
          await expectFleetError(registry.revokeLease(lease), ErrorCodes.REGISTRY_LEASE_NOT_FOUND);
          expect(await registry.get(`${p}c`)).toBeUndefined();
        },
        leaseTestTimeoutMs,
      );

      it(
        'keepAlive keeps leased keys beyond the TTL',
        async () => {
          const lease = await grant();
          await registry.put(`${p}a`, 'v', { lease });
          const grantedTtl = await registry.keepAlive(lease);
          const until = Date.now() + grantedTtl * 1500;
          while (Date.now() < until) {
            await sleep((grantedTtl * 1000) / 4);
            expect(await registry.keepAlive(lease)).toBe(grantedTtl);
          }
          expect(await registry.get(`${p}a`)).toMatchObject({ value: 'v', lease });
        },
        leaseTestTimeoutMs,
      );

      it('revokeLease deletes the leased keys at once, in one revision', async () => {
        const lease = await grant(3600);
        const other = await grant(3600);
        await registry.put(`${p}a`, 'v', { lease });
        await registry.put(`${p}b`, 'v', { lease });
        await registry.put(`${p}c`, 'v', { lease: other });
        const from = await nextRevision();
        const watch = await collect(registry, p, from);
        await registry.revokeLease(lease);
        expect(await registry.get(`${p}a`)).toBeUndefined();
        expect(await registry.get(`${p}b`)).toBeUndefined();
        expect(await registry.get(`${p}c`)).toBeDefined();
        await waitFor(() => watch.batches.length >= 1, 'the delete events');
        expect(watch.batches[0]?.revision).toBe(from);
        expect(describeEvents(watch.batches[0]?.events ?? [], p).sort()).toEqual(['delete a', 'delete b']);
        await expectFleetError(registry.keepAlive(lease), ErrorCodes.REGISTRY_LEASE_NOT_FOUND);
        await expectFleetError(registry.revokeLease(lease), ErrorCodes.REGISTRY_LEASE_NOT_FOUND);
        await watch.watcher.close();
      });

      it('revoking a lease without keys creates no revision', async () => {
        const lease = await grant(3600);
        const { revision } = await registry.put(`${p}a`, 'v');
        await registry.revokeLease(lease);
        expect((await registry.list(p)).revision).toBe(revision);
      });

      it('a put without a lease detaches the key from its lease; a put with another lease moves it', async () => {
        const lease = await grant(3600);
        const other = await grant(3600);
        await registry.put(`${p}a`, 'v1', { lease });
        await registry.put(`${p}a`, 'v2');
        await registry.put(`${p}b`, 'v1', { lease });
        await registry.put(`${p}b`, 'v2', { lease: other });
        expect((await registry.get(`${p}a`))?.lease).toBeUndefined();
        await registry.revokeLease(lease);
        expect(await registry.get(`${p}a`)).toMatchObject({ value: 'v2', lease: undefined });
        expect(await registry.get(`${p}b`)).toMatchObject({ value: 'v2', lease: other });
        await registry.revokeLease(other);
        expect(await registry.get(`${p}b`)).toBeUndefined();
      });

      it('put with an unknown lease is REGISTRY_LEASE_NOT_FOUND', async () => {
        const lease = await grant();
        await registry.revokeLease(lease);
        await expectFleetError(registry.put(`${p}a`, 'v', { lease }), ErrorCodes.REGISTRY_LEASE_NOT_FOUND);
        expect(await registry.get(`${p}a`)).toBeUndefined();
      });

      it.each([
        { name: 'NaN', value: Number.NaN },
        { name: 'Infinity', value: Number.POSITIVE_INFINITY },
        { name: 'a negative TTL', value: -1 },
        { name: 'a fractional TTL', value: 1.5 },
        { name: 'a TTL above etcd’s maximum', value: 9_000_000_001 },
      ])('grantLease with $name is REGISTRY_INVALID_ARGUMENT', async ({ value }) => {
        await expectFleetError(registry.grantLease(value), ErrorCodes.REGISTRY_INVALID_ARGUMENT);
      });
    });

    describe('watch', () => {
      it('delivers live events per revision, in order, with the written key-values', async () => {
        const from = await nextRevision();
        const watch = await collect(registry, p, from);
        const r1 = await registry.put(`${p}a`, '1');
        const r2 = await registry.put(`${p}a`, '2');
        const r3 = await registry.delete(`${p}a`);
        const r4 = await registry.put(`${p}b`, '1');
        await waitFor(() => watch.batches.length >= 4, 'four batches');
        expect(watch.batches.map((b) => b.revision)).toEqual([r1, r2, r3, r4].map((r) => r.revision));
        expect(watch.batches.map((b) => describeEvents(b.events, p))).toEqual([['put a=1'], ['put a=2'], ['delete a'], ['put b=1']]);
        expect(watch.batches[1]?.events[0]).toEqual({
          type: 'put',
          kv: { key: `${p}a`, value: '2', createRevision: r1.revision, modRevision: r2.revision, version: 2, lease: undefined },
        });
        expect(watch.batches[2]?.events[0]).toEqual({ type: 'delete', key: `${p}a`, modRevision: r3.revision });
        expect(watch.errors).toEqual([]);
        await watch.watcher.close();
      });

      it('never calls onEvents from inside the write call', async () => {
        let writing = false;
        let calledWhileWriting = false;
        let calls = 0;
        const watcher = await registry.watch(p, {
          fromRevision: await nextRevision(),
          onEvents: () => {
            calls += 1;
            if (writing) calledWhileWriting = true;
          },
          onError: () => undefined,
        });
        writing = true;
        const pending = registry.put(`${p}a`, 'v');
        writing = false;
        await pending;
        await waitFor(() => calls >= 1, 'the event');
        expect(calledWhileWriting).toBe(false);
        await watcher.close();
      });

      it('replays history from a past revision, then continues live', async () => {
        const r1 = await registry.put(`${p}a`, '1');
        const r2 = await registry.put(`${p}b`, '1');
        const r3 = await registry.delete(`${p}a`);
        const all = await collect(registry, p, r1.revision);
        const fromMiddle = await collect(registry, p, r2.revision);
        await waitFor(() => all.batches.length >= 3 && fromMiddle.batches.length >= 2, 'the replay');
        const r4 = await registry.put(`${p}c`, '1');
        await waitFor(() => all.batches.length >= 4 && fromMiddle.batches.length >= 3, 'the live event');
        expect(all.batches.map((b) => b.revision)).toEqual([r1, r2, r3, r4].map((r) => r.revision));
        expect(all.batches.map((b) => describeEvents(b.events, p))).toEqual([['put a=1'], ['put b=1'], ['delete a'], ['put c=1']]);
        expect(fromMiddle.batches.map((b) => b.revision)).toEqual([r2, r3, r4].map((r) => r.revision));
        await all.watcher.close();
        await fromMiddle.watcher.close();
      });

      it('delivers the writes of one txn as one batch, in op order, with the txn revision', async () => {
        await registry.put(`${p}d`, 'old');
        const from = await nextRevision();
        const watch = await collect(registry, p, from);
        const result = await registry.txn({
          success: [put(`${p}c`, '1'), put(`${p}a`, '1'), del(`${p}d`), get(`${p}a`), put(`${p}b`, '1')],
        });
        await waitFor(() => watch.batches.length >= 1, 'the batch');
        await registry.put(`${p}sentinel`, 'x');
        await waitFor(() => watch.batches.length >= 2, 'the sentinel');
        expect(watch.batches[0]?.revision).toBe(result.revision);
        expect(describeEvents(watch.batches[0]?.events ?? [], p)).toEqual(['put c=1', 'put a=1', 'delete d', 'put b=1']);
        expect(watch.batches[0]?.events.every((e) => eventRevision(e) === result.revision)).toBe(true);
        await watch.watcher.close();
      });

      it('replays a txn as one batch too', async () => {
        const result = await registry.txn({ success: [put(`${p}x`, '1'), put(`${p}y`, '1')] });
        const later = await registry.put(`${p}z`, '1');
        const watch = await collect(registry, p, result.revision);
        await waitFor(() => watch.batches.length >= 2, 'the replay');
        expect(watch.batches.map((b) => [b.revision, describeEvents(b.events, p)])).toEqual([
          [result.revision, ['put x=1', 'put y=1']],
          [later.revision, ['put z=1']],
        ]);
        await watch.watcher.close();
      });

      it('delivers only keys under the watched prefix', async () => {
        const from = await nextRevision();
        const narrow = await collect(registry, `${p}a/`, from);
        const wide = await collect(registry, p, from);
        await registry.put(`${p}a`, 'no');
        await registry.put(`${p}ab`, 'no');
        await registry.put(`${p}b/x`, 'no');
        await registry.put(`${p}a/x`, 'yes');
        await registry.txn({ success: [put(`${p}a/y`, 'yes'), put(`${p}b/y`, 'no')] });
        await registry.put(`${p}sentinel`, 'x');
        await waitFor(() => wide.events().some((e) => eventKey(e) === `${p}sentinel`), 'the sentinel');
        await waitFor(() => narrow.events().length >= 2, 'the narrow events');
        expect(narrow.batches.map((b) => describeEvents(b.events, p))).toEqual([['put a/x=yes'], ['put a/y=yes']]);
        await narrow.watcher.close();
        await wide.watcher.close();
      });

      it('close stops delivery', async () => {
        const from = await nextRevision();
        const closing = await collect(registry, p, from);
        const sentinel = await collect(registry, p, from);
        await registry.put(`${p}a`, '1');
        await waitFor(() => closing.batches.length >= 1, 'the first event');
        await closing.watcher.close();
        await registry.put(`${p}a`, '2');
        await registry.put(`${p}b`, '1');
        await waitFor(() => sentinel.batches.length >= 3, 'the sentinel watcher');
        await sleep(20);
        expect(closing.batches).toHaveLength(1);
        expect(closing.errors).toEqual([]);
        await closing.watcher.close(); // idempotent
        await sentinel.watcher.close();
      });

      it('a watch from a future revision starts delivering at that revision', async () => {
        const from = await nextRevision();
        const watch = await collect(registry, p, from + 1);
        await registry.put(`${p}a`, 'skipped'); // revision `from`
        const second = await registry.put(`${p}a`, 'seen'); // revision `from + 1`
        await waitFor(() => watch.batches.length >= 1, 'the event');
        expect(watch.batches.map((b) => b.revision)).toEqual([second.revision]);
        expect(describeEvents(watch.events(), p)).toEqual(['put a=seen']);
        await watch.watcher.close();
      });

      it.each([
        { name: 'before the compacted revision', offset: -1 },
        { name: 'at the compacted revision', offset: 0 },
      ])('a watch from $name fails with REGISTRY_COMPACTED carrying the compacted revision', async ({ offset }) => {
        await registry.put(`${p}a`, '1');
        const compactAt = await registry.put(`${p}a`, '2');
        await registry.put(`${p}a`, '3');
        await registry.compact(compactAt.revision);
        const watch = await collect(registry, p, compactAt.revision + offset);
        await waitFor(() => watch.errors.length >= 1, 'the compaction error');
        expect(watch.errors[0]).toMatchObject({
          name: 'FleetError',
          code: ErrorCodes.REGISTRY_COMPACTED,
          revision: compactAt.revision,
        });
        // The watcher is closed: nothing more arrives.
        await registry.put(`${p}a`, '4');
        const sentinel = await collect(registry, p, await nextRevision());
        await registry.put(`${p}b`, 'x');
        await waitFor(() => sentinel.batches.length >= 1, 'the sentinel');
        expect(watch.batches).toEqual([]);
        expect(watch.errors).toHaveLength(1);
        await watch.watcher.close();
        await sentinel.watcher.close();
      });

      it('a watch from just after the compacted revision replays what is left', async () => {
        await registry.put(`${p}a`, '1');
        const compactAt = await registry.put(`${p}a`, '2');
        const after = await registry.put(`${p}a`, '3');
        await registry.compact(compactAt.revision);
        const watch = await collect(registry, p, compactAt.revision + 1);
        await waitFor(() => watch.batches.length >= 1, 'the replay');
        expect(watch.batches.map((b) => [b.revision, describeEvents(b.events, p)])).toEqual([[after.revision, ['put a=3']]]);
        expect(watch.errors).toEqual([]);
        await watch.watcher.close();
      });

      it('compact keeps the current data and rejects compacted or future revisions', async () => {
        await registry.put(`${p}a`, '1');
        const { revision } = await registry.put(`${p}a`, '2');
        await registry.compact(revision);
        expect(await registry.get(`${p}a`)).toMatchObject({ value: '2', version: 2 });
        // (etcd's ErrCompacted on Compact carries no revision, so none is pinned here.)
        await expectFleetError(registry.compact(revision), ErrorCodes.REGISTRY_COMPACTED);
        await expectFleetError(registry.compact(revision + 1000), ErrorCodes.REGISTRY_INVALID_ARGUMENT);
      });

      it.each([
        { name: '0', value: 0 },
        { name: 'a negative revision', value: -5 },
        { name: 'a fractional revision', value: 1.5 },
        { name: 'NaN', value: Number.NaN },
      ])('a watch from $name is REGISTRY_INVALID_ARGUMENT', async ({ value }) => {
        await expectFleetError(
          registry.watch(p, { fromRevision: value, onEvents: () => undefined, onError: () => undefined }),
          ErrorCodes.REGISTRY_INVALID_ARGUMENT,
        );
      });
    });

    describe('close', () => {
      it.each([
        { name: 'get', call: (r: Registry, p: string) => r.get(`${p}a`) },
        { name: 'list', call: (r: Registry, p: string) => r.list(p) },
        { name: 'put', call: (r: Registry, p: string) => r.put(`${p}a`, 'v') },
        { name: 'delete', call: (r: Registry, p: string) => r.delete(`${p}a`) },
        { name: 'deletePrefix', call: (r: Registry, p: string) => r.deletePrefix(p) },
        { name: 'txn', call: (r: Registry, p: string) => r.txn({ success: [get(`${p}a`)] }) },
        { name: 'grantLease', call: (r: Registry) => r.grantLease(60) },
        { name: 'keepAlive', call: (r: Registry) => r.keepAlive('1') },
        { name: 'revokeLease', call: (r: Registry) => r.revokeLease('1') },
        {
          name: 'watch',
          call: (r: Registry, p: string) => r.watch(p, { fromRevision: 1, onEvents: () => undefined, onError: () => undefined }),
        },
        { name: 'compact', call: (r: Registry) => r.compact(1) },
      ])('$name after close is REGISTRY_CLOSED', async ({ call }) => {
        await registry.close();
        await expectFleetError(call(registry, p), ErrorCodes.REGISTRY_CLOSED);
      });

      it('close is idempotent, and closing a watcher after the registry resolves', async () => {
        const watch = await collect(registry, p, await nextRevision());
        await registry.close();
        await registry.close();
        await watch.watcher.close();
        expect(watch.errors).toEqual([]);
      });
    });
  });
}
