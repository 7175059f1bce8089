import { asRegistryError, ErrorCodes, FleetError, isFleetError } from '../errors.js';
import type { KeyValue, Registry, WatchEvent, Watcher } from '../registry/types.js';
import { compareUtf8 } from '../registry/keys.js';

export interface MirrorHandlers {
  /** Everything in the mirror's scope as of `revision` (first load, re-list after compaction, resync). */
  reset(items: readonly KeyValue[], revision: number): void;
  /** One revision's changes in one of the scope's prefixes, in order. */
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
 * What a mirror copies: one prefix (everything under it), or several
 * disjoint prefixes, each listed and watched on its own. An agent mirrors
 * only the prefixes it reads (see agentWatchScope), so the unit states other
 * machines report, most of the registry's traffic, never reach it.
 */
export type MirrorScope = string | readonly string[];

/** One watched prefix: its watch, and the last revision applied from it. */
interface Stream {
  readonly prefix: string;
  watcher: Watcher | undefined;
  retryTimer: NodeJS.Timeout | undefined;
  lastRevision: number;
  /** Bumped whenever the stream's watches are closed: a watch still being set up then is closed as soon as it is. */
  generation: number;
}

/**
 * An in-memory copy of everything in a scope: list at a revision, watch
 * from the next one, resume from the last seen revision after a disconnect,
 * re-list when that history was compacted. Reading the mirror costs no
 * registry call, so a steady-state round makes no reads.
 *
 * With several prefixes, each is listed and watched on its own and resumes
 * from its own last revision: every prefix's copy is exact and in order, but
 * a write that touched two prefixes at one revision may be applied as two
 * `apply` calls, and one prefix's copy may be briefly ahead of another's.
 */
export class RegistryMirror {
  private readonly streams: readonly Stream[];
  private resyncTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private newestRevision = 0;
  /** The re-list in progress: compaction seen by several prefixes at once re-lists once. */
  private relisting: Promise<void> | undefined;
  private readonly resyncIntervalMs: number;
  private readonly retryDelayMs: number;
  private readonly onError: (error: FleetError) => void;

  constructor(
    private readonly registry: Registry,
    scope: MirrorScope,
    private readonly handlers: MirrorHandlers,
    options: MirrorOptions = {},
  ) {
    this.streams = checkScope(scope).map((prefix) => ({ prefix, watcher: undefined, retryTimer: undefined, lastRevision: 0, generation: 0 }));
    this.resyncIntervalMs = options.resyncIntervalMs ?? 300_000;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.onError = options.onError ?? (() => {});
  }

  /** The newest revision the mirror has applied (with one prefix: the revision it reflects). */
  get revision(): number {
    return this.newestRevision;
  }

  /** Loads the scope and starts watching; rejects only if the first load fails. */
  async start(): Promise<void> {
    await this.relist();
    this.scheduleResync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.resyncTimer);
    await this.closeWatchers();
  }

  /** Re-lists now (the periodic safety net, or on demand); if that fails, the watches resume where they were. */
  async resync(): Promise<void> {
    try {
      await this.relist();
    } catch (error) {
      this.resyncFailed(asRegistryError(error));
      throw error;
    }
  }

  private relist(): Promise<void> {
    this.relisting ??= this.listAndWatch().finally(() => (this.relisting = undefined));
    return this.relisting;
  }

  /** Lists every prefix (each at its own revision), then watches each from the revision after its list. */
  private async listAndWatch(): Promise<void> {
    await this.closeWatchers();
    const lists = await Promise.all(this.streams.map((stream) => this.registry.list(stream.prefix)));
    if (this.stopped) return;
    const revision = Math.max(...lists.map((list) => list.revision));
    lists.forEach((list, i) => (this.streams[i]!.lastRevision = list.revision));
    this.newestRevision = revision;
    const items = lists.length === 1 ? lists[0]!.items : lists.flatMap((list) => list.items).sort((a, b) => compareUtf8(a.key, b.key));
    this.handlers.reset(items, revision);
    await Promise.all(this.streams.map((stream) => this.watchFrom(stream)));
  }

  private async watchFrom(stream: Stream): Promise<void> {
    const generation = stream.generation;
    const watcher = await this.registry.watch(stream.prefix, {
      fromRevision: stream.lastRevision + 1,
      onEvents: (events, revision) => {
        if (generation !== stream.generation || revision <= stream.lastRevision) return;
        stream.lastRevision = revision;
        this.newestRevision = Math.max(this.newestRevision, revision);
        this.handlers.apply(events, revision);
      },
      onError: (error) => {
        if (generation === stream.generation) this.recover(stream, error);
      },
    });
    if (this.stopped || generation !== stream.generation) await watcher.close();
    else stream.watcher = watcher;
  }

  /** A broken watch resumes from the last revision its prefix saw; compacted history means a re-list of everything. */
  private recover(stream: Stream, error: FleetError): void {
    stream.watcher = undefined;
    if (this.stopped) return;
    this.onError(error);
    this.retry(stream, isFleetError(error, ErrorCodes.REGISTRY_COMPACTED));
  }

  private retry(stream: Stream, compacted: boolean): void {
    const attempt = async (): Promise<void> => {
      stream.retryTimer = undefined;
      if (this.stopped) return;
      try {
        if (compacted) await this.relist();
        else await this.watchFrom(stream);
      } catch (failure) {
        this.recover(stream, asRegistryError(failure));
      }
    };
    clearTimeout(stream.retryTimer);
    stream.retryTimer = setTimeout(() => void attempt(), compacted ? 0 : this.retryDelayMs);
    stream.retryTimer.unref();
  }

  /** A resync that failed may have closed watches: each prefix left without one resumes from its last revision. */
  private resyncFailed(error: FleetError): void {
    if (this.stopped) return;
    this.onError(error);
    const compacted = isFleetError(error, ErrorCodes.REGISTRY_COMPACTED);
    for (const stream of this.streams) if (stream.watcher === undefined && stream.retryTimer === undefined) this.retry(stream, compacted);
  }

  private scheduleResync(): void {
    this.resyncTimer = setTimeout(() => {
      this.resync()
        .catch(() => undefined) // resync() has reported it and resumed the watches
        .finally(() => {
          if (!this.stopped) this.scheduleResync();
        });
    }, this.resyncIntervalMs);
    this.resyncTimer.unref();
  }

  private async closeWatchers(): Promise<void> {
    await Promise.all(
      this.streams.map(async (stream) => {
        clearTimeout(stream.retryTimer);
        stream.retryTimer = undefined;
        stream.generation++;
        const watcher = stream.watcher;
        stream.watcher = undefined;
        await watcher?.close();
      }),
    );
  }
}

/** The scope's prefixes: at least one, none inside another (a key would be copied twice). */
function checkScope(scope: MirrorScope): readonly string[] {
  const prefixes = typeof scope === 'string' ? [scope] : [...scope];
  if (prefixes.length === 0) throw new FleetError(ErrorCodes.REGISTRY_INVALID_ARGUMENT, 'a registry mirror needs at least one prefix to watch');
  for (const a of prefixes) {
    const inner = prefixes.find((b) => b !== a && b.startsWith(a));
    if (inner !== undefined || prefixes.indexOf(a) !== prefixes.lastIndexOf(a)) {
      throw new FleetError(
        ErrorCodes.REGISTRY_INVALID_ARGUMENT,
        `registry mirror prefixes must not overlap: ${JSON.stringify(a)} contains ${JSON.stringify(inner ?? a)}`,
      );
    }
  }
  return prefixes;
}
