import { asRegistryError, ErrorCodes, FleetError, isFleetError } from '../errors.js';
import type { Machine } from '../model/machine.js';
import { createMachine } from '../model/machine.js';
import type { LeaseId, Registry } from '../registry/types.js';
import { LeaseKeeper } from '../engine/lease-keeper.js';
import { encodeMachine } from '../store/codec.js';
import { KeyLayout } from '../store/layout.js';

export interface PresenceOptions {
  readonly registry: Registry;
  readonly machine: Machine;
  readonly keyPrefix?: string;
  /** How long the machine stays listed after its agent stops renewing (fleet's agent TTL). Default 30 s. */
  readonly ttlSeconds?: number;
  /**
   * The lease this machine's previous fleetd held (`presence.lease` persisted
   * across a restart): if the presence key is still attached to it, the new
   * process takes it over instead of being refused as a second daemon, and
   * the machine never leaves the cluster.
   */
  readonly resumeLease?: LeaseId | undefined;
  /** Pause between attempts to announce again after the lease was lost. Default 1 s. */
  readonly retryDelayMs?: number;
  /** The machine ID was taken by another fleetd while this one was away: presence has stopped. */
  readonly onLost?: (error: FleetError) => void;
  /** Keepalive or re-announce failures that presence is riding out. */
  readonly onError?: (error: FleetError) => void;
  /**
   * The machine was announced again under a new lease after its lease was
   * lost: persist it as the one to resume, or a restarted fleetd finds the
   * key under a lease it does not know and is refused (MACHINE_ID_TAKEN).
   */
  readonly onAnnounced?: (lease: LeaseId) => void;
  /**
   * Told when the presence becomes unrenewable (a keepalive failed, or the
   * lease was lost) and when it is renewed again, with the clock time of the
   * last successful renewal (when its request was sent).
   */
  readonly onContact?: (contact: PresenceContact) => void;
  /** Pause between keepalive attempts after one failed. Default 1 s (at most the usual interval). */
  readonly keepAliveRetryMs?: number;
  /** Clock (ms, monotonic) for the renewal times. Default `performance.now`. */
  readonly now?: () => number;
}

/** Whether this machine's presence is being renewed, and when it last was. */
export interface PresenceContact {
  readonly renewing: boolean;
  /** Clock time the last successful renewal (or announcement) was sent: the key lives at least its TTL from then. */
  readonly renewedAt: number;
}

/**
 * A machine's presence: its key under machines/, attached to a lease the
 * agent keeps alive. When the agent dies the key expires after the TTL and
 * the engine moves the machine's units. A second fleetd announcing the same
 * machine ID is refused while the first one's key exists. If the lease is
 * lost anyway (the registry was unreachable past the TTL), presence announces
 * the machine again as soon as it can.
 */
export class MachinePresence {
  private keeper: LeaseKeeper | undefined;
  private stopped = false;
  private readonly key: string;
  private renewing = true;
  private renewedAt: number;
  private errorToldAt = Number.NEGATIVE_INFINITY;

  private constructor(
    private readonly options: PresenceOptions,
    private machine: Machine,
  ) {
    this.key = new KeyLayout(options.keyPrefix).machine(machine.id);
    this.renewedAt = this.now();
  }

  /** Announces the machine; rejects with MACHINE_ID_TAKEN when another fleetd holds the ID. */
  static async announce(options: PresenceOptions): Promise<MachinePresence> {
    const presence = new MachinePresence(options, createMachine(options.machine));
    if (!(await presence.resume())) await presence.claim();
    return presence;
  }

  get id(): string {
    return this.machine.id;
  }

  /** The lease the presence key is attached to (persist it to resume after a restart). */
  get lease(): LeaseId | undefined {
    return this.keeper?.lease;
  }

  /** Publishes changed metadata (or address) under the same lease. */
  async update(machine: Machine): Promise<void> {
    const next = createMachine(machine);
    if (next.id !== this.machine.id) {
      throw new FleetError(ErrorCodes.MACHINE_INVALID, `machine ${this.machine.id} cannot change its ID to ${next.id}`);
    }
    const lease = this.keeper?.lease;
    await this.options.registry.put(this.key, encodeMachine(next), lease === undefined ? {} : { lease });
    this.machine = next;
  }

