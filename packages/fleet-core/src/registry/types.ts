/**
 * The key-value registry fleetd's engine and agents talk through.
 *
 * The semantics are etcd v3's (3.4), because etcd is the production store; the
 * embedded memory store (`./memory.ts`) reproduces them, and the contract suite
 * (`../vitest/registry-contract.ts`, public as `@fleetd/core/vitest`) pins them for every implementation.
 * Facts marked "verified" below were checked against a real etcd 3.4.23 with
 * `etcdctl` and against etcd's sources (`etcdserver/api/v3rpc/key.go`,
 * `etcdserver/apply.go`, `mvcc/kvstore_txn.go`, `mvcc/watcher_group.go`,
 * `lease/lessor.go`).
 *
 * Keys and values are JavaScript strings that stand for their UTF-8 bytes:
 * ordering (list order, `<`/`>` value compares) is UTF-8 byte order, which is
 * code point order, *not* JavaScript's UTF-16 `<`. Strings with lone surrogates
 * have no UTF-8 form and are rejected.
 */
import type { FleetError } from '../errors.js';

/**
 * A lease ID. etcd lease IDs are positive int64 values and real ones are larger
 * than 2^53 (e.g. 2324035530602211351), so they travel as decimal strings and
 * must never pass through `Number`.
 */
export type LeaseId = string;

/** etcd's default `--max-txn-ops`: the most compares, and the most ops per branch, in one txn. */
export const MAX_TXN_OPS = 128;

/** etcd's largest lease TTL (`lease.MaxLeaseTTL`); larger TTLs are rejected. */
export const MAX_LEASE_TTL_SECONDS = 9_000_000_000;

export interface KeyValue {
  readonly key: string;
  readonly value: string;
  /** Revision of the put that created this key (since it last did not exist). */
  readonly createRevision: number;
  /** Revision of the last write to this key. */
  readonly modRevision: number;
  /** Number of puts since the key was (re)created: 1 after the first put; a delete resets it. */
  readonly version: number;
  /** The lease the key is attached to; the key is deleted when the lease ends. */
  readonly lease: LeaseId | undefined;
}

export type CompareOp = '==' | '!=' | '<' | '>';

/**
 * One guard of a transaction; all guards must hold for the success branch.
 * A missing key compares as version = createRevision = modRevision = 0, and a
 * `value` compare on a missing key is false whatever the op, `!=` included
 * (etcd `applyCompare`; verified).
 */
export type Compare =
  | { readonly key: string; readonly target: 'value'; readonly op: CompareOp; readonly value: string }
  | {
      readonly key: string;
      readonly target: 'version' | 'createRevision' | 'modRevision';
      readonly op: CompareOp;
      readonly value: number;
    };

export type TxnOp =
  | { readonly type: 'put'; readonly key: string; readonly value: string; readonly lease?: LeaseId }
  | { readonly type: 'delete'; readonly key: string }
  /** Deletes every key that starts with `prefix` (`''`: every key). */
  | { readonly type: 'deletePrefix'; readonly prefix: string }
  | { readonly type: 'get'; readonly key: string };

/** One response per op of the branch that ran, in op order (`deletePrefix` answers as `delete`). */
export type TxnResponse =
  { readonly type: 'put' } | { readonly type: 'delete'; readonly deleted: number } | { readonly type: 'get'; readonly kv: KeyValue | undefined };

/**
 * A transaction: if every compare holds, the success ops run, otherwise the
 * failure ops; atomically, as one revision.
 *
 * Rules (all etcd's, verified):
 * - more than `MAX_TXN_OPS` compares, or success ops, or failure ops →
 *   `REGISTRY_TXN_TOO_LARGE` (compares count too: etcd `checkTxnRequest`);
 * - within one branch, a key put twice, or put and deleted (by `delete` or
 *   `deletePrefix`), → `REGISTRY_INVALID_ARGUMENT` ("duplicate key given in txn
 *   request"); both branches are checked, even the one that would not run;
 *   deleting a key twice, or reading a key you write, is allowed;
 * - ops run in order and a `get` sees the branch's earlier writes;
 * - a put with an unknown lease in the branch that runs → `REGISTRY_LEASE_NOT_FOUND`
 *   and nothing is written.
 */
export interface Txn {
  readonly compare?: readonly Compare[];
  readonly success?: readonly TxnOp[];
  readonly failure?: readonly TxnOp[];
}

export interface TxnResult {
  readonly succeeded: boolean;
  /**
   * The store revision after the txn: the txn's own revision if it wrote
   * anything, else the current one (a read-only txn, or one whose only writes
   * were deletes of missing keys, does not create a revision).
   */
  readonly revision: number;
  readonly responses: readonly TxnResponse[];
}

