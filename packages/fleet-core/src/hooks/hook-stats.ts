import type { HookName } from './spec.js';

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
 * One tap's counters. Runners hold it directly (no lookup); on hot hooks they
 * only increment `calls`, and `countdown` reaches 0 on the calls to time.
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

  /**
   * A slot for a hot tap (filter, score, narrow). Its caller does
   * `slot.calls++` and, when `--slot.countdown === 0`, resets it to
   * SAMPLE_EVERY and times the call (`record`): the first call of every
   * SAMPLE_EVERY is timed.
   */
  sampledSlot(plugin: string, hook: HookName): HookStatSlot {
    return this.add(plugin, hook, true);
  }

  /** A slot for a tap whose every call is counted and timed (async hooks, validation, observers). */
  exactSlot(plugin: string, hook: HookName): HookStatSlot {
    return this.add(plugin, hook, false);
  }

  record(slot: HookStatSlot, seconds: number): void {
    slot.sampledCalls++;
    slot.sampledSeconds += seconds;
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

  private add(plugin: string, hook: HookName, sampled: boolean): HookStatSlot {
    const slot: HookStatSlot = { plugin, hook, sampled, calls: 0, countdown: 1, sampledCalls: 0, sampledSeconds: 0 };
    this.slots.push(slot);
    return slot;
  }
}
