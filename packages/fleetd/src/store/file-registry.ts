/**
 * The standalone store: `@fleetd/core`'s memory registry (etcd semantics),
 * persisted in a data directory so it survives a restart and `kill -9`.
 *
 * What is persisted: only keys WITHOUT a lease (units, desired states,
 * placements, operator metadata). Leased keys (machine presence, unit states,
 * engine leadership) belong to a live process holding the lease; after a
 * restart they are gone, exactly as if their leases had expired, and their
 * owners write them again. A put with a lease over a persisted key therefore
 * persists a delete of it. Revisions, create/mod revisions and versions are
 * not persisted: a reopened store starts its revision count again (its keys
 * are restored in a few batched puts), so no revision may be kept across a
 * restart.
 *
 * Files in the data directory (created 0700):
 * - `store.snapshot.json`: the whole persisted key space (`./snapshot.ts`),
 *   only ever replaced atomically;
 * - `store.wal`: one JSON line per committed revision that changed the
 *   persisted key space (`./wal-format.ts`).
 *
 * Durability: a write call resolves only after its WAL record is written (and
 * fsynced, unless `fsync: false`). Writes are applied to memory in call order
 * and their records appended in that order, so WAL order is revision order.
 * Reads and watch events wait until every write called before them is
 * durable, so nothing a crash could take back is ever seen.
 *
 * Open: read the snapshot, replay the WAL (a torn last line is dropped; any
 * other damage is `DATA_DIR_INVALID` naming file and line), write a fresh
 * snapshot and empty the WAL. While running, once the WAL passes
 * `compactAfterBytes` a new snapshot is written while writes continue, then
 * the WAL is swapped for one holding only the records written meanwhile.
 */
import { mkdir } from 'node:fs/promises';
import {
  createMemoryRegistry,
  ErrorCodes,
  FleetError,
  MAX_TXN_OPS,
  type KeyValue,
  type LeaseId,
  type MemoryRegistry,
  type Registry,
  type Txn,
  type TxnOp,
  type TxnResult,
  type WatchOptions,
  type Watcher,
} from '@fleetd/core';
import { CallOrder } from './call-order.js';
import { dataDirError, removeTempFiles, SNAPSHOT_FILE, writeFileAtomic } from './files.js';
import { GatedWatch } from './gated-watch.js';
import { persistedEffects, type KeySpace } from './keyspace.js';
import { loadStore, type StoreRecovery } from './load.js';
import { encodeSnapshot, type StoreState } from './snapshot.js';
import { encodeWalRecord } from './wal-format.js';
import { WalWriter } from './wal-writer.js';

export interface FileRegistryOptions {
  /** The data directory; created (mode 0700) if missing. */
  readonly dir: string;
  /** fsync every WAL append, snapshot and rename (default true). Off: a `kill -9` loses nothing, a power loss may. */
  readonly fsync?: boolean;
  /** Compact (snapshot + empty the WAL) once the WAL is larger than this (default 4 MiB). */
  readonly compactAfterBytes?: number;
}

export interface FileRegistry extends Registry {
  /** The data directory. */
  readonly dir: string;
  /** What opening the store found (for the daemon's log). */
  readonly recovery: StoreRecovery;
  /** Writes a snapshot of the persisted keys and empties the WAL now (done automatically past `compactAfterBytes`). */
  checkpoint(): Promise<void>;
}

export const DEFAULT_COMPACT_AFTER_BYTES = 4 * 1024 * 1024;

type Mutation<T> = (result: T) => { readonly ops: readonly TxnOp[]; readonly revision: number };

class FileRegistryImpl implements FileRegistry {
  private readonly order = new CallOrder();
  private closed = false;
  private failure: FleetError | undefined;
  private compaction: Promise<void> | undefined;
  private compactAt: number;

  constructor(
    readonly dir: string,
    readonly recovery: StoreRecovery,
    private readonly memory: MemoryRegistry,
    private readonly state: StoreState,
    private readonly writer: WalWriter,
    private readonly fsync: boolean,
    private readonly compactAfterBytes: number,
  ) {
    this.compactAt = compactAfterBytes;
  }

  // ---- reads: answered now, released once earlier writes are durable ----

  get(key: string): Promise<KeyValue | undefined> {
    return this.read(() => this.memory.get(key));
  }

