/**
 * The etcd v3 registry: `Registry` from @fleetd/core over the etcd3 client's
 * raw KV, Lease and Watch APIs. See README.md for what differs from the
 * memory store, and ./errors.ts for how etcd's errors map to codes.
 */
import { MAX_LEASE_TTL_SECONDS, type KeyValue, type LeaseId, type Registry, type Txn, type TxnResult, type WatchOptions, type Watcher } from '@fleetd/core';
import { Etcd3 } from 'etcd3';
import { Caller } from './calls.js';
import { keepAliveOnce } from './leases.js';
import { prefixRange, toKeyValue, utf8 } from './keys.js';
import { resolveOptions, type EtcdRegistryOptions } from './options.js';
import { StreamSet } from './streams.js';
import { isReadOnly, toTxnRequest, toTxnResult } from './txn.js';
import { checkKey, checkLeaseId, checkPrefix, checkRevision, checkTtl, checkValue, invalid } from './validate.js';
import { EtcdWatcher } from './watch.js';

export interface EtcdRegistry extends Registry {
  /** The client URLs this registry talks to. */
  readonly endpoints: readonly string[];
}

type Revisioned = { readonly revision: number };

class EtcdRegistryImpl implements EtcdRegistry {
  readonly endpoints: readonly string[];
  private readonly client: Etcd3;
  private readonly calls: Caller;
  private readonly dialTimeoutMs: number;
  private readonly streams = new StreamSet();
  private readonly watchers = new Set<EtcdWatcher>();
  private closed = false;

  constructor(options: EtcdRegistryOptions) {
    const resolved = resolveOptions(options);
    this.endpoints = resolved.endpoints;
    this.dialTimeoutMs = resolved.dialTimeoutMs;
    this.client = new Etcd3(resolved.client);
    this.calls = new Caller(resolved.requestTimeoutMs, () => this.closed, this.refreshAuth);
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.calls.checkOpen();
    const request = { key: utf8(checkKey(key)) };
    const response = await this.calls.run('get', 'idempotent', (o) => this.client.kv.range(request, o));
    const kv = response.kvs[0];
    return kv === undefined ? undefined : toKeyValue(kv);
  }

  async list(prefix: string): Promise<{ readonly revision: number; readonly items: readonly KeyValue[] }> {
    this.calls.checkOpen();
    const request = prefixRange(checkPrefix(prefix));
    const response = await this.calls.run('list', 'idempotent', (o) => this.client.kv.range(request, o));
    return { revision: Number(response.header.revision), items: response.kvs.map(toKeyValue) };
  }

  async put(key: string, value: string, options?: { readonly lease?: LeaseId }): Promise<Revisioned> {
    this.calls.checkOpen();
    const lease = options?.lease === undefined ? '0' : checkLeaseId(options.lease);
    const request = { key: utf8(checkKey(key)), value: utf8(checkValue(value)), lease };
    const response = await this.calls.run('put', 'write', (o) => this.client.kv.put(request, o));
    return { revision: Number(response.header.revision) };
  }

  async delete(key: string): Promise<Revisioned & { readonly deleted: number }> {
    this.calls.checkOpen();
    return this.deleteRange('delete', { key: utf8(checkKey(key)) });
  }

  async deletePrefix(prefix: string): Promise<Revisioned & { readonly deleted: number }> {
    this.calls.checkOpen();
    return this.deleteRange('deletePrefix', prefixRange(checkPrefix(prefix)));
  }

  async txn(txn: Txn): Promise<TxnResult> {
    this.calls.checkOpen();
    const { request, success, failure } = toTxnRequest(txn);
    const mode = isReadOnly(txn) ? 'idempotent' : 'write';
    const response = await this.calls.run('txn', mode, (o) => this.client.kv.txn(request, o));
    return toTxnResult(response, success, failure);
  }

  async grantLease(ttlSeconds: number): Promise<LeaseId> {
    this.calls.checkOpen();
    const request = { TTL: checkTtl(ttlSeconds, MAX_LEASE_TTL_SECONDS), ID: 0 };
    const response = await this.calls.run('grantLease', 'write', (o) => this.client.leaseClient.leaseGrant(request, o));
    return response.ID;
  }

  async keepAlive(lease: LeaseId): Promise<number> {
    this.calls.checkOpen();
    const id = checkLeaseId(lease);
    return this.calls.run('keepAlive', 'idempotent', (o) => keepAliveOnce(this.client, id, o, this.streams));
  }

  async revokeLease(lease: LeaseId): Promise<void> {
    this.calls.checkOpen();
    const request = { ID: checkLeaseId(lease) };
    await this.calls.run('revokeLease', 'write', (o) => this.client.leaseClient.leaseRevoke(request, o));
  }

  async watch(prefix: string, options: WatchOptions): Promise<Watcher> {
    this.calls.checkOpen();
    checkPrefix(prefix);
    if (typeof options !== 'object' || options === null) invalid('watch options are required');
    checkRevision(options.fromRevision, 'fromRevision');
    if (typeof options.onEvents !== 'function' || typeof options.onError !== 'function') {
      invalid('watch options need onEvents and onError callbacks');
    }
    const context = {
      client: this.client,
      dialTimeoutMs: this.dialTimeoutMs,
      onClosed: (w: EtcdWatcher) => this.watchers.delete(w),
      refreshAuth: this.refreshAuth,
    };
    const watcher = new EtcdWatcher(context, prefix, options);
    this.watchers.add(watcher);
    await watcher.start();
    return watcher;
  }

  async compact(revision: number): Promise<void> {
    this.calls.checkOpen();
    const request = { revision: checkRevision(revision, 'compact revision'), physical: false };
    await this.calls.run('compact', 'write', (o) => this.client.kv.compact(request, o));
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const watcher of [...this.watchers]) watcher.shutdown();
    this.streams.endAll();
    this.client.close();
    return Promise.resolve();
  }

  /**
   * A small unary read: when etcd answers "invalid auth token" to it, etcd3
   * fetches a new token, which later streams (watches, keep-alives) then use.
   */
  private readonly refreshAuth = async (): Promise<void> => {
    const request = { key: Buffer.from([0]), limit: 1, serializable: true };
    await this.client.kv.range(request, { deadline: Date.now() + this.dialTimeoutMs }).catch(() => undefined);
  };

  private async deleteRange(what: string, request: { readonly key: Buffer; readonly range_end?: Buffer }): Promise<Revisioned & { readonly deleted: number }> {
    const response = await this.calls.run(what, 'write', (o) => this.client.kv.deleteRange(request, o));
    return { revision: Number(response.header.revision), deleted: Number(response.deleted) };
  }
}

/**
 * A registry on etcd v3. Creating it does not connect: the first call does.
 * Bad options throw a FleetError (REGISTRY_INVALID_ARGUMENT) right away.
 */
export function createEtcdRegistry(options: EtcdRegistryOptions = {}): EtcdRegistry {
  return new EtcdRegistryImpl(options);
}
