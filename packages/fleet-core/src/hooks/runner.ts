import type { FleetError } from '../errors.js';
import type { Machine } from '../model/machine.js';
import type { UnitState } from '../model/unit.js';
import type { BindBatch, RoundResult } from '../scheduler/decisions.js';
import { compileFilterRun, compileNarrowRun, compileScoreRun } from './compile.js';
import type { FilterRun, HotHelpers, NarrowRun, ScoreRun } from './compile.js';
import { SAMPLE_EVERY } from './hook-stats.js';
import type { HookStatsRecorder } from './hook-stats.js';
import { pluginError, withPluginTimeout } from './plugin-errors.js';
import type { StartVerdict, TapFunction } from './spec.js';
import type { CompiledHooks, CompiledTap } from './taps.js';
import type { AgentUnit, CandidateNarrowing, ClusterView, DriverContext, MachineView, ReportContext, ResolvedUnit, UnitDriver } from './views.js';

type FilterFn = TapFunction<'filter'>;
type ScoreFn = TapFunction<'score'>;
type AsyncFn = (...args: never[]) => unknown;

/** Where a runner reports what plugins threw while it ran taps that must not fail the caller. */
export type PluginErrorSink = (error: FleetError) => void;

/**
 * Where a filter or score run reports why it turned a machine down; owned by
 * the caller (its rejection scratch, an explanation's record), so runs of
 * different schedulers never share results.
 */
export interface RejectionSink {
  reject(machineIndex: number, pluginIndex: number, isError: boolean, message: string): void;
}

/** The core's side of a narrowing: told which plugin is restricting, and to forget a plugin that threw. */
export interface NarrowingSink extends CandidateNarrowing {
  beginPlugin(pluginIndex: number): void;
  abortPlugin(pluginIndex: number): void;
}

/** The filter taps one decision calls, in call order: every tap but those of plugins that promised to pass everywhere. */
export interface FilterPlan {
  readonly taps: readonly CompiledTap<TapFunction<'filter'>>[];
  /** Per planned tap, its position among all filter taps (`HookRunner.filterTaps`). */
  readonly positions: readonly number[];
  /** The taps as one compiled function (see compile.ts). */
  readonly run: FilterRun;
}

/** The driver a createDriver tap returned, with the plugin that owns it. */
export interface CreatedDriver {
  readonly driver: UnitDriver;
  readonly plugin: string;
}

/**
 * Runs one host's taps for one caller (the engine's scheduler, an agent, an
 * explanation, a dry run). The taps are the host's, compiled once into plain
 * arrays; the hot loops over them (narrow, each filter plan, score) are this
 * runner's own straight-line functions (compile.ts), as are its plan cache
 * and error sink. Every result goes back to the caller (a return value, or a
 * sink the caller owns), so two callers never see each other's results or errors.
 */
export class HookRunner {
  /** Plugin names by plugin index, the index rejections and score vectors use. */
  readonly pluginNames: readonly string[];
  /** Every filter tap, in call order. */
  readonly filterTaps: readonly CompiledTap<TapFunction<'filter'>>[];
  /** Plugin indexes that have a score tap, ascending. */
  readonly scoredPlugins: readonly number[];
  private readonly allFilters: FilterPlan;
  private readonly scoreTaps: readonly CompiledTap<ScoreFn>[];
  /** Per score tap, 1 when it is its plugin's first: it sets the plugin's points instead of adding. */
  private readonly firstOfPlugin: Uint8Array;
  /** Plans by the bit mask of the plugins they leave out. */
  private readonly plans = new Map<number, FilterPlan>();
  private readonly helpers: HotHelpers;
  private readonly scoreRun: ScoreRun;
  private readonly narrowRun: NarrowRun;

  constructor(
    private readonly taps: CompiledHooks,
    pluginNames: readonly string[],
    private readonly stats: HookStatsRecorder,
    private readonly timeoutMs: number,
    private readonly onPluginError: PluginErrorSink,
  ) {
    this.pluginNames = pluginNames;
    this.filterTaps = taps.filter as readonly CompiledTap<FilterFn>[];
    this.scoreTaps = taps.score as readonly CompiledTap<ScoreFn>[];
    this.helpers = this.hotHelpers();
    this.allFilters = this.planOf(this.filterTaps.map((_, position) => position));
    const seen = new Set<number>();
    this.firstOfPlugin = Uint8Array.from(this.scoreTaps, (tap) => {
      const first = !seen.has(tap.pluginIndex);
      seen.add(tap.pluginIndex);
      return first ? 1 : 0;
    });
    this.scoredPlugins = Object.freeze([...seen].sort((a, b) => a - b));
    this.scoreRun = compileScoreRun(this.scoreTaps, this.firstOfPlugin, this.helpers);
    this.narrowRun = compileNarrowRun(taps.narrow, this.helpers);
  }