  list(prefix: string): Promise<{ readonly revision: number; readonly items: readonly KeyValue[] }> {
    return this.read(() => this.memory.list(prefix));
  }

  // ---- writes ----

  put(key: string, value: string, options?: { readonly lease?: LeaseId }): Promise<{ readonly revision: number }> {
    const op: TxnOp = options?.lease === undefined ? { type: 'put', key, value } : { type: 'put', key, value, lease: options.lease };
    return this.write(
      () => this.memory.put(key, value, options),
      (result) => ({ ops: [op], revision: result.revision }),
    );
  }

  delete(key: string): Promise<{ readonly revision: number; readonly deleted: number }> {
    return this.write(
      () => this.memory.delete(key),
      (result) => ({ ops: [{ type: 'delete', key }], revision: result.revision }),
    );
  }

  deletePrefix(prefix: string): Promise<{ readonly revision: number; readonly deleted: number }> {
    return this.write(
      () => this.memory.deletePrefix(prefix),
      (result) => ({ ops: [{ type: 'deletePrefix', prefix }], revision: result.revision }),
    );
  }

  txn(txn: Txn): Promise<TxnResult> {
    // Copy the branches now: the caller may change its arrays before the record is made.
    const success = [...(txn?.success ?? [])];
    const failure = [...(txn?.failure ?? [])];
    return this.write(
      () => this.memory.txn(txn),
      (result) => ({ ops: result.succeeded ? success : failure, revision: result.revision }),
    );
  }

  // ---- leases: leased keys are never persisted, so nothing to record ----

  grantLease(ttlSeconds: number): Promise<LeaseId> {
    return this.refusal() ?? this.memory.grantLease(ttlSeconds);
  }

  keepAlive(lease: LeaseId): Promise<number> {
    return this.refusal() ?? this.memory.keepAlive(lease);
  }

  revokeLease(lease: LeaseId): Promise<void> {
    return this.refusal() ?? this.memory.revokeLease(lease);
  }

  // ---- watches and history ----

  async watch(prefix: string, options: WatchOptions): Promise<Watcher> {
    const refused = this.refusal<Watcher>();
    if (refused !== undefined) return refused;
    // Let the memory registry report malformed options in its own words.
    if (!hasCallbacks(options)) return this.memory.watch(prefix, options);
    const gate = new GatedWatch(this.order, options);
    return gate.attach(await this.memory.watch(prefix, gate.innerOptions()));
  }

  compact(revision: number): Promise<void> {
    return this.refusal() ?? this.memory.compact(revision);
  }

  checkpoint(): Promise<void> {
    return this.refusal() ?? this.compactNow();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.order.whenDone().catch(() => undefined);
    await this.compaction?.catch(() => undefined);
    await this.memory.close();
    await this.writer.close();
  }

  // ---- internals ----

  private refusal<T>(): Promise<T> | undefined {
    if (this.closed) return Promise.reject(new FleetError(ErrorCodes.REGISTRY_CLOSED, 'the registry is closed'));
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return undefined;
  }

  private read<T>(answer: () => Promise<T>): Promise<T> {
    const refused = this.refusal<T>();
    if (refused !== undefined) return refused;
    return Promise.all([answer(), this.order.whenDone().catch((error: unknown) => this.failed(error))]).then(([result]) => result);
  }

  /**
   * Applies a write to memory now (the memory registry applies calls
   * synchronously, in call order) and resolves once its WAL record is durable.
   * The reactions below are attached to already-settled promises, so they run
   * in call order too: records are made, and appended, in revision order.
   */
  private write<T>(apply: () => Promise<T>, mutation: Mutation<T>): Promise<T> {
    const refused = this.refusal<T>();
    if (refused !== undefined) return refused;
    const call = this.order.begin();
    return apply().then(
      async (result) => {
        const { ops, revision } = mutation(result);
        await this.persist(call, ops, revision);
        return result;
      },
      async (error: unknown) => {
        await this.persist(call, [], 0);
        throw error;
      },
    );
  }

  private async persist(call: number, ops: readonly TxnOp[], revision: number): Promise<void> {
    const walOps = this.failure === undefined ? persistedEffects(this.state.keys, ops) : [];
    try {
      if (walOps.length === 0) await this.writer.flushed();
      else {
        this.state.seq += 1;
        await this.writer.append(encodeWalRecord({ seq: this.state.seq, rev: revision, ops: walOps }));
      }
    } catch (error) {
      this.failed(error);
    }
    this.order.finish(call);
    this.maybeCompact();
  }

