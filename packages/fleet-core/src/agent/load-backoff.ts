/** The first pause after a failed load; it doubles with each failure of the same unit version. */
export const LOAD_RETRY_FIRST_MS = 5_000;
/** The longest pause between two loads of a unit version that keeps failing. */
export const LOAD_RETRY_MAX_MS = 5 * 60_000;

/** One unit version whose load failed, and when the agent may try it again. */
export interface LoadFailure {
  readonly hash: string;
  /** Failed loads of this version in a row. */
  readonly attempts: number;
  /** What the driver said, last time. */
  readonly reason: string;
  /** Clock time (ms) from which the next load may run. */
  readonly retryAt: number;
  /** The pause before that next load. */
  readonly delayMs: number;
}

/** The pause after `attempts` failed loads in a row: 5 s, 10 s, 20 s, ... at most 5 min. */
export function loadRetryDelay(attempts: number): number {
  return Math.min(LOAD_RETRY_MAX_MS, LOAD_RETRY_FIRST_MS * 2 ** Math.max(0, attempts - 1));
}

/** The message a unit's published state carries while its load keeps failing. */
export function loadFailureMessage(failure: LoadFailure): string {
  const attempt = failure.attempts === 1 ? 'first attempt' : `attempt ${failure.attempts}`;
  return `load failed: ${failure.reason} (${attempt}; next in ${Math.round(failure.delayMs / 1000)} s)`;
}

/**
 * Loads that failed, per unit: a unit whose file cannot be installed (a name
 * too long for the file system, a full disk) is tried again with exponential
 * back-off instead of every round, so a broken unit costs little and its
 * state can say why. A new version of the unit (another hash) or a load that
 * succeeds starts over. Pure bookkeeping: the caller passes the clock's time.
 */
export class LoadBackoff {
  private readonly failures = new Map<string, LoadFailure>();

  get(name: string): LoadFailure | undefined {
    return this.failures.get(name);
  }

  /** Whether loading this version of the unit is due (never failed, another version failed, or its pause is over). */
  due(name: string, hash: string, now: number): boolean {
    const failure = this.failures.get(name);
    return failure === undefined || failure.hash !== hash || now >= failure.retryAt;
  }

  /** Records a failed load and returns it, with the pause before the next attempt. */
  failed(name: string, hash: string, reason: string, now: number): LoadFailure {
    const previous = this.failures.get(name);
    const attempts = previous?.hash === hash ? previous.attempts + 1 : 1;
    const delayMs = loadRetryDelay(attempts);
    const failure = Object.freeze({ hash, attempts, reason, retryAt: now + delayMs, delayMs });
    this.failures.set(name, failure);
    return failure;
  }

  /** The unit loaded: its failures are over. */
  succeeded(name: string): void {
    this.failures.delete(name);
  }

  /**
   * Forgets failures of units no longer wanted in that version (unplaced,
   * replaced) and returns their names, so their failure states can be withdrawn.
   */
  prune(wanted: ReadonlyMap<string, { readonly hash: string }>): string[] {
    const gone: string[] = [];
    for (const [name, failure] of this.failures) {
      if (wanted.get(name)?.hash === failure.hash) continue;
      this.failures.delete(name);
      gone.push(name);
    }
    return gone;
  }
}
