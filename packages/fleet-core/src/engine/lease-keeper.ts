import { asRegistryError, ErrorCodes, FleetError, isFleetError } from '../errors.js';
import type { LeaseId, Registry } from '../registry/types.js';

export interface LeaseKeeperOptions {
  /** Called once when the registry says the lease is gone (expired or revoked). */
  readonly onLost: (error: FleetError) => void;
  /** Told about keepalive failures that did not lose the lease (the registry is unreachable). */
  readonly onError?: (error: FleetError) => void;
  /**
   * Told after each successful keepalive, with the clock time the request was
   * sent: the registry refreshed the lease after that, so the lease lasts at
   * least its TTL from then.
   */
  readonly onRenewed?: (sentAt: number) => void;
  /** Pause after a failed keepalive before the next try. Default: the usual interval (a third of the TTL). */
  readonly retryMs?: number;
  /** Clock for `onRenewed` (ms, monotonic). Default `performance.now`. */
  readonly now?: () => number;
}

/**
 * Keeps a lease alive (a keepalive every third of its TTL) and declares it
 * lost only when the registry says so. While the registry is unreachable it
 * keeps trying: etcd refreshes every lease's TTL when it gets a leader again,
 * so a holder that gives up on its own would turn a short etcd outage into
 * lost machines and a leadership change. Writes that depend on the lease are
 * fenced on it, so holding on is safe.
 */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly registry: Registry,
    readonly lease: LeaseId,
    private readonly ttlSeconds: number,
    private readonly options: LeaseKeeperOptions,
  ) {
    this.schedule();
  }

  /** Stops keeping the lease alive; with `revoke`, deletes it (and its keys) now. */
  async stop(revoke: boolean): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (revoke) await this.registry.revokeLease(this.lease).catch(() => undefined);
  }

  private schedule(delayMs = (this.ttlSeconds * 1000) / 3): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.beat(), delayMs);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    const sentAt = (this.options.now ?? performance.now.bind(performance))();
    try {
      await this.registry.keepAlive(this.lease);
    } catch (error) {
      if (this.stopped) return;
      const failure = asRegistryError(error);
      if (isFleetError(failure, ErrorCodes.REGISTRY_LEASE_NOT_FOUND)) {
        this.stopped = true;
        this.options.onLost(failure);
        return;
      }
      this.options.onError?.(failure);
      this.schedule(this.options.retryMs);
      return;
    }
    if (this.stopped) return;
    this.options.onRenewed?.(sentAt);
    this.schedule();
  }
}
