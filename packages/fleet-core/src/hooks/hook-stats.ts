import type { HookName } from './spec.js';

/** Time spent in one plugin's taps on one hook. */
export interface HookStat {
  readonly plugin: string;
  readonly hook: HookName;
  /** Calls made (exact). */
  readonly calls: number;
  /** Seconds spent: exact for most hooks; for filter, score, narrow and resolveUnit estimated from one call in `SAMPLE_EVERY`. */
  readonly seconds: number;
}

/**
 * One call in this many of a hot synchronous tap (filter, score, narrow, resolveUnit) is
 * timed: those run millions of times per round, and timing every call would
 * cost more than most filters do.
 */
export const SAMPLE_EVERY = 64;

/**
 * One tap's counters. Runners hold it directly (no lookup). Hot taps
 * (filter, score, narrow, resolveUnit) increment `calls` and time only the call on which
 * `countdown` reaches 0, one in SAMPLE_EVERY; every other tap times each call.
 */
export interface HookStatSlot {
  readonly plugin: string;
  readonly hook: HookName;
  calls: number;
  countdown: number;
  timedCalls: number;
  timedSeconds: number;
}

/** Adds one timed call to a slot. */
export function recordSeconds(slot: HookStatSlot, seconds: number): void {
  slot.timedCalls++;
  slot.timedSeconds += seconds;
}

/** Counters per (plugin, hook); plain numbers so the hot path only increments. */
export class HookStatsRecorder {
  private readonly slots: HookStatSlot[] = [];

  /** A new tap's slot. */
  slot(plugin: string, hook: HookName): HookStatSlot {
    const slot: HookStatSlot = { plugin, hook, calls: 0, countdown: 1, timedCalls: 0, timedSeconds: 0 };
    this.slots.push(slot);
    return slot;
  }

  /** Totals per (plugin, hook), several taps of one plugin on one hook summed; untimed calls are estimated from the timed ones. */
  snapshot(): HookStat[] {
    const totals = new Map<string, { plugin: string; hook: HookName; calls: number; seconds: number }>();
    for (const entry of this.slots) {
      const seconds = entry.timedCalls === 0 ? 0 : (entry.timedSeconds / entry.timedCalls) * entry.calls;
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
