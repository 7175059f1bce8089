/**
 * A watch whose events are held back until the writes that made them are
 * durable (see `CallOrder`), then delivered in order with the contract's
 * rules: never after close, and a throwing `onEvents` closes the watch and is
 * reported once through `onError` as `REGISTRY_UNAVAILABLE`.
 */
import { ErrorCodes, FleetError, type WatchEvent, type WatchOptions, type Watcher } from '@fleetd/core';
import type { CallOrder } from './call-order.js';

interface Pending {
  readonly events: readonly WatchEvent[];
  readonly revision: number;
  readonly ticket: number;
}

export class GatedWatch {
  private readonly queue: Pending[] = [];
  private waiting = false;
  private closed = false;
  private inner: Watcher | undefined;

  constructor(
    private readonly order: CallOrder,
    private readonly options: WatchOptions,
  ) {}

  /** The options handed to the memory registry's watch. */
  innerOptions(): WatchOptions {
    return {
      fromRevision: this.options.fromRevision,
      onEvents: (events, revision) => this.onEvents(events, revision),
      onError: (error) => this.report(error),
    };
  }

  attach(inner: Watcher): Watcher {
    this.inner = inner;
    if (this.closed) void inner.close();
    return { close: () => this.close() };
  }

  close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    return this.inner?.close() ?? Promise.resolve();
  }

  private onEvents(events: readonly WatchEvent[], revision: number): void {
    if (this.closed) return;
    // Every write that could have made this revision was called before now.
    this.queue.push({ events, revision, ticket: this.order.ticket() });
    this.pump();
  }

  private pump(): void {
    while (!this.closed && !this.waiting) {
      const next = this.queue[0];
      if (next === undefined) return;
      if (!this.order.isDone(next.ticket)) {
        this.waiting = true;
        this.order.whenDone(next.ticket).then(
          () => {
            this.waiting = false;
            this.pump();
          },
          (error: unknown) => this.fail(new FleetError(ErrorCodes.REGISTRY_UNAVAILABLE, 'the store cannot persist writes', { cause: error })),
        );
        return;
      }
      this.queue.shift();
      this.deliver(next);
    }
  }

  private deliver(pending: Pending): void {
    try {
      this.options.onEvents(pending.events, pending.revision);
    } catch (error) {
      this.fail(
        new FleetError(ErrorCodes.REGISTRY_UNAVAILABLE, 'a watch onEvents callback threw; the watch was closed', {
          cause: error,
        }),
      );
    }
  }

  private fail(error: FleetError): void {
    if (this.closed) return;
    void this.close();
    this.closed = true;
    this.report(error);
  }

  private report(error: FleetError): void {
    this.closed = true;
    this.queue.length = 0;
    try {
      this.options.onError(error);
    } catch {
      // Nothing sensible is left to tell; the watcher is closed already.
    }
  }
}
