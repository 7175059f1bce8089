import type { IncomingHttpHeaders } from 'node:http';
import type { WireUnit } from './wire.js';

/**
 * fleet's generated Go client (fleetctl and fleet's `client` package) names
 * itself so in every request (google-api-go-client's `googleapi.UserAgent`).
 */
const FLEET_GO_CLIENT = /^google-api-go-client\//;

export function isFleetGoClient(headers: IncomingHttpHeaders): boolean {
  return FLEET_GO_CLIENT.test(headers['user-agent'] ?? '');
}

/**
 * How long a unit fleet's client stopped still reads `launched` to that
 * client: fleet's agent learnt of a desired-state change no sooner than 1 s
 * after it was written (its etcd watch loop slept a second after each event,
 * registry/event.go), and the unit stayed `launched` until the agent had
 * stopped it and cleared its heartbeat.
 */
export const FLEET_STATE_LAG_MS = 1000;

/**
 * How long a PUT of fleet's client that lowers a launched unit to `loaded`
 * waits for the unit to stop before it answers (then it answers anyway).
 */
export const FLEET_STOP_WAIT_MS = 5000;
const STOP_POLL_MS = 50;

/**
 * fleet's `fleetctl restart` of a launched unit sets `loaded`, then waits
 * for the current state `launched` (fleetctl/restart.go waits for launched
 * after both steps), polling every 250 ms, before it sets `launched`. Against
 * fleet that worked only because the first poll came before fleet's agent
 * reacted; fleetd's agent stops the unit within milliseconds, so that client
 * waited forever. For requests of fleet's client only, a unit that client
 * lowered from `launched` to `loaded` keeps reading `launched` for
 * FLEET_STATE_LAG_MS, or until the client sets its desired state again:
 * fleet's lag, no more. The PUT that lowered it answers only once the unit
 * has stopped (`untilStopped`), so the hold starts after a real stop: were it
 * to start at the PUT, the client could set `launched` again before the agent
 * saw `loaded`, and nothing would restart. fleetd's own fleetctl and other
 * clients always see the state as it is.
 */
export class FleetClientLag {
  /** Unit name → until when (ms) it reads launched to fleet's client. */
  private readonly held = new Map<string, number>();

  constructor(
    private readonly lagMs = FLEET_STATE_LAG_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a PUT of `desiredState` needs the unit as it was before (only then is it read). */
  needsBefore(desiredState: string | undefined): boolean {
    return desiredState === 'loaded';
  }

  /** Whether fleet's client setting `desiredState` on a unit served as `before` lowers a running unit (a hold follows). */
  lowersRunning(desiredState: string | undefined, before: WireUnit | undefined): boolean {
    return desiredState === 'loaded' && before?.currentState === 'launched';
  }

  /** After fleet's client set a unit's desired state (and, when it lowered a running unit, after it stopped); `before` is the unit as served just before. */
  recordPut(name: string, desiredState: string | undefined, before: WireUnit | undefined): void {
    this.sweep();
    if (this.lowersRunning(desiredState, before)) this.held.set(name, this.now() + this.lagMs);
    else this.held.delete(name);
  }

  /** The unit as fleet's client reads it. */
  view(unit: WireUnit): WireUnit {
    const until = this.held.get(unit.name);
    if (until === undefined) return unit;
    // Only while the unit is still meant to be loaded: any other desired state (another client's change) ends the hold.
    if (this.now() >= until || unit.desiredState !== 'loaded') {
      this.held.delete(unit.name);
      return unit;
    }
    return unit.currentState === 'launched' ? unit : { ...unit, currentState: 'launched' };
  }

  /** Holds nobody read before they ran out; the map stays as small as the units fleet's client stopped in the last second. */
  private sweep(): void {
    const now = this.now();
    for (const [name, until] of this.held) if (now >= until) this.held.delete(name);
  }
}

/**
 * Waits until a unit fleet's client lowered to `loaded` no longer runs (or no
 * longer exists, or is no longer meant to be loaded), reading it with `read`,
 * for at most `waitMs`.
 */
export async function untilStopped(read: () => Promise<WireUnit | undefined>, waitMs = FLEET_STOP_WAIT_MS, now: () => number = Date.now): Promise<void> {
  const deadline = now() + waitMs;
  for (;;) {
    const unit = await read();
    if (unit === undefined || unit.desiredState !== 'loaded' || unit.currentState !== 'launched' || now() >= deadline) return;
    await new Promise((resolve) => setTimeout(resolve, STOP_POLL_MS));
  }
}
