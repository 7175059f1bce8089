/**
 * One registry watch = one etcd watch stream that the watcher itself keeps
 * alive: when the stream breaks it reconnects (to whichever endpoint answers)
 * and resumes after the last revision it delivered, so no revision is lost or
 * delivered twice; if that history is gone it reports REGISTRY_COMPACTED.
 *
 * Starting at a revision `r`, the etcd watch is created at `r - 1` and events
 * below `r` are dropped: plain etcd accepts a watch from exactly the compacted
 * revision but then silently drops delete events of that revision, while the
 * registry contract wants REGISTRY_COMPACTED for `r <= compacted revision`.
 */
import { ErrorCodes, FleetError, type WatchEvent, type WatchOptions, type Watcher } from '@fleetd/core';
import type { Etcd3, IDuplexStream, IEvent, IWatchRequest, IWatchResponse } from 'etcd3';
import { closedError, INVALID_TOKEN, messageOf, toFleetError } from './errors.js';
import { prefixRange, toKeyValue } from './keys.js';
import { endStream } from './streams.js';
import { sleep } from './calls.js';

type WatchStream = IDuplexStream<IWatchRequest, IWatchResponse>;

export interface WatchContext {
  readonly client: Etcd3;
  readonly dialTimeoutMs: number;
  /** Called once when the watcher closes, for whatever reason. */
  readonly onClosed: (watcher: EtcdWatcher) => void;
  /** Gets etcd3 a new auth token (etcd forgets them when it restarts); never rejects. */
  readonly refreshAuth: () => Promise<void>;
}

const FIRST_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 1000;
/** Failures that reconnecting cannot fix. */
const FATAL = ['authentication failed', 'permission denied', 'already closed'];

interface PendingCreate {
  resolve(): void;
  reject(error: unknown): void;
}

export class EtcdWatcher implements Watcher {
  /** The next revision to deliver. */
  private next: number;
  private stream: WatchStream | undefined;
  /** Bumped for every stream, so events of an abandoned stream are ignored. */
  private generation = 0;
  private closed = false;
  private pending: PendingCreate | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private backoffMs = FIRST_BACKOFF_MS;
  /** A token refresh to wait for before reconnecting. */
  private authRefresh: Promise<void> | undefined;

  constructor(
    private readonly ctx: WatchContext,
    private readonly prefix: string,
    private readonly options: WatchOptions,
  ) {
    this.next = options.fromRevision;
  }

