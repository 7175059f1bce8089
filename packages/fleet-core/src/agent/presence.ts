import { ErrorCodes, FleetError } from '../errors.js';
import type { Machine } from '../model/machine.js';
import { createMachine } from '../model/machine.js';
import type { Registry } from '../registry/types.js';
import { LeaseKeeper } from '../engine/lease-keeper.js';
import { encodeMachine } from '../store/codec.js';
import { KeyLayout } from '../store/layout.js';

export interface PresenceOptions {
  readonly registry: Registry;
  readonly machine: Machine;
  readonly keyPrefix?: string;
  /** How long the machine stays listed after its agent stops renewing (fleet's agent TTL). Default 30 s. */
  readonly ttlSeconds?: number;
  /** The presence lease is gone (expired while the registry was unreachable, or revoked): announce again. */
  readonly onLost?: (error: FleetError) => void;
  readonly onError?: (error: FleetError) => void;
}

/**
 * A machine's presence: its key under machines/, attached to a lease the
 * agent keeps alive. When the agent dies the key expires after the TTL and
 * the engine moves the machine's units. A second fleetd announcing the same
 * machine ID is refused while the first one's key exists.
 */
export class MachinePresence {
  private constructor(
    private readonly registry: Registry,
    private readonly layout: KeyLayout,
    private machine: Machine,
    private readonly keeper: LeaseKeeper,
  ) {}

  static async announce(options: PresenceOptions): Promise<MachinePresence> {
    const machine = createMachine(options.machine);
    const layout = new KeyLayout(options.keyPrefix);
    const ttl = options.ttlSeconds ?? 30;
    const lease = await options.registry.grantLease(ttl);
    const key = layout.machine(machine.id);
    const result = await options.registry.txn({
      compare: [{ key, target: 'createRevision', op: '==', value: 0 }],
      success: [{ type: 'put', key, value: encodeMachine(machine), lease }],
      failure: [{ type: 'get', key }],
    });
    if (!result.succeeded) {
      await options.registry.revokeLease(lease).catch(() => undefined);
      throw new FleetError(
        ErrorCodes.MACHINE_ID_TAKEN,
        `machine ID ${machine.id} is already announced by another fleetd; give this machine another ID (/etc/machine-id or the machineId option), or stop the other one`,
      );
    }
    const keeper = new LeaseKeeper(options.registry, lease, ttl, {
      onLost: (error) => options.onLost?.(error),
      ...(options.onError === undefined ? {} : { onError: options.onError }),
    });
    return new MachinePresence(options.registry, layout, machine, keeper);
  }

  get id(): string {
    return this.machine.id;
  }

  /** Publishes changed metadata (or address) under the same lease. */
  async update(machine: Machine): Promise<void> {
    const next = createMachine(machine);
    if (next.id !== this.machine.id) {
      throw new FleetError(ErrorCodes.MACHINE_INVALID, `machine ${this.machine.id} cannot change its ID to ${next.id}`);
    }
    await this.registry.put(this.layout.machine(next.id), encodeMachine(next), { lease: this.keeper.lease });
    this.machine = next;
  }

  /** Leaves the cluster now (the key is deleted with the lease). */
  async withdraw(): Promise<void> {
    await this.keeper.stop(true);
  }

  /** Stops renewing without deleting: the machine disappears after the TTL, as if its agent had died. */
  async abandon(): Promise<void> {
    await this.keeper.stop(false);
  }
}
