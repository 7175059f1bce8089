import { describeThrown, ErrorCodes, FleetError, isFleetError } from '../errors.js';
import type { LeaseId, Registry } from '../registry/types.js';

export interface LeaseKeeperOptions {
  /** Called once when the lease is gone for sure (expired, revoked) or unconfirmed for a whole TTL. */
  readonly onLost: (error: FleetError) => void;
  /** Told about keepalive failures that did not lose the lease (yet). */
  readonly onError?: (error: FleetError) => void;
}

/**
 * Keeps a lease alive (a keepalive every third of its TTL) and declares it
 * lost when the registry says so, or when no keepalive succeeded for a whole
 * TTL: by then the registry may have expired it, so the holder must stop
 * acting on it (self-fencing).
 */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | undefined;
  private lastConfirmed = Date.now();
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

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.beat(), (this.ttlSeconds * 1000) / 3);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    try {
      await this.registry.keepAlive(this.lease);
      this.lastConfirmed = Date.now();
    } catch (error) {
      if (this.stopped) return;
      const failure = isFleetError(error) ? error : new FleetError(ErrorCodes.REGISTRY_UNAVAILABLE, describeThrown(error), { cause: error });
      if (isFleetError(failure, ErrorCodes.REGISTRY_LEASE_NOT_FOUND) || Date.now() - this.lastConfirmed >= this.ttlSeconds * 1000) {
        this.stopped = true;
        this.options.onLost(failure);
        return;
      }
      this.options.onError?.(failure);
    }
    this.schedule();
  }
}
