import type { HookName } from './hooks.js';

/** Time spent in one plugin's taps on one hook. */
export interface HookStat {
  readonly plugin: string;
  readonly hook: HookName;
  /** Calls made (exact). */
  readonly calls: number;
  /** Seconds spent: exact for async hooks; for filter/score/narrow estimated from one call in `SAMPLE_EVERY`. */
  readonly seconds: number;
}

/**
 * One call in this many of a hot synchronous tap (filter, score, narrow) is
 * timed: those run millions of times per round, and timing every call would
 * cost more than most filters do.
 */
export const SAMPLE_EVERY = 64;

/**
 * One tap's counters. Hot wrappers hold it directly (no lookup) and only
 * increment `calls`; `countdown` reaches 0 on the calls to time.
 */
export interface HookStatSlot {
  readonly plugin: string;
  readonly hook: HookName;
  readonly sampled: boolean;
  calls: number;
  countdown: number;
  sampledCalls: number;
  sampledSeconds: number;
}

/** Counters per (plugin, hook); plain numbers so the hot path only increments. */
export class HookStatsRecorder {
  private readonly slots: HookStatSlot[] = [];

  /** A slot for one tap; returns its index for `count`/`record`. */
  slot(plugin: string, hook: HookName, sampled: boolean): number {
    this.slots.push(this.newSlot(plugin, hook, sampled));
    return this.slots.length - 1;
  }

  /**
   * A slot for a hot tap, handed over as the object itself. Its wrapper does
   * `slot.calls++` and, when `--slot.countdown === 0`, resets it to
   * SAMPLE_EVERY and times the call (`record`): the first call of every
   * SAMPLE_EVERY is timed, as with `count`.
   */
  sampledSlot(plugin: string, hook: HookName): HookStatSlot {
    const slot = this.newSlot(plugin, hook, true);
    this.slots.push(slot);
    return slot;
  }

  private newSlot(plugin: string, hook: HookName, sampled: boolean): HookStatSlot {
    return { plugin, hook, sampled, calls: 0, countdown: 1, sampledCalls: 0, sampledSeconds: 0 };
  }

  /** Counts a call; true when this call should be timed. */
  count(slot: number): boolean {
    const entry = this.slots[slot];
    if (entry === undefined) return false;
    entry.calls++;
    return !entry.sampled || entry.calls % SAMPLE_EVERY === 1;
  }

  record(slot: number | HookStatSlot, seconds: number): void {
    const entry = typeof slot === 'number' ? this.slots[slot] : slot;
    if (entry === undefined) return;
    entry.sampledCalls++;
    entry.sampledSeconds += seconds;
  }

  /** Totals per (plugin, hook), several taps of one plugin on one hook summed. */
  snapshot(): HookStat[] {
    const totals = new Map<string, { plugin: string; hook: HookName; calls: number; seconds: number }>();
    for (const entry of this.slots) {
      const seconds = entry.sampledCalls === 0 ? 0 : (entry.sampledSeconds / entry.sampledCalls) * entry.calls;
      const key = `${entry.plugin}\0${entry.hook}`;
      const total = totals.get(key);
      if (total === undefined) totals.set(key, { plugin: entry.plugin, hook: entry.hook, calls: entry.calls, seconds });
      else {
        total.calls += entry.calls;
        total.seconds += seconds;
      }
    }
    return [...totals.values()];
  }
}
