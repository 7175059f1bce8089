import type { FleetError } from '../errors.js';
import type { FleetHooks } from '../hooks/hooks.js';
import type { HookRuntime } from '../hooks/runtime.js';
import type { ResolvedUnit } from '../hooks/views.js';
import { needsMachine } from '../model/states.js';
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

type FilterFn = (unit: ResolvedUnit, machine: MachineSlot, cluster: ClusterState) => string | undefined;

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
 * Places every unit that needs a machine: resolveUnit → narrow → filter →
 * score → select → bind. Decisions of a round update the state as they are
 * made, so later units see earlier placements.
 */
export class Scheduler {
  readonly resolver: UnitResolver;
  private readonly hooks: FleetHooks;
  private readonly runtime: HookRuntime;
  private readonly maxPasses: number;
  private readonly maxPluginErrors: number;
  private readonly narrowing = new Narrowing();
  private readonly scratch = new RejectionScratch();
  private readonly top: TopCandidates;
  private round = 0;
  private errors: FleetError[] = [];
  private pluginErrorCount = 0;
  private readonly filterCache = new Map<number, FilterFn[]>();
  /** Per state, the version at which a revalidation found every placement holding, without a plugin error. */
  private readonly verified = new WeakMap<ClusterState, number>();
  /** Per state, the global decisions that may be given again while the state stays at their version. */
  private readonly globalsAt = new WeakMap<ClusterState, RememberedGlobals>();

  constructor(
    readonly host: PluginHost,
    options: SchedulerOptions = {},
  ) {
    this.hooks = host.hooks;
    this.runtime = host.runtime;
    this.resolver = new UnitResolver(host.hooks);
    this.maxPasses = Math.max(1, options.maxPasses ?? 3);
    this.maxPluginErrors = options.maxPluginErrors ?? 100;
    this.top = new TopCandidates(Math.max(1, options.keepCandidates ?? 3), host.plugins.length);
  }

  /** A state for this scheduler's plugins, empty or from a snapshot. */
  createState(snapshot: SchedulingSnapshot = { machines: [], units: [] }): ClusterState {
    return ClusterState.fromSnapshot(snapshot, this.resolver);
  }

  /** One full round: decide, bind (then `committer`, if given), notify observers. A snapshot gets a fresh state. */
  async schedule(input: ClusterState | SchedulingSnapshot, committer?: PlanCommitter): Promise<RoundResult> {
    const state = input instanceof ClusterState ? input : this.createState(input);
    return commitPlan(this.decide(state), this.hooks, this.runtime, committer);
  }

  /**
   * Decides a round synchronously and applies it to `state`; committing is up
   * to the caller. Cycles of revalidate → place repeat while they change
   * something (a Replaces target moves off, a follower follows), up to maxPasses.
   */
  decide(state: ClusterState): RoundPlan {
    const started = performance.now();
    this.errors = [];
    this.runtime.onPluginError = (error) => {
      this.pluginErrorCount++;
      if (this.errors.length < this.maxPluginErrors) this.errors.push(error);
    };
    const globals = this.placeGlobals(state);
    const work = new RoundWork();
    let passes = 0;
    let changesBefore: number;
    do {
      passes++;
      changesBefore = work.changes;
      const queue = this.revalidate(state, work);
      for (const unit of queue) this.placeUnit(state, unit, work);
    } while (work.changes > changesBefore && passes < this.maxPasses);
    return {
      round: ++this.round,
      state,
      placements: work.placements(),
      revocations: work.revocations(),
      unschedulable: work.unschedulable(),
      globals,
      pluginErrors: this.errors,
      queued: work.queued,
      kept: work.kept,
      evaluations: work.evaluations,
      revalidations: work.revalidations,
      passes,
      decideMs: performance.now() - started,
    };
  }

