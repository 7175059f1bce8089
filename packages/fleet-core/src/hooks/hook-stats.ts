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

/** Counters per (plugin, hook); plain numbers so the hot path only increments. */
export class HookStatsRecorder {
  private readonly slots: { plugin: string; hook: HookName; calls: number; sampledCalls: number; sampledSeconds: number; sampled: boolean }[] = [];

  /** A slot for one tap; returns its index for `count`/`record`. */
  slot(plugin: string, hook: HookName, sampled: boolean): number {
    this.slots.push({ plugin, hook, calls: 0, sampledCalls: 0, sampledSeconds: 0, sampled });
    return this.slots.length - 1;
  }

  /** Counts a call; true when this call should be timed. */
  count(slot: number): boolean {
    const entry = this.slots[slot];
    if (entry === undefined) return false;
    entry.calls++;
    return !entry.sampled || entry.calls % SAMPLE_EVERY === 1;
  }

  record(slot: number, seconds: number): void {
    const entry = this.slots[slot];
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
