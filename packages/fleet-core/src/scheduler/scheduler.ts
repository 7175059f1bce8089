import type { FleetError } from '../errors.js';
import type { HookRunner, PluginErrorSink } from '../hooks/runner.js';
import { pluginError } from '../hooks/plugin-errors.js';
import type { FilterPlan, ScorePlan } from '../hooks/hot-paths.js';
import type { MachineView, ResolvedUnit } from '../hooks/views.js';
import { needsMachine } from '../model/states.js';
import type { Unit } from '../model/unit.js';
import { createHookRunner } from '../plugin/host.js';
import type { PluginHost } from '../plugin/host.js';
import { ClusterState } from './cluster-state.js';
import type { MachineSlot, SchedulingSnapshot } from './cluster-state.js';
import { commitPlan } from './commit.js';
import type { PlanCommitter } from './commit.js';
import type { GlobalUnitDecision, PlacementDecision, Revocation, RoundResult, UnitExplanation, UnschedulableUnit } from './decisions.js';
import { explainUnit } from './explain.js';
import { Narrowing } from './narrowing.js';
import { collectRejections, RejectionScratch, rejectedEverywhere, unschedulableUnit } from './rejections.js';
import { UnitResolver } from './resolve.js';
import { RoundWork } from './round-work.js';
import { TopCandidates } from './top-candidates.js';

/** What placeGlobals decided, and the state version it left behind. */
interface RememberedGlobals {
  readonly version: number;
  readonly decisions: readonly GlobalUnitDecision[];
}

export interface SchedulerOptions {
  /** Cycles of revalidate → place in one round; a later cycle moves what earlier placements displaced (Replaces) and places what they unblocked (MachineOf). Default 3. */
  readonly maxPasses?: number;
  /** Best candidates kept per placement, with per-plugin scores. Default 3. */
  readonly keepCandidates?: number;
  /** Plugin errors kept per round (all are counted). Default 100. */
  readonly maxPluginErrors?: number;
  /**
   * Where plugin errors raised outside a round go (global units judged for an
   * agent, explanations); a round's own go into its result. Default: the
   * failing plugin's logger.
   */
  readonly onPluginError?: PluginErrorSink;
}

/** The decisions of one round, applied to the state but not yet committed by `bind`. */
export interface RoundPlan {
  readonly round: number;
  readonly state: ClusterState;
  readonly placements: readonly PlacementDecision[];
  readonly revocations: readonly Revocation[];
  readonly unschedulable: readonly UnschedulableUnit[];
  readonly globals: readonly GlobalUnitDecision[];
  readonly pluginErrors: readonly FleetError[];
  readonly queued: number;
  readonly kept: number;
  readonly evaluations: number;
  readonly revalidations: number;
  readonly passes: number;
  readonly decideMs: number;
}

/**
 * A unit whose candidates were narrowed is decided by walking the score order
 * only when at least one machine in this many is a candidate: the walk passes
 * over the others, a scan of the narrowed list does not.
 */
const WALK_NARROWED_AT_MOST_ONE_IN = 8;

/** Rounds a dry run decides at most while looking for the fixed point; a cluster that still changes then is reported as such. */
export const MAX_SETTLE_ROUNDS = 100;

/** Where a dry run ended: the last round's decisions, on a state no further round would change. */
export interface SettledPlan {
  /** The last round: its globals and unschedulable units are the settled ones. */
  readonly last: RoundPlan;
  readonly rounds: number;
  /** False when the state still changed after MAX_SETTLE_ROUNDS rounds. */
  readonly settled: boolean;
  readonly pluginErrors: readonly FleetError[];
}

/**
 * Places every unit that needs a machine: resolveUnit → narrow → filter →
 * score → select → bind. Decisions of a round update the state as they are
 * made, so later units see earlier placements. Each scheduler runs the
 * host's taps through its own runner: its rounds' results and errors are its
 * own, whatever other schedulers of the host (an agent's, an explanation's) do.
 */
