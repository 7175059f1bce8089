/**
 * The embedded registry: an in-memory store with etcd v3 (3.4) semantics, for
 * standalone mode, simulation and tests. See `./types.ts` for the contract and
 * where each rule comes from.
 *
 * Everything runs synchronously inside each call (the promise is only the
 * interface), so calls are applied in the order they are made, like requests
 * through etcd's raft log.
 */
import { randomBytes } from 'node:crypto';
import { ErrorCodes, FleetError } from '../errors.js';
import { compareUtf8, SortedKeySet } from './keys.js';
import {
  fail,
  invalid,
  checkKey,
  checkPrefix,
  checkLeaseId,
  checkRevision,
  checkPositiveInt,
  checkCompare,
  checkOp,
  checkDuplicates,
  compareHolds,
  checkTtl,
} from './validate.js';
import {
  MAX_TXN_OPS,
  type KeyValue,
  type LeaseId,
  type Registry,
  type Txn,
  type TxnOp,
  type TxnResponse,
  type TxnResult,
  type WatchEvent,
  type WatchOptions,
  type Watcher,
} from './types.js';

export interface MemoryRegistryOptions {
  /** Most compares / ops per branch in one txn (etcd `--max-txn-ops`). Default 128. */
  readonly maxTxnOps?: number;
  /** Revisions of history kept for watch replay; older history is compacted. Default 10,000. */
  readonly historyLimit?: number;
  /** Shorter lease TTLs are raised to this (etcd's minimum is 2 s with default timings). Default 1. */
  readonly minLeaseTtlSeconds?: number;
}

export interface MemoryRegistry extends Registry {
  /** The store revision: 1 when empty, +1 per write. */
  currentRevision(): number;
  /** The revision history was compacted at (0: never); watches must start after it. */
  compactedRevision(): number;
}

const DEFAULT_HISTORY_LIMIT = 10_000;
const DEFAULT_MIN_LEASE_TTL_SECONDS = 1;

interface Lease {
  readonly id: LeaseId;
  readonly ttlSeconds: number;
  deadline: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  readonly keys: Set<string>;
}

interface HistoryEntry {
  readonly revision: number;
  readonly events: readonly WatchEvent[];
}

interface MemoryWatcher {
  readonly prefix: string;
  readonly fromRevision: number;
  readonly options: WatchOptions;
  readonly queue: HistoryEntry[];
  scheduled: boolean;
  closed: boolean;
}

/** The writes of one revision while they are being applied. */
interface WriteBatch {
  readonly revision: number;
  readonly events: WatchEvent[];
}

class MemoryRegistryImpl implements MemoryRegistry {
  private readonly maxTxnOps: number;
  private readonly historyLimit: number;
  private readonly minLeaseTtlSeconds: number;

  private readonly kvs = new Map<string, KeyValue>();
  private readonly sortedKeys = new SortedKeySet();
  private readonly leases = new Map<LeaseId, Lease>();
  private readonly watchers = new Set<MemoryWatcher>();
  private revision = 1;
  private compactRevision = 0;
  /** history[historyHead..] holds every revision after compactRevision, in order. */
  private history: HistoryEntry[] = [];
  private historyHead = 0;
  private closed = false;
  private nextLeaseId: bigint;

  constructor(options: MemoryRegistryOptions) {
    this.maxTxnOps = checkPositiveInt(options.maxTxnOps, MAX_TXN_OPS, 'maxTxnOps', 1);
    this.historyLimit = checkPositiveInt(options.historyLimit, DEFAULT_HISTORY_LIMIT, 'historyLimit', 1);
    this.minLeaseTtlSeconds = checkPositiveInt(options.minLeaseTtlSeconds, DEFAULT_MIN_LEASE_TTL_SECONDS, 'minLeaseTtlSeconds', 1);
    // Like etcd's, lease IDs are large (beyond 2^53), so code that turns them
    // into numbers breaks here too, not only in production. Start somewhere in
    // [2^60, 2^61) and count up by odd numbers: doubles there are 256 apart, so
    // no ID survives a round trip through a number (1 in 256 did).
    this.nextLeaseId = ((1n << 60n) + (randomBytes(8).readBigUInt64BE() >> 4n)) | 1n;
  }

  currentRevision(): number {
    return this.revision;
  }

  compactedRevision(): number {
    return this.compactRevision;
  }

  // ---- public API (each wraps a synchronous implementation) ----

  get(key: string): Promise<KeyValue | undefined> {
    return this.run(() => this.kvs.get(checkKey(key)));
  }