  /** A score vector for `score`: points per plugin index, zero for plugins that do not score. */
  createScoreVector(): Float64Array {
    return new Float64Array(this.pluginNames.length);
  }

  /** Runs every narrow tap; a tap that throws loses its restrictions and promises, and is reported. */
  narrow(unit: ResolvedUnit, cluster: ClusterView, narrowing: NarrowingSink, facade: CandidateNarrowing): void {
    this.narrowRun(unit, cluster, narrowing, facade);
  }

  /**
   * The filters one decision calls: all of them but those of `passing`
   * plugins (which promised to pass everywhere) and of `also`, when given.
   * Cached per set of plugins left out, keyed by a bit mask: it is asked once
   * per decision, and per machine in explanations.
   */
  filterPlan(passing: readonly number[], also = -1): FilterPlan {
    if (passing.length === 0 && also < 0) return this.allFilters;
    let mask = 0;
    for (let i = -1; i < passing.length; i++) {
      const plugin = i < 0 ? also : (passing[i] as number);
      if (plugin < 0) continue;
      // Past 31 plugins a mask no longer fits: such hosts compute the plan each time.
      if (plugin > 30) return this.planWithout((index) => index === also || passing.includes(index));
      mask |= 1 << plugin;
    }
    let plan = this.plans.get(mask);
    if (plan === undefined) {
      plan = this.planWithout((index) => (mask & (1 << index)) !== 0);
      this.plans.set(mask, plan);
    }
    return plan;
  }

  private planWithout(isLeftOut: (pluginIndex: number) => boolean): FilterPlan {
    return this.planOf(this.allFilters.positions.filter((position) => !isLeftOut((this.filterTaps[position] as CompiledTap).pluginIndex)));
  }

  private planOf(positions: readonly number[]): FilterPlan {
    const taps = positions.map((position) => this.filterTaps[position] as CompiledTap<FilterFn>);
    return Object.freeze({ taps, positions, run: compileFilterRun(taps, this.helpers) });
  }

  /** Every filter, for re-checking a placement: promises made while placing do not excuse a filter there. */
  get everyFilter(): FilterPlan {
    return this.allFilters;
  }

  /**
   * The filter loop every caller uses (placing, global units, re-checking
   * placements, explaining): runs `plan`'s taps from `from` until one
   * rejects `machine`, tells `sink` why, and returns that tap's index in the
   * plan; -1 when every tap passes. A tap that throws or answers something
   * other than a string rejects with an `error` reason and is reported.
   */
  runFilters(unit: ResolvedUnit, machine: MachineView, cluster: ClusterView, plan: FilterPlan, from: number, sink: RejectionSink): number {
    return plan.run(unit, machine, cluster, from, sink);
  }

  /**
   * Scores `machine`: writes each scoring plugin's raw points into `points`
   * (indexed by plugin) and returns the weighted total. A tap that throws or
   * answers something other than a finite number rejects the machine with an
   * `error` reason (told to `sink`, and reported): the total is then NaN.
   */
  score(unit: ResolvedUnit, machine: MachineView, cluster: ClusterView, points: Float64Array, sink: RejectionSink): number {
    return this.scoreRun(unit, machine, cluster, points, sink);
  }

  /** Runs bind taps in order, each with a batch whose `refuse` names its plugin; a failure or timeout fails the round. */
  async bind(batch: (plugin: string) => BindBatch): Promise<void> {
    for (const tap of this.taps.bind) await this.callAsync(tap, [batch(tap.plugin)]);
  }

  /** Tells every roundComplete tap; a throw is reported, never fatal. */
  roundComplete(result: RoundResult): void {
    for (const tap of this.taps.roundComplete) {
      const started = performance.now();
      tap.slot.calls++;
      try {
        (tap.fn as (result: RoundResult) => void)(result);
      } catch (error) {
        this.onPluginError(pluginError(tap.plugin, 'roundComplete', error));
      }
      this.stats.record(tap.slot, (performance.now() - started) / 1000);
    }
  }

