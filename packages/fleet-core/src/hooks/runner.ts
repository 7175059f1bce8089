import { describeThrown, type FleetError } from '../errors.js';
import { checkFacts, EMPTY_FACTS } from '../model/facts.js';
import type { MachineFacts } from '../model/facts.js';
import type { Machine } from '../model/machine.js';
import type { UnitState } from '../model/unit.js';
import type { BindBatch, RoundResult } from '../scheduler/decisions.js';
import type { HotHelpers } from './compile.js';
import type { FilterPlan, HotPaths, ScorePlan } from './hot-paths.js';
import { recordSeconds, SAMPLE_EVERY } from './hook-stats.js';
import { pluginError, withPluginTimeout } from './plugin-errors.js';
import type { GraceMs, HookName, StartVerdict, TapFunction } from './spec.js';
import type { CompiledHooks, CompiledTap } from './taps.js';
import type {
  AgentUnit,
  CandidateNarrowing,
  ClusterView,
  DriverContext,
  FactsContext,
  MachineView,
  ReportContext,
  ResolvedUnit,
  UnitDriver,
  UnitDropIn,
} from './views.js';
import { checkDropIns } from './drop-ins.js';

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
  private readonly failures: TapFailures;

  constructor(
    private readonly taps: CompiledHooks,
    private readonly hot: HotPaths,
    pluginNames: readonly string[],
    private readonly timeoutMs: number,
    onPluginError: PluginErrorSink,
  ) {
    this.pluginNames = pluginNames;
    this.failures = new TapFailures(onPluginError);
  }

  /** Every filter tap, in call order. */
  get filterTaps(): readonly CompiledTap<TapFunction<'filter'>>[] {
    return this.hot.filterTaps;
  }

  /** Plugin indexes that have a score tap, ascending. */
  get scoredPlugins(): readonly number[] {
    return this.hot.scoredPlugins;
  }

  /** Every filter, for re-checking a placement: promises made while placing do not excuse a filter there. */
  get everyFilter(): FilterPlan {
    return this.hot.everyFilter;
  }

  /** A score vector for `score`: points per plugin index, zero for plugins that do not score. */
  createScoreVector(): Float64Array {
    return new Float64Array(this.pluginNames.length);
  }

  /** Runs every narrow tap; a tap that throws loses its restrictions and promises, and is reported. */
  narrow(unit: ResolvedUnit, cluster: ClusterView, narrowing: NarrowingSink, facade: CandidateNarrowing): void {
    this.hot.narrow(unit, cluster, narrowing, facade, this.failures);
  }

  /** The filters one decision calls: all but those of `passing` plugins (promised to pass everywhere) and of `also`. */
  filterPlan(passing: readonly number[], also = -1): FilterPlan {
    return this.hot.filterPlan(passing, also);
  }

  /** The score taps one decision calls: all but those of `scoringNothing` plugins (promised 0 points everywhere). */
  scorePlan(scoringNothing: readonly number[]): ScorePlan {
    return this.hot.scorePlan(scoringNothing);
  }

  /**
   * The filter loop every caller uses (placing, global units, re-checking
   * placements, explaining): runs `plan`'s taps from `from` until one
   * rejects `machine`, tells `sink` why, and returns that tap's index in the
   * plan; -1 when every tap passes. A tap that throws or answers something
   * other than a string rejects with an `error` reason and is reported.
   */
  runFilters(unit: ResolvedUnit, machine: MachineView, cluster: ClusterView, plan: FilterPlan, from: number, sink: RejectionSink): number {
    return plan.run(unit, machine, cluster, from, sink, this.failures);
  }

  /**
   * Scores `machine`: writes each scoring plugin's raw points into `points`
   * (indexed by plugin) and returns the weighted total. A tap that throws or
   * answers something other than a finite number rejects the machine with an
   * `error` reason (told to `sink`, and reported): the total is then NaN.
   * `plan` (default: every score tap) leaves out the taps of plugins that
   * promised to score nothing; their points are 0.
   */
  score(
    unit: ResolvedUnit,
    machine: MachineView,
    cluster: ClusterView,
    points: Float64Array,
    sink: RejectionSink,
    plan: ScorePlan = this.hot.everyScore,
  ): number {
    return plan.run(unit, machine, cluster, points, sink, this.failures);
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
        this.failures.report(tap.plugin, 'roundComplete', error);
      }
      recordSeconds(tap.slot, (performance.now() - started) / 1000);
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

  /**
   * How long `unit` may keep running while this agent cannot renew its
   * presence: each disconnectGrace tap gets the previous answer (the first
   * gets undefined). A tap that throws, or answers anything but undefined or
   * a finite number >= 0, is reported and its answer ignored: a broken plugin
   * never stops units.
   */
  disconnectGrace(unit: ResolvedUnit, machine: Machine): GraceMs {
    let grace: GraceMs;
    for (const tap of this.taps.disconnectGrace) {
      const started = performance.now();
      tap.slot.calls++;
      try {
        const answer: unknown = (tap.fn as TapFunction<'disconnectGrace'>)(grace, unit, machine);
        if (answer === undefined || (typeof answer === 'number' && Number.isFinite(answer) && answer >= 0)) grace = answer;
        else
          this.failures.report(
            tap.plugin,
            'disconnectGrace',
            new TypeError(
              `disconnectGrace returned ${typeof answer === 'number' ? String(answer) : describeThrown(answer)}, expected milliseconds >= 0 or undefined`,
            ),
          );
      } catch (error) {
        this.failures.report(tap.plugin, 'disconnectGrace', error);
      }
      recordSeconds(tap.slot, (performance.now() - started) / 1000);
    }
    return grace;
  }

  /**
   * The machine's facts after every machineFacts tap added its own in turn
   * (the first gets `{}`). A tap that fails, times out or answers an invalid
   * fact is reported and its answer dropped: the facts before it go on, so a
   * broken plugin costs its own facts only.
   */
  async machineFacts(context: FactsContext): Promise<MachineFacts> {
    let facts = EMPTY_FACTS;
    for (const tap of this.taps.machineFacts) {
      try {
        facts = checkFacts('machineFacts answer', await this.callAsync(tap, [facts, context]));
      } catch (error) {
        this.failures.report(tap.plugin, 'machineFacts', error);
      }
    }
    return facts;
  }

  /**
   * The drop-ins every unitDropIns tap added for `unit` on `machine`, in turn
   * (the first gets `[]`). A tap that throws or answers invalid drop-ins is
   * reported and its answer dropped: the unit still loads, without them.
   */
  unitDropIns(unit: ResolvedUnit, machine: Machine): readonly UnitDropIn[] {
    let dropIns: readonly UnitDropIn[] = [];
    for (const tap of this.taps.unitDropIns) {
      const started = performance.now();
      tap.slot.calls++;
      try {
        dropIns = checkDropIns((tap.fn as TapFunction<'unitDropIns'>)(dropIns, unit, machine));
      } catch (error) {
        this.failures.report(tap.plugin, 'unitDropIns', error);
      }
      recordSeconds(tap.slot, (performance.now() - started) / 1000);
    }
    return dropIns;
  }

  /** The state after every reportState tap shaped it in turn. */
  async reportState(state: UnitState, context: ReportContext): Promise<UnitState> {
    let shaped = state;
    for (const tap of this.taps.reportState) shaped = (await this.callAsync(tap, [shaped, context])) as UnitState;
    return shaped;
  }

  /** One async tap, whatever its style (a value or a promise), with the timeout naming its plugin; failures wrapped. */
  private async callAsync(tap: CompiledTap, args: readonly unknown[]): Promise<unknown> {
    const slot = tap.slot;
    slot.calls++;
    const started = performance.now();
    try {
      return await withPluginTimeout(
        Promise.resolve().then(() => tap.fn(...(args as never[]))),
        this.timeoutMs,
        tap.plugin,
        tap.hook,
      );
    } catch (error) {
      throw pluginError(tap.plugin, tap.hook, error);
    } finally {
      recordSeconds(slot, (performance.now() - started) / 1000);
    }
  }
}