  list(prefix: string): Promise<{ readonly revision: number; readonly items: readonly KeyValue[] }> {
    return this.run(() => {
      const keys = this.sortedKeys.withPrefix(checkPrefix(prefix));
      const items = keys.map((k) => this.kvs.get(k)!);
      return { revision: this.revision, items };
    });
  }

  put(key: string, value: string, options?: { readonly lease?: LeaseId }): Promise<{ readonly revision: number }> {
    return this.run(() => {
      const op: TxnOp = options?.lease === undefined ? { type: 'put', key, value } : { type: 'put', key, value, lease: options.lease };
      const result = this.txnSync({ success: [op] });
      return { revision: result.revision };
    });
  }

  delete(key: string): Promise<{ readonly revision: number; readonly deleted: number }> {
    return this.run(() => {
      const result = this.txnSync({ success: [{ type: 'delete', key }] });
      const response = result.responses[0];
      return { revision: result.revision, deleted: response?.type === 'delete' ? response.deleted : 0 };
    });
  }

  deletePrefix(prefix: string): Promise<{ readonly revision: number; readonly deleted: number }> {
    return this.run(() => {
      const result = this.txnSync({ success: [{ type: 'deletePrefix', prefix }] });
      const response = result.responses[0];
      return { revision: result.revision, deleted: response?.type === 'delete' ? response.deleted : 0 };
    });
  }

  txn(txn: Txn): Promise<TxnResult> {
    return this.run(() => this.txnSync(txn));
  }

  grantLease(ttlSeconds: number): Promise<LeaseId> {
    return this.run(() => {
      checkTtl(ttlSeconds);
      // etcd lessor.Grant raises a TTL below the minimum to the minimum.
      const ttl = Math.max(ttlSeconds, this.minLeaseTtlSeconds);
      const id = String(this.nextLeaseId);
      this.nextLeaseId += 2n;
      const lease: Lease = { id, ttlSeconds: ttl, deadline: 0, timer: undefined, keys: new Set() };
      this.leases.set(id, lease);
      this.armLease(lease);
      return id;
    });
  }

  keepAlive(leaseId: LeaseId): Promise<number> {
    return this.run(() => {
      const lease = this.liveLease(checkLeaseId(leaseId));
      this.armLease(lease);
      return lease.ttlSeconds;
    });
  }

  revokeLease(leaseId: LeaseId): Promise<void> {
    return this.run(() => {
      // etcd revokes a lease that is still known even when its TTL has run out.
      const id = checkLeaseId(leaseId);
      const lease = this.leases.get(id);
      if (lease === undefined) fail(ErrorCodes.REGISTRY_LEASE_NOT_FOUND, `lease ${id} not found`);
      this.endLease(lease);
    });
  }

  watch(prefix: string, options: WatchOptions): Promise<Watcher> {
    return this.run(() => this.watchSync(prefix, options));
  }

