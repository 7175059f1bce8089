import { asRegistryError, ErrorCodes, FleetError, isFleetError } from '../errors.js';
import type { KeyValue, Registry, WatchEvent, Watcher } from '../registry/types.js';

export interface MirrorHandlers {
  /** Everything under the prefix as of `revision` (first load, re-list after compaction, resync). */
  reset(items: readonly KeyValue[], revision: number): void;
  /** One revision's changes, in order. */
  apply(events: readonly WatchEvent[], revision: number): void;
}

export interface MirrorOptions {
  /** Full re-list as a safety net, however healthy the watch looks. Default 5 minutes. */
  readonly resyncIntervalMs?: number;
  /** Pause before re-establishing a broken watch. Default 500 ms. */
  readonly retryDelayMs?: number;
  /** Told about every watch failure and recovery; the mirror itself never throws. */
  readonly onError?: (error: FleetError) => void;
}

/**
 * An in-memory copy of everything under a prefix: list at a revision, watch
 * from the next one, resume from the last seen revision after a disconnect,
 * re-list when that history was compacted. Reading the mirror costs no
 * registry call, so a steady-state round makes no reads.
 */
export class RegistryMirror {
  private watcher: Watcher | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastRevision = 0;
  private readonly resyncIntervalMs: number;
  private readonly retryDelayMs: number;
  private readonly onError: (error: FleetError) => void;

  constructor(
    private readonly registry: Registry,
    private readonly prefix: string,
    private readonly handlers: MirrorHandlers,
    options: MirrorOptions = {},
  ) {
    this.resyncIntervalMs = options.resyncIntervalMs ?? 300_000;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.onError = options.onError ?? (() => {});
  }

  /** The revision the mirror reflects. */
  get revision(): number {
    return this.lastRevision;
  }

  /** Loads the prefix and starts watching; rejects only if the first load fails. */
  async start(): Promise<void> {
    await this.relist();
    this.scheduleResync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.resyncTimer);
    clearTimeout(this.retryTimer);
    await this.closeWatcher();
  }

  /** Re-lists now (the periodic safety net, or on demand). */
  async resync(): Promise<void> {
    await this.closeWatcher();
    await this.relist();
  }

  private async relist(): Promise<void> {
    const { items, revision } = await this.registry.list(this.prefix);
    if (this.stopped) return;
    this.lastRevision = revision;
    this.handlers.reset(items, revision);
    await this.watchFrom(revision + 1);
  }

  private async watchFrom(fromRevision: number): Promise<void> {
    const watcher = await this.registry.watch(this.prefix, {
      fromRevision,
      onEvents: (events, revision) => {
        if (revision <= this.lastRevision) return;
        this.lastRevision = revision;
        this.handlers.apply(events, revision);
      },
      onError: (error) => this.recover(error),
    });
    if (this.stopped) await watcher.close();
    else this.watcher = watcher;
  }

  /** A broken watch resumes from the last revision seen; compacted history means a re-list. */
  private recover(error: FleetError): void {
    this.watcher = undefined;
    if (this.stopped) return;
    this.onError(error);
    const retry = async (): Promise<void> => {
      if (this.stopped) return;
      try {
        if (isFleetError(error, ErrorCodes.REGISTRY_COMPACTED)) await this.relist();
        else await this.watchFrom(this.lastRevision + 1);
      } catch (failure) {
        this.recover(asRegistryError(failure));
      }
    };
    this.retryTimer = setTimeout(() => void retry(), isFleetError(error, ErrorCodes.REGISTRY_COMPACTED) ? 0 : this.retryDelayMs);
    this.retryTimer.unref();
  }

  private scheduleResync(): void {
    this.resyncTimer = setTimeout(() => {
      this.resync()
        .catch((error: unknown) => this.recover(asRegistryError(error)))
        .finally(() => {
          if (!this.stopped) this.scheduleResync();
        });
    }, this.resyncIntervalMs);
    this.resyncTimer.unref();
  }

  private async closeWatcher(): Promise<void> {
    const watcher = this.watcher;
    this.watcher = undefined;
    await watcher?.close();
  }
}
