import type { FleetError } from '../errors.js';
import type { FleetHooks } from '../hooks/hooks.js';
import type { HookRuntime } from '../hooks/runtime.js';
import type { ResolvedUnit } from '../hooks/views.js';
import { needsMachine } from '../model/states.js';
import type { PluginHost } from '../plugin/host.js';
import { ClusterState } from './cluster-state.js';
import type { MachineSlot, SchedulingSnapshot } from './cluster-state.js';
import { commitPlan } from './commit.js';
import type { GlobalUnitDecision, PlacementDecision, Revocation, RoundResult, UnitExplanation, UnschedulableUnit } from './decisions.js';
import { explainUnit } from './explain.js';
import { Narrowing } from './narrowing.js';
import { collectRejections, RejectionScratch, rejectedEverywhere, unschedulableUnit } from './rejections.js';
import { UnitResolver } from './resolve.js';
import { TopCandidates } from './top-candidates.js';

export interface SchedulerOptions {
  /** Passes over the queue in one round; a later pass retries units that earlier placements may have unblocked (MachineOf followers). Default 3. */
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
  readonly passes: number;
  readonly decideMs: number;
}

interface RoundWork {
  readonly revocations: Revocation[];
  readonly previous: Map<string, string>;
  readonly queue: string[];
  kept: number;
  evaluations: number;
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

  /** One full round: decide, bind, notify observers. A snapshot gets a fresh state. */
  async schedule(input: ClusterState | SchedulingSnapshot): Promise<RoundResult> {
    const state = input instanceof ClusterState ? input : this.createState(input);
    return commitPlan(this.decide(state), this.hooks, this.runtime);
  }

  /** Decides a round synchronously and applies it to `state`; `commit` is up to the caller. */
  decide(state: ClusterState): RoundPlan {
    const started = performance.now();
    this.errors = [];
    this.runtime.onPluginError = (error) => {
      if (this.errors.length < this.maxPluginErrors) this.errors.push(error);
    };
    const globals = this.placeGlobals(state);
    const work = this.revalidate(state);
    const { placements, unschedulable, passes } = this.placeQueue(state, work);
    return {
      round: ++this.round,
      state,
      placements,
      revocations: work.revocations,
      unschedulable,
      globals,
      pluginErrors: this.errors,
      queued: work.queue.length,
      kept: work.kept,
      evaluations: work.evaluations,
      passes,
      decideMs: performance.now() - started,
    };
  }

  /** Every plugin's verdict and score on every machine for one unit, as if it were not placed yet. */
  explain(state: ClusterState, unit: string): UnitExplanation {
    return explainUnit(state, unit, this.hooks, this.runtime, this.narrowing.reset(state.indexCapacity));
  }

  /** Global units run wherever filters pass; the first by name wins a conflict between two of them. */
  private placeGlobals(state: ClusterState): GlobalUnitDecision[] {
    const globals = [...state.units()].filter((unit) => state.unit(unit.name)?.global === true).sort(byName);
    for (const unit of globals) state.clearGlobal(unit.name);
    const decisions: GlobalUnitDecision[] = [];
    for (const unit of globals) {
      if (needsMachine(unit.desiredState)) decisions.push(this.placeGlobal(state, state.unit(unit.name) as ResolvedUnit));
    }
    return decisions;
  }