export class Scheduler {
  readonly resolver: UnitResolver;
  private readonly runner: HookRunner;
  private readonly maxPasses: number;
  private readonly maxPluginErrors: number;
  private readonly onPluginError: PluginErrorSink;
  private readonly narrowing = new Narrowing();
  private readonly scratch = new RejectionScratch();
  private readonly points: Float64Array;
  private readonly top: TopCandidates;
  private round = 0;
  /** The errors of the round being decided; undefined between rounds. */
  private roundErrors: FleetError[] | undefined;
  private pluginErrorCount = 0;
  /** Per state, the version at which a revalidation found every placement holding, without a plugin error. */
  private readonly verified = new WeakMap<ClusterState, number>();
  /** Per state, the global decisions that may be given again while the state stays at their version. */
  private readonly globalsAt = new WeakMap<ClusterState, RememberedGlobals>();

  constructor(
    readonly host: PluginHost,
    options: SchedulerOptions = {},
  ) {
    this.runner = createHookRunner(host, (error) => this.pluginFailed(error));
    this.resolver = new UnitResolver((unit) => host.resolveUnit(unit));
    this.maxPasses = Math.max(1, options.maxPasses ?? 3);
    this.maxPluginErrors = options.maxPluginErrors ?? 100;
    this.onPluginError = options.onPluginError ?? ((error) => logPluginError(host, error));
    this.points = this.runner.createScoreVector();
    this.top = new TopCandidates(Math.max(1, options.keepCandidates ?? 3), host.plugins.length);
  }

  /** A state for this scheduler's plugins, empty or from a snapshot. */
  createState(snapshot: SchedulingSnapshot = { machines: [], units: [] }): ClusterState {
    return ClusterState.fromSnapshot(snapshot, this.resolver);
  }

  /** One full round: decide, bind (then `committer`, if given), tell roundComplete taps. A snapshot gets a fresh state. */
  async schedule(input: ClusterState | SchedulingSnapshot, committer?: PlanCommitter): Promise<RoundResult> {
    const state = input instanceof ClusterState ? input : this.createState(input);
    return commitPlan(this.decide(state), this.runner, committer);
  }

  /**
   * Decides a round synchronously and applies it to `state`; committing is up
   * to the caller. Cycles of revalidate → place repeat while they change
   * something (a Replaces target moves off, a follower follows), up to maxPasses.
   */
  decide(state: ClusterState): RoundPlan {
    const started = performance.now();
    const errors: FleetError[] = [];
    this.roundErrors = errors;
    try {
      const globals = this.placeGlobals(state);
      const work = new RoundWork();
      let passes = 0;
      let changesBefore: number;
      do {
        passes++;
        changesBefore = work.changes;
        const queue = lastPutOff(this.revalidate(state, work), work.putOff);
        const putOff: string[] = [];
        for (const unit of queue) if (!this.placeUnit(state, unit, work, queue)) putOff.push(unit);
        // Units a plugin asked to decide later (decideAfter) wait for the next cycle when there is
        // one (they are still unplaced, so they are queued again, last); otherwise they are decided now.
        const another = work.changes > changesBefore && passes < this.maxPasses;
        if (!another) for (const unit of putOff) this.placeUnit(state, unit, work, undefined);
      } while (work.changes > changesBefore && passes < this.maxPasses);
      return {
        round: ++this.round,
        state,
        placements: work.placements(),
        revocations: work.revocations(),
        unschedulable: work.unschedulable(),
        globals,
        pluginErrors: errors,
        queued: work.queued,
        kept: work.kept,
        evaluations: work.evaluations,
        revalidations: work.revalidations,
        passes,
        decideMs: performance.now() - started,
      };
    } finally {
      this.roundErrors = undefined;
    }
  }

  /**
   * Decides rounds until one changes nothing, as the engine's rounds do one
   * after another: the fixed point a dry run must report (a MachineOf chain
   * listed against its order needs a pass per link). Applies it to `state`.
   */
  settle(state: ClusterState, maxRounds = MAX_SETTLE_ROUNDS): SettledPlan {
    const pluginErrors: FleetError[] = [];
    let last = this.decide(state);
    let rounds = 1;
    pluginErrors.push(...last.pluginErrors);
    while (changed(last) && rounds < maxRounds) {
      last = this.decide(state);
      rounds++;
      pluginErrors.push(...last.pluginErrors);
    }
    return { last, rounds, settled: !changed(last), pluginErrors };
  }