  /** The WAL could not be written: the store stops accepting calls rather than acknowledge what may be lost. */
  private failed(error: unknown): never {
    this.failure ??= new FleetError(
      ErrorCodes.REGISTRY_UNAVAILABLE,
      `the store in ${this.dir} cannot write its log: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
    this.order.fail(this.failure);
    throw this.failure;
  }

  private maybeCompact(): void {
    if (this.compaction !== undefined || this.closed || this.writer.bytes < this.compactAt) return;
    this.compactNow().catch(() => {
      // The WAL is still complete; try again after it grows by another threshold.
      this.compactAt = this.writer.bytes + this.compactAfterBytes;
    });
  }

  private compactNow(): Promise<void> {
    const previous = this.compaction ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(() => this.writeCheckpoint())
      .finally(() => {
        if (this.compaction === run) this.compaction = undefined;
      });
    this.compaction = run;
    return run;
  }

  private async writeCheckpoint(): Promise<void> {
    // One synchronous step: the snapshot holds exactly the records up to `seq`,
    // and every record after it is recorded for the new WAL.
    const text = encodeSnapshot(this.state.seq, this.state.keys);
    this.writer.startRecording();
    await writeFileAtomic(this.dir, SNAPSHOT_FILE, text, this.fsync);
    await this.writer.replaceFile();
    this.compactAt = this.compactAfterBytes;
  }
}

function hasCallbacks(options: WatchOptions): boolean {
  return typeof options === 'object' && options !== null && typeof options.onEvents === 'function' && typeof options.onError === 'function';
}

function checkOptions(options: FileRegistryOptions): { dir: string; fsync: boolean; compactAfterBytes: number } {
  const { dir, fsync = true, compactAfterBytes = DEFAULT_COMPACT_AFTER_BYTES } = options;
  if (typeof dir !== 'string' || dir === '') throw dataDirError('the data directory must be a non-empty path');
  if (typeof fsync !== 'boolean') {
    throw new FleetError(ErrorCodes.REGISTRY_INVALID_ARGUMENT, `fsync must be a boolean, got ${String(fsync)}`);
  }
  if (!Number.isSafeInteger(compactAfterBytes) || compactAfterBytes < 1) {
    throw new FleetError(ErrorCodes.REGISTRY_INVALID_ARGUMENT, `compactAfterBytes must be a positive integer, got ${String(compactAfterBytes)}`);
  }
  return { dir, fsync, compactAfterBytes };
}

/** Puts the persisted keys into a fresh memory registry, in batches of the txn limit. */
async function restore(memory: MemoryRegistry, keys: KeySpace, dir: string): Promise<void> {
  const entries = [...keys];
  for (let i = 0; i < entries.length; i += MAX_TXN_OPS) {
    const ops = entries.slice(i, i + MAX_TXN_OPS).map(([key, value]): TxnOp => ({ type: 'put', key, value }));
    try {
      await memory.txn({ success: ops });
    } catch (error) {
      throw dataDirError(`${dir}: the persisted store holds a key the registry refuses: ${String(error)}`, error);
    }
  }
}

/** Opens (or creates) the persisted store in `options.dir`. See the module comment. */
export async function openFileRegistry(options: FileRegistryOptions): Promise<FileRegistry> {
  const { dir, fsync, compactAfterBytes } = checkOptions(options);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await removeTempFiles(dir);
  } catch (error) {
    throw dataDirError(`${dir}: cannot use the data directory (${(error as NodeJS.ErrnoException).code ?? String(error)})`, error);
  }
  const { state, recovery } = await loadStore(dir);
  const memory = createMemoryRegistry();
  await restore(memory, state.keys, dir);
  try {
    // The snapshot now holds everything; emptying the WAL also cuts off a torn line.
    await writeFileAtomic(dir, SNAPSHOT_FILE, encodeSnapshot(state.seq, state.keys), fsync);
    const writer = await WalWriter.create(dir, fsync);
    return new FileRegistryImpl(dir, recovery, memory, state, writer, fsync, compactAfterBytes);
  } catch (error) {
    await memory.close();
    throw dataDirError(`${dir}: cannot write the store (${(error as NodeJS.ErrnoException).code ?? String(error)})`, error);
  }
}
