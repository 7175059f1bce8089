import type { FleetError } from '../errors.js';
import type { Machine } from '../model/machine.js';
import type { UnitState } from '../model/unit.js';
import type { BindBatch, RoundResult } from '../scheduler/decisions.js';
import { SAMPLE_EVERY } from './hook-stats.js';
import type { HookStatsRecorder } from './hook-stats.js';
import { pluginError, withPluginTimeout } from './plugin-errors.js';
import type { StartVerdict, TapFunction } from './spec.js';
import type { CompiledHooks, CompiledTap } from './taps.js';
import type { AgentUnit, CandidateNarrowing, ClusterView, DriverContext, MachineView, ReportContext, ResolvedUnit, UnitDriver } from './views.js';

type FilterFn = TapFunction<'filter'>;
type ScoreFn = TapFunction<'score'>;
type NarrowFn = TapFunction<'narrow'>;
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
}

/** The driver a createDriver tap returned, with the plugin that owns it. */
export interface CreatedDriver {
  readonly driver: UnitDriver;
  readonly plugin: string;
}

/**
 * Runs one host's taps for one caller (the engine's scheduler, an agent, an
 * explanation, a dry run). The taps are the host's, compiled once into plain
 * arrays; the plan cache and the error sink are this runner's own, and
 * every result goes back to the caller (a return value, or a sink the caller
 * owns), so two callers never see each other's results or errors.
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
    this.allFilters = Object.freeze({ taps: this.filterTaps, positions: this.filterTaps.map((_, position) => position) });
    const seen = new Set<number>();
    this.firstOfPlugin = Uint8Array.from(this.scoreTaps, (tap) => {
      const first = !seen.has(tap.pluginIndex);
      seen.add(tap.pluginIndex);
      return first ? 1 : 0;
    });
    this.scoredPlugins = Object.freeze([...seen].sort((a, b) => a - b));
  }

  /** A score vector for `score`: points per plugin index, zero for plugins that do not score. */
  createScoreVector(): Float64Array {
    return new Float64Array(this.pluginNames.length);
  }

  /** Runs every narrow tap; a tap that throws loses its restrictions and promises, and is reported. */
  narrow(unit: ResolvedUnit, cluster: ClusterView, narrowing: NarrowingSink, facade: CandidateNarrowing): void {
    const taps = this.taps.narrow;
    for (let i = 0; i < taps.length; i++) {
      const tap = taps[i] as CompiledTap<NarrowFn>;
      const slot = tap.slot;
      slot.calls++;
      let started = 0;
      if (--slot.countdown === 0) {
        slot.countdown = SAMPLE_EVERY;
        started = performance.now();
      }
      narrowing.beginPlugin(tap.pluginIndex);
      try {
        tap.fn(unit, cluster, facade);
      } catch (error) {
        // Narrowing only spares work (filters stay the source of truth), so a failed one is dropped.
        narrowing.abortPlugin(tap.pluginIndex);
        this.onPluginError(pluginError(tap.plugin, 'narrow', error));
      }
      if (started !== 0) this.stats.record(slot, (performance.now() - started) / 1000);
    }
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
    const positions = this.allFilters.positions.filter((position) => !isLeftOut((this.filterTaps[position] as CompiledTap).pluginIndex));
    return Object.freeze({ taps: positions.map((position) => this.filterTaps[position] as CompiledTap<FilterFn>), positions });
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
   * Kept small, with every rare path out of line, so the scheduler's hot
   * loop can inline it.
   */
  runFilters(unit: ResolvedUnit, machine: MachineView, cluster: ClusterView, plan: FilterPlan, from: number, sink: RejectionSink): number {
    const taps = plan.taps;
    for (let i = from; i < taps.length; i++) {
      const tap = taps[i] as CompiledTap<FilterFn>;
      const slot = tap.slot;
      slot.calls++;
      let verdict: unknown;
      if (--slot.countdown === 0) verdict = this.timedCall(tap, unit, machine, cluster);
      else {
        try {
          verdict = tap.fn(unit, machine, cluster);
        } catch (error) {
          verdict = new Thrown(error);
        }
      }
      if (verdict === undefined) continue;
      this.filterRejected(tap, machine, verdict, sink);
      return i;
    }
    return -1;
  }

  /**
   * Scores `machine`: writes each scoring plugin's raw points into `points`
   * (indexed by plugin) and returns the weighted total. A tap that throws or
   * answers something other than a finite number rejects the machine with an
   * `error` reason (told to `sink`, and reported): the total is then NaN.
   */
  score(unit: ResolvedUnit, machine: MachineView, cluster: ClusterView, points: Float64Array, sink: RejectionSink): number {
    const taps = this.scoreTaps;
    let total = 0;
    for (let i = 0; i < taps.length; i++) {
      const tap = taps[i] as CompiledTap<ScoreFn>;
      const slot = tap.slot;
      slot.calls++;
      let value: unknown;
      if (--slot.countdown === 0) value = this.timedCall(tap, unit, machine, cluster);
      else {
        try {
          value = tap.fn(unit, machine, cluster);
        } catch (error) {
          value = new Thrown(error);
        }
      }
      if (typeof value !== 'number' || !Number.isFinite(value)) return this.scoreFailed(tap, machine, value, sink);
      const plugin = tap.pluginIndex;
      points[plugin] = this.firstOfPlugin[i] === 1 ? value : (points[plugin] as number) + value;
      total += value * tap.weight;
    }
    return total;
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

  /** One call of a hot tap, timed for the statistics (one in SAMPLE_EVERY); a throw comes back as Thrown. */
  private timedCall(tap: CompiledTap, unit: ResolvedUnit, machine: MachineView, cluster: ClusterView): unknown {
    const slot = tap.slot;
    slot.countdown = SAMPLE_EVERY;
    const started = performance.now();
    let answer: unknown;
    try {
      answer = (tap.fn as FilterFn)(unit, machine, cluster);
    } catch (error) {
      answer = new Thrown(error);
    }
    this.stats.record(slot, (performance.now() - started) / 1000);
    return answer;
  }

  private filterRejected(tap: CompiledTap, machine: MachineView, verdict: unknown, sink: RejectionSink): void {
    if (typeof verdict === 'string') return sink.reject(machine.index, tap.pluginIndex, false, verdict);
    const cause = verdict instanceof Thrown ? verdict.error : new TypeError(`filter returned ${typeof verdict}, expected a reason string or nothing`);
    sink.reject(machine.index, tap.pluginIndex, true, this.report(tap.plugin, 'filter', cause));
  }

  private scoreFailed(tap: CompiledTap, machine: MachineView, value: unknown, sink: RejectionSink): number {
    const cause = value instanceof Thrown ? value.error : new TypeError(`score returned ${String(value)}, expected a finite number`);
    sink.reject(machine.index, tap.pluginIndex, true, this.report(tap.plugin, 'score', cause));
    return Number.NaN;
  }

  private report(plugin: string, hook: 'filter' | 'score', cause: unknown): string {
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