  private placeGlobal(state: ClusterState, unit: ResolvedUnit): GlobalUnitDecision {
    const narrowing = this.narrowing.reset(state.indexCapacity);
    this.hooks.narrow.call(unit, state, narrowing);
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
      scratch.reject(slot.index, this.runtime.rejectedBy, this.runtime.rejectedWithError, verdict);
    }
    state.setGlobal(unit.name, machines);
    const rejections = collectRejections(state.machines, candidates, rejected, narrowing, scratch, this.runtime.pluginNames);
    return { unit: unit.name, machines: machines.map((slot) => slot.id), rejections };
  }

  /** Revokes placements that no longer hold and queues every unit that needs a machine. */
  private revalidate(state: ClusterState): RoundWork {
    const work: RoundWork = { revocations: [], previous: new Map(), queue: [], kept: 0, evaluations: 0 };
    for (const [unit, machineId] of [...state.placements()]) this.revalidatePlacement(state, unit, machineId, work);
    for (const unit of state.units()) {
      if (!needsMachine(unit.desiredState) || state.placedMachineId(unit.name) !== undefined) continue;
      if (work.previous.has(unit.name)) continue;
      const resolution = state.resolution(unit.name);
      if (resolution?.ok && resolution.unit.global) continue;
      work.queue.push(unit.name);
    }
    work.queue.sort();
    return work;
  }

  private revalidatePlacement(state: ClusterState, unit: string, machineId: string, work: RoundWork): void {
    const record = state.rawUnit(unit);
    const resolution = state.resolution(unit);
    const revoke = (plugin: string | undefined, reason: string, requeue: boolean): void => {
      work.revocations.push({ unit, machine: machineId, plugin, reason });
      state.setPlacement(unit, undefined);
      if (requeue) {
        work.previous.set(unit, machineId);
        work.queue.push(unit);
      }
    };
    if (record === undefined) return revoke(undefined, 'unit was destroyed', false);
    if (!needsMachine(record.desiredState)) return revoke(undefined, 'desired state is inactive', false);
    if (resolution?.ok && resolution.unit.global) return revoke(undefined, 'unit is global: it runs on every eligible machine', false);
    const slot = state.machine(machineId);
    if (slot === undefined) return revoke(undefined, `machine ${machineId} is gone`, true);
    // A plugin that cannot resolve or judge the unit must not cause a reschedule storm: keep it.
    if (!resolution?.ok) {
      work.kept++;
      return;
    }
    work.evaluations++;
    const verdict = this.hooks.filter.call(resolution.unit, slot, state);
    if (verdict !== undefined && !this.runtime.rejectedWithError) {
      return revoke(this.runtime.pluginNames[this.runtime.rejectedBy], verdict, true);
    }
    work.kept++;
  }

  private placeQueue(state: ClusterState, work: RoundWork): { placements: PlacementDecision[]; unschedulable: UnschedulableUnit[]; passes: number } {
    const placements: PlacementDecision[] = [];
    const failures = new Map<string, UnschedulableUnit>();
    let pending = work.queue;
    let passes = 0;
    while (pending.length > 0 && passes < this.maxPasses) {
      passes++;
      const retry: string[] = [];
      for (const unit of pending) {
        const outcome = this.placeUnit(state, unit, work);
        if ('machine' in outcome) {
          placements.push(outcome);
          failures.delete(unit);
        } else {
          failures.set(unit, outcome);
          retry.push(unit);
        }
      }
      if (retry.length === pending.length) break;
      pending = retry;
    }
    return { placements, unschedulable: [...failures.values()].sort(byUnit), passes };
  }

  /** The hot loop: no allocation per machine, only per decision. */
  private placeUnit(state: ClusterState, name: string, work: RoundWork): PlacementDecision | UnschedulableUnit {
    const resolution = state.resolution(name);
    if (resolution === undefined || !resolution.ok) {
      const error = resolution?.ok === false ? resolution.error : undefined;
      return rejectedEverywhere(name, state.machines, error?.plugin ?? 'core', 'error', error?.message ?? 'unit is unknown');
    }
    const unit = resolution.unit;
    const { runtime, hooks, top } = this;
    const narrowing = this.narrowing.reset(state.indexCapacity);
    hooks.narrow.call(unit, state, narrowing);
    const candidates = narrowing.active ? narrowing.candidates() : state.machines;
    const scratch = this.scratch.reset(state.indexCapacity);
    top.reset();
    for (let i = 0; i < candidates.length; i++) {
      const slot = candidates[i] as MachineSlot;
      work.evaluations++;
      const verdict = hooks.filter.call(unit, slot, state);
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
      return unschedulableUnit(name, state.machines, candidates, narrowing, scratch, runtime.pluginNames);
    }
    state.setPlacement(name, best.id);
    return { unit: name, machine: best.id, previousMachine: work.previous.get(name), candidates: top.materialize(runtime.pluginNames) };
  }
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function byUnit(a: { unit: string }, b: { unit: string }): number {
  return a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0;
}