  /** The first driver a createDriver tap returns, with its plugin; undefined when no tap returns one. */
  async createDriver(context: DriverContext): Promise<CreatedDriver | undefined> {
    for (const tap of this.taps.createDriver) {
      const driver = await this.callAsync(tap, [context]);
      if (driver !== undefined && driver !== null) return { driver: driver as UnitDriver, plugin: tap.plugin };
    }
    return undefined;
  }

  /** The first veto of a beforeStart tap, or undefined to start. */
  async beforeStart(unit: AgentUnit, machine: Machine): Promise<string | undefined> {
    for (const tap of this.taps.beforeStart) {
      const verdict = (await this.callAsync(tap, [unit, machine])) as StartVerdict;
      if (verdict === undefined) continue;
      if (typeof verdict !== 'string') {
        throw pluginError(tap.plugin, 'beforeStart', new TypeError(`beforeStart returned ${typeof verdict}, expected a reason string or nothing`));
      }
      return verdict;
    }
    return undefined;
  }

  /** The state after every reportState tap shaped it in turn. */
  async reportState(state: UnitState, context: ReportContext): Promise<UnitState> {
    let shaped = state;
    for (const tap of this.taps.reportState) shaped = (await this.callAsync(tap, [shaped, context])) as UnitState;
    return shaped;
  }

  /** What the compiled loops call off their fast path: timing, and every kind of failure. */
  private hotHelpers(): HotHelpers {
    const { stats } = this;
    const report = (plugin: string, hook: 'filter' | 'score' | 'narrow', cause: unknown): string => this.report(plugin, hook, cause);
    return Object.freeze({
      timed(tap: CompiledTap, first: unknown, second: unknown, third: unknown): unknown {
        const slot = tap.slot;
        slot.countdown = SAMPLE_EVERY;
        const started = performance.now();
        let answer: unknown;
        try {
          answer = (tap.fn as (a: unknown, b: unknown, c: unknown) => unknown)(first, second, third);
        } catch (error) {
          answer = new Thrown(error);
        }
        stats.record(slot, (performance.now() - started) / 1000);
        return answer;
      },
      thrown: (error: unknown): unknown => new Thrown(error),
      filterRejected(tap: CompiledTap, machine: MachineView, verdict: unknown, sink: unknown): void {
        const rejections = sink as RejectionSink;
        if (typeof verdict === 'string') return rejections.reject(machine.index, tap.pluginIndex, false, verdict);
        const cause = verdict instanceof Thrown ? verdict.error : new TypeError(`filter returned ${typeof verdict}, expected a reason string or nothing`);
        rejections.reject(machine.index, tap.pluginIndex, true, report(tap.plugin, 'filter', cause));
      },
      scoreFailed(tap: CompiledTap, machine: MachineView, value: unknown, sink: unknown): number {
        const cause = value instanceof Thrown ? value.error : new TypeError(`score returned ${String(value)}, expected a finite number`);
        (sink as RejectionSink).reject(machine.index, tap.pluginIndex, true, report(tap.plugin, 'score', cause));
        return Number.NaN;
      },
      narrowAnswered(tap: CompiledTap, narrowing: unknown, answer: unknown): void {
        if (!(answer instanceof Thrown)) return;
        // Narrowing only spares work (filters stay the source of truth), so a failed one is dropped.
        (narrowing as NarrowingSink).abortPlugin(tap.pluginIndex);
        report(tap.plugin, 'narrow', answer.error);
      },
    });
  }

  private report(plugin: string, hook: 'filter' | 'score' | 'narrow', cause: unknown): string {
    const error = pluginError(plugin, hook, cause);
    this.onPluginError(error);
    return error.message;
  }

  /** One async tap, whatever its style (a value or a promise), with the timeout naming its plugin; failures wrapped. */
  private async callAsync(tap: CompiledTap, args: readonly unknown[]): Promise<unknown> {
    const slot = tap.slot;
    slot.calls++;
    const started = performance.now();
    try {
      return await withPluginTimeout(Promise.resolve().then(() => (tap.fn as AsyncFn)(...(args as never[]))), this.timeoutMs, tap.plugin, tap.hook);
    } catch (error) {
      throw pluginError(tap.plugin, tap.hook, error);
    } finally {
      this.stats.record(slot, (performance.now() - started) / 1000);
    }
  }
}

/** What a hot tap threw, told apart from what it answered. */
class Thrown {
  constructor(readonly error: unknown) {}
}