export type WatchEvent =
  | { readonly type: 'put'; readonly kv: KeyValue }
  /** `modRevision` is the revision of the delete itself. */
  | { readonly type: 'delete'; readonly key: string; readonly modRevision: number };

export interface WatchOptions {
  /**
   * First revision to deliver (inclusive), an integer ≥ 1. It may be in the
   * past (history is replayed) or in the future. The usual pattern: `list()`,
   * then watch from `list.revision + 1`.
   *
   * If `fromRevision <= ` the compacted revision, the watch fails with
   * `onError(REGISTRY_COMPACTED, revision = compacted revision)`. Note the `<=`:
   * plain etcd only fails for `fromRevision < compactRevision`, but then
   * silently drops delete events at exactly the compacted revision (verified on
   * etcd 3.4.23: put a, del a @9, compact 9, watch --rev 9 shows no delete), so
   * the etcd implementation must watch from `fromRevision - 1` and drop events
   * below `fromRevision` to give this guarantee.
   */
  readonly fromRevision: number;
  /**
   * Called once per revision, in revision order, with the events of that
   * revision under the watched prefix in the order they were written, and
   * `revision` = that revision. Never called synchronously from inside a write
   * call, and never after the watcher (or the registry) is closed.
   */
  onEvents(events: readonly WatchEvent[], revision: number): void;
  /**
   * Called at most once; the watcher is closed when it is. `REGISTRY_COMPACTED`
   * (with `revision`) means history is gone: re-list and watch again. If
   * `onEvents` throws, the watcher is closed and `onError` receives a
   * `REGISTRY_UNAVAILABLE` error whose `cause` is what was thrown.
   */
  onError(error: FleetError): void;
}

export interface Watcher {
  /** Stops delivery; idempotent. */
  close(): Promise<void>;
}

export interface Registry {
  /** The key's current value, or undefined. */
  get(key: string): Promise<KeyValue | undefined>;
  /**
   * Every key starting with `prefix` (`''`: every key), sorted by key (UTF-8
   * byte order), consistent at `revision` (the store revision when read).
   */
  list(prefix: string): Promise<{ readonly revision: number; readonly items: readonly KeyValue[] }>;
  /**
   * Writes a key (always a new revision, even for the same value). With a
   * lease, the key goes when the lease does; without one, a put detaches the
   * key from any lease it had. Unknown lease → `REGISTRY_LEASE_NOT_FOUND`.
   */
  put(key: string, value: string, options?: { readonly lease?: LeaseId }): Promise<{ readonly revision: number }>;
  /** Deletes a key; deleting a missing key creates no revision (`deleted: 0`, current revision). */
  delete(key: string): Promise<{ readonly revision: number; readonly deleted: number }>;
  /** Deletes every key starting with `prefix`, all in one revision. */
  deletePrefix(prefix: string): Promise<{ readonly revision: number; readonly deleted: number }>;
  txn(txn: Txn): Promise<TxnResult>;
  /**
   * Grants a lease of `ttlSeconds` (an integer, 0 ≤ ttl ≤ MAX_LEASE_TTL_SECONDS).
   * Like etcd, a store may raise a short TTL to its minimum (etcd 3.4 with
   * default timings: 2 s, so a granted 1 s lease lives ~2 s; verified).
   */
  grantLease(ttlSeconds: number): Promise<LeaseId>;
  /**
   * Restarts the lease's TTL; resolves to the TTL in seconds the lease now has
   * (the granted, possibly raised, TTL). `REGISTRY_LEASE_NOT_FOUND` once the
   * lease expired or was revoked.
   */
  keepAlive(lease: LeaseId): Promise<number>;
  /** Ends the lease now, deleting its keys in one revision; unknown lease → `REGISTRY_LEASE_NOT_FOUND`. */
  revokeLease(lease: LeaseId): Promise<void>;
  /** Watches every key starting with `prefix`; resolves once the watch is established. */
  watch(prefix: string, options: WatchOptions): Promise<Watcher>;
  /**
   * Discards history before `revision`: watches from `revision` or earlier fail
   * with `REGISTRY_COMPACTED`. `revision` at or below the compacted revision →
   * `REGISTRY_COMPACTED`; above the current revision → `REGISTRY_INVALID_ARGUMENT`
   * (etcd: "required revision is a future revision"; verified). Unlike the watch
   * error, this `REGISTRY_COMPACTED` need not carry `revision`: etcd's answer
   * does not say which revision was compacted.
   */
  compact(revision: number): Promise<void>;
  /**
   * Stops all watchers (silently) and timers; every later call rejects with
   * `REGISTRY_CLOSED`. Closing again resolves.
   */
  close(): Promise<void>;
}
