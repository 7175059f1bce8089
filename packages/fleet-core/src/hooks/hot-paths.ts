import { compileFilterRun, compileNarrowRun, compileScoreRun } from './compile.js';
import type { FilterRun, NarrowRun, ScoreRun } from './compile.js';
import type { TapFunction } from './spec.js';
import type { CompiledHooks, CompiledTap } from './taps.js';

/** The filter taps one decision calls, in call order: every tap but those of plugins that promised to pass everywhere. */
export interface FilterPlan {
  readonly taps: readonly CompiledTap<TapFunction<'filter'>>[];
  /** Per planned tap, its position among all filter taps (`HotPaths.filterTaps`). */
  readonly positions: readonly number[];
  /** The taps as one compiled function. */
  readonly run: FilterRun;
}

/**
 * A host's hot loops (narrow, score, a filter plan per set of plugins left
 * out), compiled once when the host is assembled and shared by every runner
 * of the host: one process runs one host, so each compiled call site sees
 * one function, which the JIT may inline into the scheduler's loop.
 */
export class HotPaths {
  /** Every filter tap, in call order. */
  readonly filterTaps: readonly CompiledTap<TapFunction<'filter'>>[];
  /** Plugin indexes that have a score tap, ascending. */
  readonly scoredPlugins: readonly number[];
  /** Every filter, for re-checking a placement: promises made while placing do not excuse a filter there. */
  readonly everyFilter: FilterPlan;
  readonly score: ScoreRun;
  readonly narrow: NarrowRun;
  /** Plans by the bit mask of the plugins they leave out. */
  private readonly plans = new Map<number, FilterPlan>();
  /** Plans of hosts past 31 plugins, where a mask no longer fits: by the sorted list of the plugins left out. */
  private readonly widePlans = new Map<string, FilterPlan>();

  constructor(taps: CompiledHooks) {
    this.filterTaps = taps.filter as readonly CompiledTap<TapFunction<'filter'>>[];
    this.everyFilter = this.planOf(this.filterTaps.map((_, position) => position));
    const seen = new Set<number>();
    // A plugin's first score tap sets its points, a second one adds to them.
    const firstOfPlugin = Uint8Array.from(taps.score, (tap) => {
      const first = !seen.has(tap.pluginIndex);
      seen.add(tap.pluginIndex);
      return first ? 1 : 0;
    });
    this.scoredPlugins = Object.freeze([...seen].sort((a, b) => a - b));
    this.score = compileScoreRun(taps.score, firstOfPlugin);
    this.narrow = compileNarrowRun(taps.narrow);
  }

  /**
   * The filters one decision calls: all of them but those of `passing`
   * plugins (which promised to pass everywhere) and of `also`, when given.
   * Cached per set of plugins left out, keyed by a bit mask: it is asked once
   * per decision, and per machine in explanations.
   */
  filterPlan(passing: readonly number[], also = -1): FilterPlan {
    if (passing.length === 0 && also < 0) return this.everyFilter;
    let mask = 0;
    for (let i = -1; i < passing.length; i++) {
      const plugin = i < 0 ? also : (passing[i] as number);
      if (plugin < 0) continue;
      if (plugin > 30) return this.widePlan(passing, also);
      mask |= 1 << plugin;
    }
    let plan = this.plans.get(mask);
    if (plan === undefined) {
      // `1 << index` wraps past 31: a host's later plugins are never in a mask.
      plan = this.planWithout((index) => index <= 30 && (mask & (1 << index)) !== 0);
      this.plans.set(mask, plan);
    }
    return plan;
  }

  /** filterPlan past 31 plugins: cached as well, since compiling a plan per decision would cost more than the mask saves. */
  private widePlan(passing: readonly number[], also: number): FilterPlan {
    const leftOut = [...new Set(also < 0 ? passing : [...passing, also])].sort((a, b) => a - b);
    const key = leftOut.join(',');
    let plan = this.widePlans.get(key);
    if (plan === undefined) {
      const set = new Set(leftOut);
      plan = this.planWithout((index) => set.has(index));
      this.widePlans.set(key, plan);
    }
    return plan;
  }

  private planWithout(isLeftOut: (pluginIndex: number) => boolean): FilterPlan {
    return this.planOf(this.everyFilter.positions.filter((position) => !isLeftOut((this.filterTaps[position] as CompiledTap).pluginIndex)));
  }

  private planOf(positions: readonly number[]): FilterPlan {
    const taps = positions.map((position) => this.filterTaps[position] as CompiledTap<TapFunction<'filter'>>);
    return Object.freeze({ taps, positions, run: compileFilterRun(taps) });
  }
}
