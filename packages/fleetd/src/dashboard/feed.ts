import { RegistryMirror } from '@fleetd/core/unstable';
import type { FleetError, PluginHost, Registry } from '@fleetd/core';
import type { KeyLayout, SchedulerOptions } from '@fleetd/core/unstable';
import type { DashSnapshot } from '@fleetd/dashboard';
import { ClusterModel } from './cluster-model.js';
import { explainUnplaced } from './unschedulable.js';

/** One server-sent event: its name and its JSON, serialized once for every listener. */
export interface FeedMessage {
  /** `snapshot` (everything, first) or `changes` (what changed since). */
  readonly event: 'snapshot' | 'changes';
  /** The event's JSON: `DashSnapshot` or `DashChanges` of `@fleetd/dashboard`. */
  readonly data: string;
}

/** Told every message of the feed, in order. */
export type FeedListener = (message: FeedMessage) => void;

/** How the live feed batches, when it works out reasons, and when it stops watching. */
export interface FeedTimings {
  /** Changes are gathered for this long, then sent as one message. Default 100 ms. */
  readonly batchMs?: number;
  /** The unschedulable pass runs this long after units, placements or machines last changed. Default 300 ms. */
  readonly explainDelayMs?: number;
  /** The mirror stops this long after the last listener left (a page reload keeps it). Default 60 s. */
  readonly idleStopMs?: number;
  /** Watch failures and recoveries (the mirror retries by itself). */
  readonly onError?: (error: FleetError) => void;
}

export interface DashboardFeedOptions extends FeedTimings {
  readonly registry: Registry;
  readonly layout: KeyLayout;
  readonly host: PluginHost;
  readonly scheduler?: SchedulerOptions;
}

/**
 * The cluster's changes as they happen, for every connected dashboard: one
 * registry mirror (started by the first listener, stopped a while after the
 * last), one model, and each change serialized once whatever the number of
 * listeners. A listener gets a snapshot first, then batches of changes.
 */
export class DashboardFeed {
  private readonly listeners = new Set<FeedListener>();
  private model: ClusterModel | undefined;
  private mirror: RegistryMirror | undefined;
  private starting: Promise<ClusterModel> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private explainTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private snapshotCache: { readonly version: number; readonly data: string } | undefined;
  private version = 0;
  private closed = false;

  constructor(private readonly options: DashboardFeedOptions) {}

  /** Sends the listener a snapshot now, then every change; the returned function unsubscribes. Rejects when the registry cannot be read. */
  async subscribe(listener: FeedListener): Promise<() => void> {
    clearTimeout(this.idleTimer);
    const model = await this.start();
    if (this.closed) throw new Error('the dashboard feed is closed');
    this.flushNow();
    listener({ event: 'snapshot', data: this.snapshotData(model) });
    this.listeners.add(listener);
    return () => {
      if (this.listeners.delete(listener) && this.listeners.size === 0) this.scheduleIdleStop();
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    await this.stopMirror();
  }

  private start(): Promise<ClusterModel> {
    this.starting ??= this.startMirror().catch((error: unknown) => {
      this.starting = undefined;
      throw error;
    });
    return this.starting;
  }

  private async startMirror(): Promise<ClusterModel> {
    const model = new ClusterModel(this.options.layout, this.model?.log);
    const mirror = new RegistryMirror(
      this.options.registry,
      this.options.layout.prefix,
      {
        reset: (items, revision) => {
          model.reset(items, revision);
          this.changed(model);
        },
        apply: (events, revision) => {
          model.apply(events, revision);
          this.changed(model);
        },
      },
      this.options.onError === undefined ? {} : { onError: this.options.onError },
    );
    await mirror.start();
    this.model = model;
    this.mirror = mirror;
    this.explainNow(model);
    return model;
  }

  private async stopMirror(): Promise<void> {
    for (const timer of [this.flushTimer, this.explainTimer, this.idleTimer]) clearTimeout(timer);
    this.flushTimer = this.explainTimer = undefined;
    const mirror = this.mirror;
    this.mirror = undefined;
    this.starting = undefined;
    this.snapshotCache = undefined;
    await mirror?.stop();
  }

  private changed(model: ClusterModel): void {
    this.flushTimer ??= unrefTimer(() => this.flushNow(), this.options.batchMs ?? 100);
    if (!model.schedulingChanged) return;
    clearTimeout(this.explainTimer);
    this.explainTimer = unrefTimer(() => this.explainNow(model), this.options.explainDelayMs ?? 300);
  }

  private flushNow(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const changes = this.model?.flush();
    if (changes === undefined) return;
    this.version++;
    const message: FeedMessage = { event: 'changes', data: JSON.stringify(changes) };
    for (const listener of this.listeners) listener(message);
  }

  /** Reasons for the units that should run and have no machine; sent with the next flush. */
  private explainNow(model: ClusterModel): void {
    this.explainTimer = undefined;
    if (this.mirror === undefined) return;
    model.schedulingChanged = false;
    const unplaced = model.unplacedUnits();
    // The scheduler's view of the whole cluster is built only when some unit needs a reason.
    const reasons =
      unplaced.length === 0
        ? new Map<string, string>()
        : explainUnplaced(this.options.host, model.schedulingSnapshot(), unplaced, this.options.scheduler ?? {});
    model.setReasons(reasons);
    this.flushNow();
  }

  private snapshotData(model: ClusterModel): string {
    if (this.snapshotCache?.version !== this.version) {
      const snapshot: DashSnapshot = {
        revision: model.revision,
        machines: model.machineRecords(),
        units: model.unitRecords(),
        events: [...model.log.recent()],
      };
      this.snapshotCache = { version: this.version, data: JSON.stringify(snapshot) };
    }
    return this.snapshotCache.data;
  }

  private scheduleIdleStop(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = unrefTimer(() => {
      if (this.listeners.size === 0) void this.stopMirror();
    }, this.options.idleStopMs ?? 60_000);
  }
}

function unrefTimer(run: () => void, ms: number): NodeJS.Timeout {
  const timer = setTimeout(run, ms);
  timer.unref();
  return timer;
}