  compact(revision: number): Promise<void> {
    return this.run(() => {
      checkRevision(revision, 'compact revision');
      // etcd mvcc updateCompactRev: ErrCompacted / ErrFutureRev (verified).
      if (revision <= this.compactRevision) {
        fail(ErrorCodes.REGISTRY_COMPACTED, `revision ${revision} has already been compacted`, {
          revision: this.compactRevision,
        });
      }
      if (revision > this.revision) {
        invalid(`cannot compact at future revision ${revision} (current revision is ${this.revision})`);
      }
      this.compactTo(revision);
    });
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      for (const lease of this.leases.values()) {
        if (lease.timer !== undefined) clearTimeout(lease.timer);
        lease.timer = undefined;
      }
      for (const watcher of this.watchers) this.closeWatcher(watcher);
      this.watchers.clear();
    }
    return Promise.resolve();
  }

  // ---- internals ----

  private run<T>(body: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new FleetError(ErrorCodes.REGISTRY_CLOSED, 'the registry is closed'));
    try {
      return Promise.resolve(body());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private txnSync(txn: Txn): TxnResult {
    if (typeof txn !== 'object' || txn === null) invalid('txn must be an object');
    const compares = txn.compare ?? [];
    const success = txn.success ?? [];
    const failure = txn.failure ?? [];
    // etcd checkTxnRequest: compares count against the limit too.
    if (compares.length > this.maxTxnOps || success.length > this.maxTxnOps || failure.length > this.maxTxnOps) {
      fail(ErrorCodes.REGISTRY_TXN_TOO_LARGE, `too many operations in txn request (limit ${this.maxTxnOps} compares and ${this.maxTxnOps} ops per branch)`);
    }
    compares.forEach(checkCompare);
    success.forEach(checkOp);
    failure.forEach(checkOp);
    // etcd checks both branches for duplicates, before evaluating anything.
    checkDuplicates(success);
    checkDuplicates(failure);

    const succeeded = compares.every((c) => compareHolds(c, this.kvs.get(c.key)));
    const ops = succeeded ? success : failure;
    // etcd checkPut (apply.go): leases are checked on the branch that runs, before any write.
    for (const op of ops) {
      if (op.type === 'put' && op.lease !== undefined && !this.leases.has(op.lease)) {
        fail(ErrorCodes.REGISTRY_LEASE_NOT_FOUND, `lease ${op.lease} not found`);
      }
    }

    const batch: WriteBatch = { revision: this.revision + 1, events: [] };
    const responses: TxnResponse[] = ops.map((op): TxnResponse => {
      switch (op.type) {
        case 'get':
          return { type: 'get', kv: this.kvs.get(op.key) };
        case 'put':
          this.applyPut(batch, op.key, op.value, op.lease);
          return { type: 'put' };
        case 'delete':
          return { type: 'delete', deleted: this.applyDelete(batch, op.key) };
        case 'deletePrefix': {
          let deleted = 0;
          for (const key of this.sortedKeys.withPrefix(op.prefix)) deleted += this.applyDelete(batch, key);
          return { type: 'delete', deleted };
        }
      }
    });
    this.commit(batch);
    return { succeeded, revision: this.revision, responses };
  }

  private applyPut(batch: WriteBatch, key: string, value: string, lease: LeaseId | undefined): void {
    const old = this.kvs.get(key);
    const kv: KeyValue = Object.freeze({
      key,
      value,
      createRevision: old === undefined ? batch.revision : old.createRevision,
      modRevision: batch.revision,
      version: old === undefined ? 1 : old.version + 1,
      lease,
    });
    if (old === undefined) this.sortedKeys.add(key);
    else if (old.lease !== undefined && old.lease !== lease) this.leases.get(old.lease)?.keys.delete(key);
    if (lease !== undefined) this.leases.get(lease)?.keys.add(key);
    this.kvs.set(key, kv);
    batch.events.push(Object.freeze({ type: 'put', kv }));
  }

  private applyDelete(batch: WriteBatch, key: string): number {
    const old = this.kvs.get(key);
    if (old === undefined) return 0;
    this.kvs.delete(key);
    this.sortedKeys.delete(key);
    if (old.lease !== undefined) this.leases.get(old.lease)?.keys.delete(key);
    batch.events.push(Object.freeze({ type: 'delete', key, modRevision: batch.revision }));
    return 1;
  }

  /** Ends a batch: a new revision only if something was written (etcd storeTxnWrite.End). */
  private commit(batch: WriteBatch): void {
    if (batch.events.length === 0) return;
    this.revision = batch.revision;
    const entry: HistoryEntry = { revision: batch.revision, events: Object.freeze(batch.events) };
    this.history.push(entry);
    for (const watcher of this.watchers) {
      if (entry.revision >= watcher.fromRevision) this.enqueue(watcher, entry);
    }
    if (this.revision - this.compactRevision > this.historyLimit) this.compactTo(this.revision - this.historyLimit);
  }

  private compactTo(revision: number): void {
    this.compactRevision = revision;
    while (this.historyHead < this.history.length && this.history[this.historyHead]!.revision <= revision) {
      this.historyHead += 1;
    }
    if (this.historyHead > 1024 && this.historyHead * 2 > this.history.length) {
      this.history = this.history.slice(this.historyHead);
      this.historyHead = 0;
    }
  }

  // ---- leases ----

  /** The lease if it is alive; one whose deadline passed is ended now (etcd Renew waits for the revoke). */
  private liveLease(id: LeaseId): Lease {
    const lease = this.leases.get(id);
    if (lease === undefined) fail(ErrorCodes.REGISTRY_LEASE_NOT_FOUND, `lease ${id} not found`);
    if (performance.now() >= lease.deadline) {
      this.endLease(lease);
      fail(ErrorCodes.REGISTRY_LEASE_NOT_FOUND, `lease ${id} has expired`);
    }
    return lease;
  }

  private armLease(lease: Lease): void {
    const ms = lease.ttlSeconds * 1000;
    lease.deadline = performance.now() + ms;
    if (lease.timer !== undefined) clearTimeout(lease.timer);
    // setTimeout's limit is 2^31-1 ms (~24.8 days); longer leases re-arm on firing.
    const delay = Math.min(ms, 2 ** 31 - 1);
    const timer = setTimeout(() => this.onLeaseTimer(lease), delay);
    timer.unref();
    lease.timer = timer;
  }

  private onLeaseTimer(lease: Lease): void {
    lease.timer = undefined;
    if (this.closed || this.leases.get(lease.id) !== lease) return;
    const remaining = lease.deadline - performance.now();
    if (remaining > 1) {
      const timer = setTimeout(() => this.onLeaseTimer(lease), Math.min(remaining, 2 ** 31 - 1));
      timer.unref();
      lease.timer = timer;
      return;
    }
    this.endLease(lease);
  }

  /** Revokes a lease: its keys are deleted in one revision, in key order (etcd lessor.Revoke). */
  private endLease(lease: Lease): void {
    if (lease.timer !== undefined) clearTimeout(lease.timer);
    lease.timer = undefined;
    this.leases.delete(lease.id);
    const keys = [...lease.keys].sort(compareUtf8);
    const batch: WriteBatch = { revision: this.revision + 1, events: [] };
    for (const key of keys) this.applyDelete(batch, key);
    this.commit(batch);
  }

  // ---- watches ----

  private watchSync(prefix: string, options: WatchOptions): Watcher {
    checkPrefix(prefix);
    if (typeof options !== 'object' || options === null) invalid('watch options are required');
    const fromRevision = checkRevision(options.fromRevision, 'fromRevision');
    if (typeof options.onEvents !== 'function' || typeof options.onError !== 'function') {
      invalid('watch options need onEvents and onError callbacks');
    }
    const watcher: MemoryWatcher = { prefix, fromRevision, options, queue: [], scheduled: false, closed: false };
    const handle: Watcher = {
      close: () => {
        this.closeWatcher(watcher);
        return Promise.resolve();
      },
    };
    if (fromRevision <= this.compactRevision) {
      // Like etcd: the watch is created, then cancelled with the compact revision.
      const compacted = this.compactRevision;
      queueMicrotask(() => {
        if (watcher.closed) return;
        this.closeWatcher(watcher);
        this.reportError(
          watcher,
          new FleetError(ErrorCodes.REGISTRY_COMPACTED, `cannot watch from revision ${fromRevision}: history up to revision ${compacted} has been compacted`, {
            revision: compacted,
          }),
        );
      });
      return handle;
    }
    // Replay history from fromRevision (every revision after compactRevision is there).
    const first = this.history[this.historyHead];
    if (first !== undefined && fromRevision <= this.revision) {
      for (let i = this.historyHead + Math.max(0, fromRevision - first.revision); i < this.history.length; i++) {
        this.enqueue(watcher, this.history[i]!);
      }
    }
    this.watchers.add(watcher);
    return handle;
  }

  private enqueue(watcher: MemoryWatcher, entry: HistoryEntry): void {
    if (watcher.closed) return;
    const prefix = watcher.prefix;
    const events = prefix === '' ? entry.events : entry.events.filter((e) => eventKey(e).startsWith(prefix));
    if (events.length === 0) return;
    watcher.queue.push(events === entry.events ? entry : { revision: entry.revision, events: Object.freeze(events) });
    if (!watcher.scheduled) {
      watcher.scheduled = true;
      // A microtask: after the write call returns, before any timer or I/O.
      queueMicrotask(() => this.flush(watcher));
    }
  }

  private flush(watcher: MemoryWatcher): void {
    watcher.scheduled = false;
    while (!watcher.closed) {
      const entry = watcher.queue.shift();
      if (entry === undefined) return;
      try {
        watcher.options.onEvents(entry.events, entry.revision);
      } catch (error) {
        this.closeWatcher(watcher);
        this.reportError(
          watcher,
          new FleetError(ErrorCodes.REGISTRY_UNAVAILABLE, 'a watch onEvents callback threw; the watch was closed', {
            cause: error,
          }),
        );
      }
    }
  }

  private closeWatcher(watcher: MemoryWatcher): void {
    watcher.closed = true;
    watcher.queue.length = 0;
    this.watchers.delete(watcher);
  }

  private reportError(watcher: MemoryWatcher, error: FleetError): void {
    try {
      watcher.options.onError(error);
    } catch {
      // Nothing sensible is left to tell; the watcher is closed already.
    }
  }
}

function eventKey(event: WatchEvent): string {
  return event.type === 'put' ? event.kv.key : event.key;
}

/** An embedded registry with etcd v3 semantics (see `./types.ts`). */
export function createMemoryRegistry(options: MemoryRegistryOptions = {}): MemoryRegistry {
  return new MemoryRegistryImpl(options);
}
