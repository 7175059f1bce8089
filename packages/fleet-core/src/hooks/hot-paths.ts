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

/** The score taps one decision calls: every tap but those of plugins that promised to score nothing. */
export interface ScorePlan {
  /** The planned taps, in call order. */
  readonly taps: readonly CompiledTap<TapFunction<'score'>>[];
  /** The taps as one compiled function; the left-out plugins' points are set to 0. */
  readonly run: ScoreRun;
}

/**
 * Plans cached by the set of plugins they leave out: they are asked once per
 * decision (and per machine in explanations), and compiling one costs more
 * than the decision. Keyed by a bit mask while every plugin left out fits in
 * one (indexes 0 to 30), else by the sorted list.
 */
class PlansByLeftOut<Plan> {
  private readonly byMask = new Map<number, Plan>();
  private readonly byList = new Map<string, Plan>();

  constructor(private readonly build: (isLeftOut: (pluginIndex: number) => boolean) => Plan) {}

  /** The plan leaving out `leftOut` and `also` (when not negative). */
  get(leftOut: readonly number[], also = -1): Plan {
    let mask = 0;
    for (let i = -1; i < leftOut.length; i++) {
      const plugin = i < 0 ? also : (leftOut[i] as number);
      if (plugin < 0) continue;
      if (plugin > 30) return this.wide(leftOut, also);
      mask |= 1 << plugin;
    }
    let plan = this.byMask.get(mask);
    if (plan === undefined) {
      // `1 << index` wraps past 31: a host's later plugins are never in a mask.
      plan = this.build((index) => index <= 30 && (mask & (1 << index)) !== 0);
      this.byMask.set(mask, plan);
    }
    return plan;
  }

  /** Past 31 plugins: cached as well, since building a plan per decision would cost more than the mask saves. */
  private wide(leftOut: readonly number[], also: number): Plan {
    const sorted = [...new Set(also < 0 ? leftOut : [...leftOut, also])].sort((a, b) => a - b);
    const key = sorted.join(',');
    let plan = this.byList.get(key);
    if (plan === undefined) {
      const set = new Set(sorted);
      plan = this.build((index) => set.has(index));
      this.byList.set(key, plan);
    }
    return plan;
  }
}

/**
 * A host's hot loops (narrow, a filter plan per set of plugins left out, a
 * score plan per set of plugins left out), compiled once when the host is
 * assembled and shared by every runner of the host: one process runs one
 * host, so each compiled call site sees one function, which the JIT may
 * inline into the scheduler's loop.
 */
export class HotPaths {
  /** Every filter tap, in call order. */
  readonly filterTaps: readonly CompiledTap<TapFunction<'filter'>>[];
  /** Every score tap, in call order. */
  readonly scoreTaps: readonly CompiledTap<TapFunction<'score'>>[];
  /** Plugin indexes that have a score tap, ascending. */
  readonly scoredPlugins: readonly number[];
  /** Every filter, for re-checking a placement: promises made while placing do not excuse a filter there. */
  readonly everyFilter: FilterPlan;
  /** Every score tap. */
  readonly everyScore: ScorePlan;
  /** `everyScore.run`. */
  readonly score: ScoreRun;
  readonly narrow: NarrowRun;
  private readonly filterPlans = new PlansByLeftOut<FilterPlan>((isLeftOut) =>
    this.planOf(this.everyFilter.positions.filter((position) => !isLeftOut((this.filterTaps[position] as CompiledTap).pluginIndex))),
  );
  private readonly scorePlans = new PlansByLeftOut<ScorePlan>((isLeftOut) => this.scorePlanOf(isLeftOut));

  constructor(taps: CompiledHooks) {
    this.filterTaps = taps.filter as readonly CompiledTap<TapFunction<'filter'>>[];
    this.scoreTaps = taps.score as readonly CompiledTap<TapFunction<'score'>>[];
    this.everyFilter = this.planOf(this.filterTaps.map((_, position) => position));
    this.scoredPlugins = Object.freeze([...new Set(this.scoreTaps.map((tap) => tap.pluginIndex))].sort((a, b) => a - b));
    this.everyScore = this.scorePlanOf(() => false);
    this.score = this.everyScore.run;
    this.narrow = compileNarrowRun(taps.narrow);
  }

  /**
   * The filters one decision calls: all of them but those of `passing`
   * plugins (which promised to pass everywhere) and of `also`, when given.
   */
  filterPlan(passing: readonly number[], also = -1): FilterPlan {
    if (passing.length === 0 && also < 0) return this.everyFilter;
    return this.filterPlans.get(passing, also);
  }

  /** The score taps one decision calls: all of them but those of `scoringNothing` plugins (which promised 0 points everywhere). */
  scorePlan(scoringNothing: readonly number[]): ScorePlan {
    return scoringNothing.length === 0 ? this.everyScore : this.scorePlans.get(scoringNothing);
  }

  private planOf(positions: readonly number[]): FilterPlan {
    const taps = positions.map((position) => this.filterTaps[position] as CompiledTap<TapFunction<'filter'>>);
    return Object.freeze({ taps, positions, run: compileFilterRun(taps) });
  }

  private scorePlanOf(isLeftOut: (pluginIndex: number) => boolean): ScorePlan {
    const taps = this.scoreTaps.filter((tap) => !isLeftOut(tap.pluginIndex));
    const seen = new Set<number>();
    // A plugin's first score tap sets its points, a second one adds to them.
    const firstOfPlugin = Uint8Array.from(taps, (tap) => {
      const first = !seen.has(tap.pluginIndex);
      seen.add(tap.pluginIndex);
      return first ? 1 : 0;
    });
    const zeroed = this.scoredPlugins.filter(isLeftOut);
    return Object.freeze({ taps, run: compileScoreRun(taps, firstOfPlugin, zeroed) });
  }
}
