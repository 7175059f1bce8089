/** Units past their disconnect grace, and when the next one's runs out. */
export interface DisconnectVerdict {
  /** Units whose grace ran out, by name order. */
  readonly due: readonly string[];
  /** Clock time the earliest grace still running runs out; undefined when none is. */
  readonly nextAt: number | undefined;
}

/**
 * Which units must stop because their agent has not renewed its presence
 * since `renewedAt`: a unit may run for its grace after that renewal. The
 * anchor is when the last successful renewal was sent, so the machine's
 * presence lives at least its TTL after it: a grace shorter than the TTL
 * stops the unit before the engine can see the machine gone and place the
 * unit elsewhere. Pure.
 */
export function disconnectVerdict(graces: ReadonlyMap<string, number>, renewedAt: number, now: number): DisconnectVerdict {
  const due: string[] = [];
  let nextAt: number | undefined;
  for (const [unit, grace] of graces) {
    const deadline = renewedAt + grace;
    if (now >= deadline) due.push(unit);
    else if (nextAt === undefined || deadline < nextAt) nextAt = deadline;
  }
  return { due: due.sort(), nextAt };
}

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** A unit stopped because its agent was cut off. */
export interface HeldUnit {
  readonly unit: string;
  readonly graceMs: number;
}

export interface DisconnectStopsOptions {
  /** Clock (ms, monotonic), the presence's own. */
  readonly now: () => number;
  /** The grace of each unit this machine runs launched, for those that have one (the disconnectGrace hook). */
  readonly graces: () => ReadonlyMap<string, number>;
  /** Units whose grace just ran out: the owner stops them (its next round keeps them loaded, not started). */
  readonly onHeld: (units: readonly HeldUnit[], cutOffMs: number) => void;
  /** The presence was renewed again: these units may run again (or be unloaded) as the registry says. */
  readonly onReleased: (units: readonly string[]) => void;
}

/**
 * Nomad's `stop_after_client_disconnect` for one agent: while the presence
 * cannot be renewed, each unit with a grace is held stopped once that grace
 * (counted from the last successful renewal) has run out; when the presence
 * is renewed again, every held unit is released together. Without a grace a
 * unit is never held, so by default an etcd-wide outage stops nothing.
 */
export class DisconnectStops {
  private renewedAt: number | undefined;
  private readonly held = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: DisconnectStopsOptions) {}

  /** How many units are held stopped right now. */
  get heldCount(): number {
    return this.held.size;
  }

  isHeld(unit: string): boolean {
    return this.held.has(unit);
  }

  /** The presence could not be renewed; it last was at `renewedAt`. */
  cutOff(renewedAt: number): void {
    this.renewedAt = renewedAt;
    this.check();
  }

  /** The presence was renewed: release every held unit. */
  renewed(): void {
    this.renewedAt = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.held.size === 0) return;
    const released = [...this.held.keys()].sort();
    this.held.clear();
    this.options.onReleased(released);
  }

  /** Holds the units whose grace ran out and waits for the next; also after the units changed while cut off. */
  check(): void {
    const renewedAt = this.renewedAt;
    if (renewedAt === undefined) return;
    clearTimeout(this.timer);
    const graces = this.options.graces();
    const now = this.options.now();
    const verdict = disconnectVerdict(graces, renewedAt, now);
    const newly = verdict.due.filter((unit) => !this.held.has(unit)).map((unit) => ({ unit, graceMs: graces.get(unit) as number }));
    for (const { unit, graceMs } of newly) this.held.set(unit, graceMs);
    if (newly.length > 0) this.options.onHeld(newly, now - renewedAt);
    if (verdict.nextAt === undefined) return;
    // Node fires a timeout longer than 2^31-1 ms at once; a longer grace is checked again when that runs out.
    this.timer = setTimeout(() => this.check(), Math.min(MAX_TIMEOUT_MS, Math.max(0, verdict.nextAt - now)));
    this.timer.unref();
  }

  stop(): void {
    this.renewedAt = undefined;
    clearTimeout(this.timer);
  }
}