  /** Every plugin's verdict and score on every machine for one unit, as if it were not placed yet. */
  explain(state: ClusterState, unit: string): UnitExplanation {
    return explainUnit(state, unit, this.runner, this.narrowing.reset(state.indexCapacity));
  }

  /**
   * Global units run wherever filters pass; the first by name wins a conflict
   * between two of them. Agents call it to learn theirs; every round calls it.
   *
   * Placing globals starts by clearing them, so on a state unchanged since the
   * last call (same version) pure filters would decide exactly the same again:
   * those decisions are given back instead, and the state is left untouched,
   * which also keeps the idle-round revalidation skip working.
   */
  placeGlobals(state: ClusterState): GlobalUnitDecision[] {
    const remembered = this.globalsAt.get(state);
    if (remembered !== undefined && remembered.version === state.version) return [...remembered.decisions];
    const globals = [...state.globalUnitNames()].sort().map((name) => state.rawUnit(name) as Unit);
    // Clearing a global unit that also holds a placement takes it off that machine too, so a second
    // call would start from another state: such decisions are not given again.
    let reusable = globals.every((unit) => state.placedMachineId(unit.name) === undefined);
    for (const unit of globals) state.clearGlobal(unit.name);
    const decisions: GlobalUnitDecision[] = [];
    for (const unit of globals) {
      if (!needsMachine(unit.desiredState)) continue;
      const { decision, pluginFailed } = this.placeGlobal(state, state.unit(unit.name) as ResolvedUnit);
      decisions.push(decision);
      // A failing plugin is asked again next time, as revalidation does: its error may be transient.
      if (pluginFailed) reusable = false;
    }
    if (reusable) this.globalsAt.set(state, { version: state.version, decisions: [...decisions] });
    else this.globalsAt.delete(state);
    return decisions;
  }

  private pluginFailed(error: FleetError): void {
    this.pluginErrorCount++;
    const errors = this.roundErrors;
    if (errors === undefined) this.onPluginError(error);
    else if (errors.length < this.maxPluginErrors) errors.push(error);
  }

  private placeGlobal(state: ClusterState, unit: ResolvedUnit): { decision: GlobalUnitDecision; pluginFailed: boolean } {
    const errorsBefore = this.pluginErrorCount;
    const narrowing = this.narrowing.reset(state.indexCapacity);
    this.runner.narrow(unit, state, narrowing, narrowing.facade);
    const candidates = narrowing.active ? narrowing.candidates() : state.machines;
    const plan = this.runner.filterPlan(narrowing.passing);
    const scratch = this.scratch.reset(state.indexCapacity);
    const machines: MachineSlot[] = [];
    const rejected: MachineSlot[] = [];
    for (const slot of candidates) {
      if (this.runner.runFilters(unit, slot, state, plan, 0, scratch) < 0) machines.push(slot);
      else rejected.push(slot);
    }
    state.setGlobal(unit.name, machines);
    const rejections = collectRejections(state.machines, candidates, rejected, narrowing, scratch, this.runner.pluginNames);
    return { decision: { unit: unit.name, machines: machines.map((slot) => slot.id), rejections }, pluginFailed: this.pluginErrorCount > errorsBefore };
  }

  /**
   * Revokes placements that no longer hold; returns the units that need a
   * machine, by name. A state unchanged since a revalidation in which every
   * placement held (and no plugin failed) is not checked again: filters see
   * the same unit, machine and cluster, so they would give the same verdicts.
   * Idle rounds therefore cost no filter call.
   */
  private revalidate(state: ClusterState, work: RoundWork): string[] {
    const queue: string[] = [];
    if (this.verified.get(state) === state.version) work.kept += state.placementCount;
    else {
      const version = state.version;
      const changes = work.changes;
      const errors = this.pluginErrorCount;
      for (const [unit, machineId] of [...state.placements()]) this.revalidatePlacement(state, unit, machineId, work);
      if (work.changes === changes && this.pluginErrorCount === errors && state.version === version) this.verified.set(state, version);
    }
    for (const unit of state.units()) {
      if (!needsMachine(unit.desiredState) || state.placedMachineId(unit.name) !== undefined) continue;
      if (state.unit(unit.name)?.global === true) continue;
      queue.push(unit.name);
    }
    work.queued = Math.max(work.queued, queue.length);
    return queue.sort();
  }