/** What a hot tap threw, told apart from what it answered. */
class Thrown {
  constructor(readonly error: unknown) {}
}

/**
 * What the compiled loops call off their fast path, for one runner: timing
 * for the statistics, and every kind of tap failure, reported to the
 * runner's own sink. One class, so those calls stay monomorphic.
 */
class TapFailures implements HotHelpers {
  constructor(private readonly onPluginError: PluginErrorSink) {}

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
    recordSeconds(slot, (performance.now() - started) / 1000);
    return answer;
  }

  thrown(error: unknown): unknown {
    return new Thrown(error);
  }

  filterRejected(tap: CompiledTap, machine: MachineView, verdict: unknown, sink: unknown): void {
    const rejections = sink as RejectionSink;
    if (typeof verdict === 'string') return rejections.reject(machine.index, tap.pluginIndex, false, verdict);
    const cause = verdict instanceof Thrown ? verdict.error : new TypeError(`filter returned ${typeof verdict}, expected a reason string or nothing`);
    rejections.reject(machine.index, tap.pluginIndex, true, this.report(tap.plugin, 'filter', cause));
  }

  scoreFailed(tap: CompiledTap, machine: MachineView, value: unknown, sink: unknown): number {
    const cause = value instanceof Thrown ? value.error : new TypeError(`score returned ${String(value)}, expected a finite number`);
    (sink as RejectionSink).reject(machine.index, tap.pluginIndex, true, this.report(tap.plugin, 'score', cause));
    return Number.NaN;
  }

  narrowAnswered(tap: CompiledTap, narrowing: unknown, answer: unknown): void {
    if (!(answer instanceof Thrown)) return;
    // Narrowing only spares work (filters stay the source of truth), so a failed one is dropped.
    (narrowing as NarrowingSink).abortPlugin(tap.pluginIndex);
    this.report(tap.plugin, 'narrow', answer.error);
  }

  /** Wraps a tap's failure as PLUGIN_ERROR, tells the sink, and gives the message for reasons. */
  report(plugin: string, hook: HookName, cause: unknown): string {
    const error = pluginError(plugin, hook, cause);
    this.onPluginError(error);
    return error.message;
  }
}
