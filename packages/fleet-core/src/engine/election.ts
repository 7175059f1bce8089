import { asRegistryError, ErrorCodes, FleetError } from '../errors.js';
import type { Compare, Registry, Watcher } from '../registry/types.js';
import { LeaseKeeper } from './lease-keeper.js';

export interface ElectionOptions {
  readonly registry: Registry;
  /** The leadership key (layout.leader). */
  readonly key: string;
  /** Who campaigns: written as the key's value. */
  readonly candidate: string;
  readonly ttlSeconds: number;
  readonly onElected?: () => void;
  readonly onDeposed?: (reason: FleetError) => void;
  readonly onError?: (error: FleetError) => void;
}

/**
 * One leader at a time through a leased key: created only if absent, kept
 * alive while leading, gone when the leader dies (its lease expires) or
 * resigns. The key's create revision identifies the term, so writes fenced
 * on it are refused once the term is over, even for a leader that has not
 * noticed yet.
 */
export class LeaderElection {
  private keeper: LeaseKeeper | undefined;
  private watcher: Watcher | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private term: number | undefined;
  private stopped = true;

  constructor(private readonly options: ElectionOptions) {}

  get isLeader(): boolean {
    return this.term !== undefined;
  }

  /** The compare that fences a write to this term; undefined when not leading. */
  get fence(): Compare | undefined {
    return this.term === undefined ? undefined : { key: this.options.key, target: 'createRevision', op: '==', value: this.term };
  }

  start(): void {
    this.stopped = false;
    void this.campaign();
  }

  /** Steps down (deleting the key, so another candidate takes over at once) and stops campaigning. */
  async stop(): Promise<void> {
    await this.halt(true);
  }

  /** Stops campaigning and renewing without deleting anything, as a crashed process would: the key expires after the TTL. */
  async crash(): Promise<void> {
    await this.halt(false);
  }

  private async halt(resign: boolean): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const watcher = this.watcher;
    this.watcher = undefined;
    await watcher?.close();
    const keeper = this.keeper;
    this.keeper = undefined;
    this.term = undefined;
    await keeper?.stop(resign);
  }

  private async campaign(): Promise<void> {
    if (this.stopped || this.term !== undefined) return;
    const { registry, key, candidate, ttlSeconds } = this.options;
    try {
      const lease = await registry.grantLease(ttlSeconds);
      const result = await registry.txn({
        compare: [{ key, target: 'createRevision', op: '==', value: 0 }],
        success: [{ type: 'put', key, value: JSON.stringify({ id: candidate }), lease }],
        failure: [{ type: 'get', key }],
      });
      if (result.succeeded) {
        this.elected(lease, result.revision);
        return;
      }
      await registry.revokeLease(lease).catch(() => undefined);
      await this.waitForVacancy(result.revision);
    } catch (error) {
      this.report(error);
      this.retryLater();
    }
  }

  private elected(lease: string, term: number): void {
    if (this.stopped) {
      void this.options.registry.revokeLease(lease).catch(() => undefined);
      return;
    }
    this.term = term;
    this.keeper = new LeaseKeeper(this.options.registry, lease, this.options.ttlSeconds, {
      onLost: (reason) => this.deposed(reason),
      onError: (error) => this.report(error),
    });
    this.options.onElected?.();
  }

  private deposed(reason: FleetError): void {
    this.term = undefined;
    this.keeper = undefined;
    this.options.onDeposed?.(new FleetError(ErrorCodes.ENGINE_DEPOSED, `lost the leadership: ${reason.message}`, { cause: reason }));
    this.retryLater();
  }

  /** Campaigns again when the current leader's key goes away (and, as a safety net, after a TTL). */
  private async waitForVacancy(seenRevision: number): Promise<void> {
    if (this.stopped) return;
    this.watcher = await this.options.registry.watch(this.options.key, {
      fromRevision: seenRevision + 1,
      onEvents: (events) => {
        if (events.some((event) => event.type === 'delete' && event.key === this.options.key)) this.vacancy();
      },
      onError: () => this.vacancy(),
    });
    this.retryLater();
  }

  private vacancy(): void {
    const watcher = this.watcher;
    this.watcher = undefined;
    void watcher?.close();
    clearTimeout(this.retryTimer);
    void this.campaign();
  }

  private retryLater(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.vacancy(), this.options.ttlSeconds * 1000);
    this.retryTimer.unref();
  }

  private report(error: unknown): void {
    const failure = asRegistryError(error);
    this.options.onError?.(failure);
  }
}