  /** Establishes the watch, retrying for up to dialTimeoutMs; rejects with a FleetError. */
  async start(): Promise<void> {
    const deadline = Date.now() + this.ctx.dialTimeoutMs;
    for (let backoff = FIRST_BACKOFF_MS; ; backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)) {
      try {
        await this.connect(deadline);
        return;
      } catch (error) {
        if (this.closed) throw closedError();
        if (isFatal(error) || Date.now() + backoff >= deadline) {
          this.shutdown();
          throw toFleetError(error, 'watch', this.ctx.dialTimeoutMs);
        }
        await sleep(backoff);
      }
    }
  }

  close(): Promise<void> {
    this.shutdown();
    return Promise.resolve();
  }

  /** Stops everything without telling onError (registry close, watcher close). */
  shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.dropStream();
    this.settle()?.reject(closedError());
    this.ctx.onClosed(this);
  }

  // ---- connecting ----

  /** Opens a stream and creates the watch on it; resolves when etcd confirms it. */
  private async connect(deadline: number): Promise<void> {
    await this.authRefresh;
    this.authRefresh = undefined;
    const generation = ++this.generation;
    const stream = await this.ctx.client.watchClient.watch();
    if (this.closed || generation !== this.generation) {
      endStream(stream);
      throw closedError();
    }
    this.stream = stream;
    const created = new Promise<void>((resolve, reject) => {
      this.pending = { resolve, reject };
    });
    created.catch(() => undefined); // awaited below; this only keeps an early throw from leaving it unhandled
    const timer = setTimeout(
      () => this.onBroken(generation, new Error(`etcd did not confirm the watch within ${this.ctx.dialTimeoutMs} ms`)),
      Math.max(0, deadline - Date.now()),
    );
    stream.on('data', (response) => this.onResponse(generation, response));
    stream.on('error', (error) => this.onBroken(generation, error));
    stream.on('end', () => this.onBroken(generation, new Error('the etcd watch stream ended')));
    const range = prefixRange(this.prefix);
    stream.write({ create_request: { ...range, start_revision: Math.max(1, this.next - 1) } });
    try {
      await created;
    } finally {
      clearTimeout(timer);
    }
  }

  private onBroken(generation: number, error: unknown): void {
    if (this.closed || generation !== this.generation) return;
    this.dropStream();
    const pending = this.settle();
    // While connecting, whoever called connect() decides what to do next.
    if (pending !== undefined) pending.reject(error);
    else this.scheduleReconnect(error);
  }

  private scheduleReconnect(error: unknown): void {
    if (this.closed) return;
    if (isFatal(error)) {
      this.fail(toFleetError(error, 'watch', this.ctx.dialTimeoutMs));
      return;
    }
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.reconnect();
    }, delay);
  }

  private async reconnect(): Promise<void> {
    if (this.closed) return;
    try {
      await this.connect(Date.now() + this.ctx.dialTimeoutMs);
    } catch (error) {
      this.scheduleReconnect(error);
    }
  }

  private dropStream(): void {
    this.generation += 1;
    if (this.stream !== undefined) endStream(this.stream);
    this.stream = undefined;
  }

  private settle(): PendingCreate | undefined {
    const pending = this.pending;
    this.pending = undefined;
    return pending;
  }

  // ---- responses ----

  private onResponse(generation: number, response: IWatchResponse): void {
    if (this.closed || generation !== this.generation) return;
    try {
      this.handle(response);
    } catch (error) {
      this.fail(new FleetError(ErrorCodes.REGISTRY_UNAVAILABLE, `bad etcd watch response: ${messageOf(error)}`, { cause: error }));
    }
  }

  private handle(response: IWatchResponse): void {
    const compacted = Number(response.compact_revision || 0);
    if (response.created && (!response.canceled || compacted > 0)) {
      this.backoffMs = FIRST_BACKOFF_MS;
      this.settle()?.resolve();
    }
    if (compacted > 0) {
      const message = `cannot watch from revision ${this.next}: history up to revision ${compacted} has been compacted`;
      this.fail(new FleetError(ErrorCodes.REGISTRY_COMPACTED, message, { revision: compacted }));
      return;
    }
    if (response.canceled) {
      const reason = response.cancel_reason || 'no reason given';
      if (reason.includes(INVALID_TOKEN)) {
        // etcd restarted and forgot our token: get a new one and reconnect.
        this.authRefresh = this.ctx.refreshAuth();
        this.onBroken(this.generation, new Error(`etcd cancelled the watch: ${reason}`));
        return;
      }
      this.refuse(new FleetError(ErrorCodes.REGISTRY_UNAVAILABLE, `etcd cancelled the watch: ${reason}`));
      return;
    }
    if (response.events.length > 0) this.deliver(response.events);
  }

  /** One onEvents call per revision (etcd never splits a revision across responses). */
  private deliver(events: readonly IEvent[]): void {
    let i = 0;
    while (i < events.length && !this.closed) {
      const revision = Number(events[i]!.kv.mod_revision);
      const batch: WatchEvent[] = [];
      for (; i < events.length && Number(events[i]!.kv.mod_revision) === revision; i++) {
        batch.push(toWatchEvent(events[i]!));
      }
      if (revision < this.next) continue;
      this.next = revision + 1;
      try {
        this.options.onEvents(Object.freeze(batch), revision);
      } catch (error) {
        const message = 'a watch onEvents callback threw; the watch was closed';
        this.fail(new FleetError(ErrorCodes.REGISTRY_UNAVAILABLE, message, { cause: error }));
      }
    }
  }

  /**
   * etcd refused or cancelled the watch (e.g. permission denied, which etcd
   * sends with `created`): while connecting, the connect() caller gets the
   * error (watch() rejects, or a reconnect reports it); later, onError does.
   */
  private refuse(error: FleetError): void {
    const pending = this.settle();
    if (pending === undefined) this.fail(error);
    else pending.reject(error);
  }

  /** Closes the watcher and tells onError (at most once). */
  private fail(error: FleetError): void {
    if (this.closed) return;
    this.shutdown();
    try {
      this.options.onError(error);
    } catch {
      // Nothing sensible is left to tell; the watcher is closed already.
    }
  }
}

function isFatal(error: unknown): boolean {
  if (error instanceof FleetError) return true;
  const message = messageOf(error);
  return FATAL.some((m) => message.includes(m));
}

function toWatchEvent(event: IEvent): WatchEvent {
  const type = String(event.type).toLowerCase();
  if (type === 'delete') {
    return Object.freeze({ type: 'delete', key: event.kv.key.toString('utf8'), modRevision: Number(event.kv.mod_revision) });
  }
  return Object.freeze({ type: 'put', kv: toKeyValue(event.kv) });
}
