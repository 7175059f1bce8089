import { asRegistryError, FleetError } from '../errors.js';
import type { PluginHost } from '../plugin/host.js';
import type { Registry } from '../registry/types.js';
import type { RoundResult } from '../scheduler/decisions.js';
import { Scheduler } from '../scheduler/scheduler.js';
import type { SchedulerOptions } from '../scheduler/scheduler.js';
import type { ClusterState } from '../scheduler/cluster-state.js';
import { FleetStore } from '../store/fleet-store.js';
import { KeyLayout } from '../store/layout.js';
import { ClusterMirror } from './cluster-mirror.js';
import { fencedCommitter } from './committer.js';
import { LeaderElection } from './election.js';
import { RegistryMirror } from './mirror.js';
import { SerialRunner } from './serial-runner.js';

export type EngineEvent =
  | { readonly type: 'elected' }
  | { readonly type: 'deposed'; readonly error: FleetError }
  | { readonly type: 'round'; readonly result: RoundResult }
  | { readonly type: 'round-failed'; readonly error: FleetError }
  | { readonly type: 'error'; readonly error: FleetError }
  /** A plugin failed outside a round's decisions (a roundComplete tap); a round's own are in its result. */
  | { readonly type: 'plugin-error'; readonly error: FleetError };

export interface EngineOptions {
  readonly registry: Registry;
  readonly host: PluginHost;
  /** Names this engine in the leadership key; usually the machine ID. */
  readonly id: string;
  readonly keyPrefix?: string;
  /** Leadership lease TTL; a new leader acts within this of the old one dying. Default 10 s. */
  readonly leaseTtlSeconds?: number;
  /** Safety-net round interval while leading; rounds also run on every change. Default 2 s (fleet's). */
  readonly reconcileIntervalMs?: number;
  /** Wait after a change before a round, so a burst of changes makes one round. Default 20 ms. */
  readonly debounceMs?: number;
  /** Full re-list interval of the mirror. Default 5 minutes. */
  readonly resyncIntervalMs?: number;
  readonly scheduler?: SchedulerOptions;
  readonly onEvent?: (event: EngineEvent) => void;
}

/**
 * The engine: mirrors the cluster from the registry, campaigns for the
 * leadership, and while leading runs scheduling rounds on every change (and
 * on an interval), committing placements in fenced, guarded transactions.
 * It never revokes a placement because the registry failed or the leadership
 * moved: only the scheduler's decisions (desired state, machine gone,
 * requirement failing) revoke.
 */
export class Engine {
  readonly scheduler: Scheduler;
  readonly layout: KeyLayout;
  private readonly mirror: RegistryMirror;
  private readonly cluster: ClusterMirror;
  private readonly election: LeaderElection;
  private readonly commit: ReturnType<typeof fencedCommitter>;
  private readonly rounds: SerialRunner<RoundResult | undefined>;
  private intervalTimer: NodeJS.Timeout | undefined;
  private started = false;

  constructor(private readonly options: EngineOptions) {
    this.layout = new KeyLayout(options.keyPrefix);
    this.scheduler = new Scheduler(options.host, { onPluginError: (error) => this.emit({ type: 'plugin-error', error }), ...options.scheduler });
    this.cluster = new ClusterMirror(
      this.layout,
      () => this.scheduler.createState(),
      () => this.changed(),
      (error) => this.emit({ type: 'error', error }),
    );
    this.mirror = new RegistryMirror(options.registry, this.layout.prefix, this.cluster, {
      ...(options.resyncIntervalMs === undefined ? {} : { resyncIntervalMs: options.resyncIntervalMs }),
      onError: (error) => this.emit({ type: 'error', error }),
    });
    this.election = new LeaderElection({
      registry: options.registry,
      key: this.layout.leader,
      candidate: options.id,
      ttlSeconds: options.leaseTtlSeconds ?? 10,
      onElected: () => this.elected(),
      onDeposed: (error) => this.emit({ type: 'deposed', error }),
      onError: (error) => this.emit({ type: 'error', error }),
    });
    this.rounds = new SerialRunner(
      () => this.round(),
      options.debounceMs ?? 20,
      () => this.started && this.election.isLeader,
    );
    this.commit = fencedCommitter({ registry: options.registry, layout: this.layout, seen: this.cluster, fence: () => this.election.fence });
  }

  get isLeader(): boolean {
    return this.election.isLeader;
  }

  /** The mirrored cluster (read-only use: explanations, dry runs). */
  get state(): ClusterState {
    return this.cluster.cluster;
  }

  /** Checks (or writes) the schema version, loads the mirror, and starts campaigning. */
  async start(): Promise<void> {
    await new FleetStore(this.options.registry, this.layout.prefix).ensureSchema();
    await this.mirror.start();
    this.started = true;
    this.election.start();
    this.intervalTimer = setInterval(() => this.changed(), this.options.reconcileIntervalMs ?? 2000);
    this.intervalTimer.unref();
  }

  /** Leaves the election (another engine takes over at once) and stops; units keep running. */
  async stop(): Promise<void> {
    this.started = false;
    clearInterval(this.intervalTimer);
    this.rounds.cancel();
    await this.rounds.idle();
    await this.election.stop();
    await this.mirror.stop();
  }

  /** Stops without resigning, as if the process had died: the leadership expires after its TTL (tests). */
  async crash(): Promise<void> {
    this.started = false;
    clearInterval(this.intervalTimer);
    this.rounds.cancel();
    await this.election.crash();
    await this.mirror.stop();
  }

  /** Runs a round now if leading (tests, fleetctl); resolves with its result. */
  async runRound(): Promise<RoundResult | undefined> {
    return this.rounds.runNow();
  }

  private elected(): void {
    this.emit({ type: 'elected' });
    this.changed();
  }

  private changed(): void {
    this.rounds.request();
  }

  private async round(): Promise<RoundResult | undefined> {
    if (!this.election.isLeader) return undefined;
    try {
      const result = await this.scheduler.schedule(this.cluster.cluster, this.commit);
      // Some writes may have applied before a failure: the state must say what the store says.
      if (result.bindError !== undefined || result.refused.length > 0) this.cluster.restorePlacements();
      if (result.bindError !== undefined) this.emit({ type: 'round-failed', error: result.bindError });
      else this.emit({ type: 'round', result });
      return result;
    } catch (error) {
      const failure = asRegistryError(error);
      this.emit({ type: 'round-failed', error: failure });
      return undefined;
    }
  }

  private emit(event: EngineEvent): void {
    this.options.onEvent?.(event);
  }
}