  /** Every plugin's verdict and score on every machine for one unit, as if it were not placed yet. */
  explain(state: ClusterState, unit: string): UnitExplanation {
    return explainUnit(state, unit, this.hooks, this.runtime, this.narrowing.reset(state.indexCapacity));
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
    const globals = [...state.units()].filter((unit) => state.unit(unit.name)?.global === true).sort(byName);
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

  private placeGlobal(state: ClusterState, unit: ResolvedUnit): { decision: GlobalUnitDecision; pluginFailed: boolean } {
    const narrowing = this.narrowing.reset(state.indexCapacity);
    this.hooks.narrow.call(unit, state, narrowing);
    let pluginFailed = narrowing.failed;
    const candidates = narrowing.active ? narrowing.candidates() : state.machines;
    const scratch = this.scratch.reset(state.indexCapacity);
    const machines: MachineSlot[] = [];
    const rejected: MachineSlot[] = [];
    for (const slot of candidates) {
      const verdict = this.hooks.filter.call(unit, slot, state);
      if (verdict === undefined) {
        machines.push(slot);
        continue;
      }
      rejected.push(slot);
      if (this.runtime.rejectedWithError) pluginFailed = true;
      scratch.reject(slot.index, this.runtime.rejectedBy, this.runtime.rejectedWithError, verdict);
    }
    state.setGlobal(unit.name, machines);
    const rejections = collectRejections(state.machines, candidates, rejected, narrowing, scratch, this.runtime.pluginNames);
    return { decision: { unit: unit.name, machines: machines.map((slot) => slot.id), rejections }, pluginFailed };
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
    const verdict = this.hooks.filter.call(resolution.unit, slot, state);
    if (verdict !== undefined && !this.runtime.rejectedWithError) {
      return revoke(this.runtime.pluginNames[this.runtime.rejectedBy], verdict);
    }
    work.kept++;
  }

  private filtersWithout(passing: readonly number[]): FilterFn[] | undefined {
    return filtersWithout(this.hooks, this.runtime, this.filterCache, passing);
  }

  /** The hot loop: no allocation per machine, only per decision. */
  private placeUnit(state: ClusterState, name: string, work: RoundWork): void {
    const resolution = state.resolution(name);
    if (resolution === undefined || !resolution.ok) {
      const error = resolution?.ok === false ? resolution.error : undefined;
      work.fail(rejectedEverywhere(name, state.machines, error?.plugin ?? 'core', 'error', error?.message ?? 'unit is unknown'));
      return;
    }
    const unit = resolution.unit;
    const { runtime, hooks, top } = this;
    const narrowing = this.narrowing.reset(state.indexCapacity);
    hooks.narrow.call(unit, state, narrowing);
    const candidates = narrowing.active ? narrowing.candidates() : state.machines;
    const scratch = this.scratch.reset(state.indexCapacity);
    // Filters whose plugin promised (in narrow) to pass every machine are not called.
    const filters = narrowing.passing.length === 0 ? undefined : this.filtersWithout(narrowing.passing);
    top.reset();
    for (let i = 0; i < candidates.length; i++) {
      const slot = candidates[i] as MachineSlot;
      work.evaluations++;
      let verdict: string | undefined | void;
      if (filters === undefined) verdict = hooks.filter.call(unit, slot, state);
      else {
        for (let f = 0; f < filters.length && verdict === undefined; f++) verdict = (filters[f] as FilterFn)(unit, slot, state);
      }
      if (verdict !== undefined) {
        scratch.reject(slot.index, runtime.rejectedBy, runtime.rejectedWithError, verdict);
        continue;
      }
      runtime.resetScore();
      hooks.score.call(unit, slot, state);
      if (runtime.scoreFailedBy >= 0) {
        scratch.reject(slot.index, runtime.scoreFailedBy, true, runtime.scoreFailure);
        continue;
      }
      top.offer(slot, runtime.scoreTotal, runtime.scoreByPlugin);
    }
    const best = top.best;
    if (best === undefined) {
      work.fail(unschedulableUnit(name, state.machines, candidates, narrowing, scratch, runtime.pluginNames));
      return;
    }
    state.setPlacement(name, best.id);
    work.place({ unit: name, machine: best.id, previousMachine: work.previous.get(name), candidates: top.materialize(runtime.pluginNames) });
  }
}

/**
 * The wrapped filter taps, in call order, of every plugin not in `passing`;
 * undefined when the filter hook must be called as a whole (someone
 * intercepts its calls). Cached per set of passing plugins: taps are frozen
 * once plugins are assembled.
 */
function filtersWithout(hooks: FleetHooks, runtime: HookRuntime, cache: Map<number, FilterFn[]>, passing: readonly number[]): FilterFn[] | undefined {
  if (hooks.filter.interceptors.some((interceptor) => interceptor.call !== undefined || interceptor.tap !== undefined)) return undefined;
  let mask = 0;
  for (const index of passing) {
    if (index >= 30) return undefined;
    mask |= 1 << index;
  }
  let filters = cache.get(mask);
  if (filters === undefined) {
    filters = hooks.filter.taps.filter((tap) => !passing.includes(runtime.pluginIndex(tap.name))).map((tap) => tap.fn as FilterFn);
    cache.set(mask, filters);
  }
  return filters;
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