  private revalidatePlacement(state: ClusterState, unit: string, machineId: string, work: RoundWork): void {
    const record = state.rawUnit(unit);
    const resolution = state.resolution(unit);
    const revoke = (plugin: string | undefined, reason: string): void => {
      work.revoke({ unit, machine: machineId, plugin, reason });
      state.setPlacement(unit, undefined);
    };
    if (record === undefined) return revoke(undefined, 'unit was destroyed');
    if (!needsMachine(record.desiredState)) return revoke(undefined, 'desired state is inactive');
    if (resolution?.ok && resolution.unit.global) return revoke(undefined, 'unit is global: it runs on every eligible machine');
    const slot = state.machine(machineId);
    if (slot === undefined) return revoke(undefined, `machine ${machineId} is gone`);
    // A plugin that cannot resolve or judge the unit must not cause a reschedule storm: keep it.
    if (!resolution?.ok) {
      work.kept++;
      return;
    }
    work.revalidations++;
    const scratch = this.scratch.reset(state.indexCapacity);
    if (this.runner.runFilters(resolution.unit, slot, state, this.runner.everyFilter, 0, scratch) >= 0 && !scratch.isError(slot.index)) {
      const rejection = scratch.rejection(slot, this.runner.pluginNames);
      return revoke(rejection.plugin, rejection.message);
    }
    work.kept++;
  }

  /**
   * The hot loop: no allocation per machine, only per decision. `waiting`,
   * the cycle's queue, is given while the unit may still be put off: false
   * then means a plugin asked to decide it after units still waiting
   * (`decideAfter`), and it was not decided. A unit is put off once per round.
   */
  private placeUnit(state: ClusterState, name: string, work: RoundWork, waiting: readonly string[] | undefined): boolean {
    const resolution = state.resolution(name);
    if (resolution === undefined || !resolution.ok) {
      const error = resolution?.ok === false ? resolution.error : undefined;
      work.fail(rejectedEverywhere(name, state.machines, error?.plugin ?? 'core', 'error', error?.message ?? 'unit is unknown'));
      return true;
    }
    const unit = resolution.unit;
    const { runner, top } = this;
    const narrowing = this.narrowing.reset(state.indexCapacity);
    runner.narrow(unit, state, narrowing, narrowing.facade);
    if (waiting !== undefined && narrowing.waitsFor.length > 0 && !work.putOff.has(name) && this.waitsForAny(state, name, waiting, narrowing)) {
      work.putOff.add(name);
      return false;
    }
    const scratch = this.scratch.reset(state.indexCapacity);
    // Filters whose plugin promised (in narrow) to pass every machine are not called, nor scores promised to be 0.
    const plan = runner.filterPlan(narrowing.passing);
    const scoring = runner.scorePlan(narrowing.scoringNothing);
    top.reset();
    let candidates: readonly MachineSlot[] | undefined;
    const ordered = this.scoreOrderOf(narrowing, scoring);
    if (ordered === undefined || !this.walkInScoreOrder(unit, ordered, state, narrowing, plan, scoring, work)) {
      candidates = narrowing.active ? narrowing.candidates() : state.machines;
      for (let i = 0; i < candidates.length; i++) {
        work.evaluations++;
        this.consider(unit, candidates[i] as MachineSlot, state, plan, scoring);
      }
    }
    const best = top.best;
    if (best === undefined) {
      // Without a scan, a walk in score order visited every machine of an unnarrowed unit.
      work.fail(unschedulableUnit(name, state.machines, candidates ?? state.machines, narrowing, scratch, runner.pluginNames));
      return true;
    }
    state.setPlacement(name, best.id);
    work.place({ unit: name, machine: best.id, previousMachine: work.previous.get(name), candidates: top.materialize(runner.pluginNames) });
    return true;
  }