  /** Leaves the cluster now (the key is deleted with the lease). */
  async withdraw(): Promise<void> {
    this.stopped = true;
    await this.keeper?.stop(true);
  }

  /** Stops renewing without deleting: the machine disappears after the TTL, as if its agent had died. */
  async abandon(): Promise<void> {
    this.stopped = true;
    await this.keeper?.stop(false);
  }

  /** Whether the presence is being renewed, and when it last was. */
  get contact(): PresenceContact {
    return { renewing: this.renewing, renewedAt: this.renewedAt };
  }

  private get ttl(): number {
    return this.options.ttlSeconds ?? 30;
  }

  private now(): number {
    return (this.options.now ?? performance.now.bind(performance))();
  }

  private renewed(sentAt: number): void {
    this.renewedAt = Math.max(this.renewedAt, sentAt);
    if (this.renewing) return;
    this.renewing = true;
    this.errorToldAt = Number.NEGATIVE_INFINITY;
    this.options.onContact?.(this.contact);
  }

  private cutOff(): void {
    if (!this.renewing || this.stopped) return;
    this.renewing = false;
    this.options.onContact?.(this.contact);
  }

  /** Takes over the key of this machine's previous process, if it is still attached to that process's lease. */
  private async resume(): Promise<boolean> {
    const { registry, resumeLease } = this.options;
    if (resumeLease === undefined) return false;
    const current = await registry.get(this.key);
    if (current?.lease !== resumeLease) return false;
    const sentAt = this.now();
    try {
      await registry.keepAlive(resumeLease);
      const result = await registry.txn({
        compare: [{ key: this.key, target: 'modRevision', op: '==', value: current.modRevision }],
        success: [{ type: 'put', key: this.key, value: encodeMachine(this.machine), lease: resumeLease }],
      });
      if (!result.succeeded) return false;
    } catch (error) {
      if (isFleetError(error, ErrorCodes.REGISTRY_LEASE_NOT_FOUND)) return false;
      throw error;
    }
    this.renewedAt = sentAt;
    this.startKeeper(resumeLease);
    return true;
  }

  private async claim(): Promise<void> {
    const { registry } = this.options;
    const sentAt = this.now();
    const lease = await registry.grantLease(this.ttl);
    const result = await registry.txn({
      compare: [{ key: this.key, target: 'createRevision', op: '==', value: 0 }],
      success: [{ type: 'put', key: this.key, value: encodeMachine(this.machine), lease }],
    });
    if (!result.succeeded) {
      await registry.revokeLease(lease).catch(() => undefined);
      throw new FleetError(
        ErrorCodes.MACHINE_ID_TAKEN,
        `machine ID ${this.machine.id} is already announced by another fleetd; give this machine another ID (/etc/machine-id or the machineId option), or stop the other one`,
      );
    }
    this.startKeeper(lease);
    this.renewed(sentAt);
  }

  private startKeeper(lease: LeaseId): void {
    const interval = (this.ttl * 1000) / 3;
    this.keeper = new LeaseKeeper(this.options.registry, lease, this.ttl, {
      onLost: (error) => {
        this.cutOff();
        void this.recover(error);
      },
      onError: (error) => {
        this.cutOff();
        // Retried every second while failing, but told no more often than before (once per interval).
        const now = this.now();
        if (now - this.errorToldAt < interval) return;
        this.errorToldAt = now;
        this.options.onError?.(error);
      },
      onRenewed: (sentAt) => this.renewed(sentAt),
      // Retried sooner than the usual interval while failing: being back is noticed within a second.
      retryMs: Math.min(interval, this.options.keepAliveRetryMs ?? 1000),
      now: () => this.now(),
    });
  }

  private async recover(lost: FleetError): Promise<void> {
    this.options.onError?.(lost);
    while (!this.stopped) {
      try {
        await this.claim();
        if (this.keeper !== undefined) this.options.onAnnounced?.(this.keeper.lease);
        return;
      } catch (error) {
        if (isFleetError(error, ErrorCodes.MACHINE_ID_TAKEN)) {
          this.stopped = true;
          this.options.onLost?.(error);
          return;
        }
        this.options.onError?.(asRegistryError(error));
        await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 1000).unref());
      }
    }
  }
}