  /** The machines in score order when one plugin scores the unit and promised that order (`scoreOrder`), with a positive weight. */
  private scoreOrderOf(narrowing: Narrowing, scoring: ScorePlan): Iterable<MachineView> | undefined {
    if (narrowing.ordered === undefined || scoring.taps.length !== 1) return undefined;
    const tap = scoring.taps[0] as ScorePlan['taps'][number];
    return tap.pluginIndex === narrowing.orderedBy && tap.weight > 0 ? narrowing.ordered : undefined;
  }

  /**
   * Offers machines in the scoring plugin's order until the keeper is full:
   * every later machine scores no more, and on equal points comes later by
   * ID, so it could not take a kept one's place. With candidates narrowed,
   * machines outside them are passed over; that pays only while they are a
   * good part of the cluster (else the narrowed list is scanned). Returns
   * false, with the keeper and the scratch emptied, when a narrowed walk, or
   * an order that left machines out, ended without filling the keeper: the
   * caller then scans every candidate, so such a unit is decided and
   * explained from a full scan.
   */
  private walkInScoreOrder(
    unit: ResolvedUnit,
    ordered: Iterable<MachineView>,
    state: ClusterState,
    narrowing: Narrowing,
    plan: FilterPlan,
    scoring: ScorePlan,
    work: RoundWork,
  ): boolean {
    const narrowed = narrowing.active;
    if (narrowed && narrowing.candidateCount() * WALK_NARROWED_AT_MOST_ONE_IN < state.machines.length) return false;
    let visited = 0;
    for (const machine of ordered) {
      const slot = state.machine(machine.id);
      if (slot !== machine) break;
      if (narrowed && !narrowing.includes(slot)) continue;
      visited++;
      work.evaluations++;
      this.consider(unit, slot, state, plan, scoring);
      if (this.top.full) return true;
    }
    // Every machine of an unnarrowed unit visited: the keeper and the scratch are what a scan would leave.
    if (!narrowed && visited === state.machines.length) return true;
    this.top.reset();
    this.scratch.reset(state.indexCapacity);
    return false;
  }

  /** One machine of a decision: the plan's filters, and when it passes, its score offered to the keeper. No allocation. */
  private consider(unit: ResolvedUnit, slot: MachineSlot, state: ClusterState, plan: FilterPlan, scoring: ScorePlan): void {
    const { runner, points, scratch } = this;
    if (plan.taps.length > 0 && runner.runFilters(unit, slot, state, plan, 0, scratch) >= 0) return;
    const total = runner.score(unit, slot, state, points, scratch, scoring);
    if (total === total) this.top.offer(slot, total, points); // NaN: a score tap failed, and told the scratch why
  }

  /** Whether a unit the narrowing's `decideAfter` predicates accept still waits for a machine in this cycle. */
  private waitsForAny(state: ClusterState, name: string, waiting: readonly string[], narrowing: Narrowing): boolean {
    const placed = (unit: string): boolean => state.placedMachineId(unit) !== undefined;
    return narrowing.waitsForAny(name, waiting, placed, (plugin, error) =>
      this.pluginFailed(pluginError(this.runner.pluginNames[plugin] ?? 'core', 'narrow', error)),
    );
  }
}

/** The queue with the units put off earlier in the round moved to its end, each group in name order. */
function lastPutOff(queue: string[], putOff: ReadonlySet<string>): string[] {
  if (putOff.size === 0) return queue;
  return [...queue.filter((unit) => !putOff.has(unit)), ...queue.filter((unit) => putOff.has(unit))];
}

function changed(plan: RoundPlan): boolean {
  return plan.placements.length > 0 || plan.revocations.length > 0;
}

/** Where a plugin error goes when its scheduler's owner names no place: the plugin's own logger. */
function logPluginError(host: PluginHost, error: FleetError): void {
  host.pluginLogger(error.plugin ?? 'core').error(error.message, { code: error.code, hook: error.hook, pluginCode: error.pluginCode });
}
