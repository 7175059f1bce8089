import { ErrorCodes, FleetError } from '../errors.js';
import type { FleetHooks } from '../hooks/hooks.js';
import type { HookRuntime } from '../hooks/runtime.js';
import type { ResolvedUnit } from '../hooks/views.js';
import type { ClusterState, MachineSlot } from './cluster-state.js';
import type { MachineExplanation, PluginVerdict, UnitExplanation } from './decisions.js';
import type { Narrowing } from './narrowing.js';
import { summarizeRejections } from './summary.js';

type FilterFn = (unit: ResolvedUnit, machine: MachineSlot, cluster: ClusterState) => string | undefined;

/**
 * Asks every plugin about every machine, without bailing at the first
 * rejection, with the unit lifted off its current machine so its own
 * presence does not colour the answer. A plugin that promised in narrow to
 * pass every machine passes them without its filter being called, as when
 * deciding.
 */
export function explainUnit(
  state: ClusterState,
  name: string,
  hooks: FleetHooks,
  runtime: HookRuntime,
  narrowing: Narrowing,
): UnitExplanation {
  const resolution = state.resolution(name);
  if (resolution === undefined) {
    throw new FleetError(ErrorCodes.UNIT_NOT_FOUND, `unit ${name} is not submitted`, { unit: name });
  }
  const placedOn = state.placedMachineId(name);
  if (!resolution.ok) return unresolvedExplanation(state, name, placedOn, resolution.error);
  const unit = resolution.unit;
  const globalOn = unit.global ? state.globalMachines(name) : [];
  state.setPlacement(name, undefined);
  state.clearGlobal(name);
  try {
    hooks.narrow.call(unit, state, narrowing);
    return explainMachines(name, placedOn ?? globalOn[0]?.id, unit, state, hooks, runtime, narrowing);
  } finally {
    if (placedOn !== undefined) state.setPlacement(name, placedOn);
    if (globalOn.length > 0) state.setGlobal(name, globalOn);
  }
}

/** What every machine of one explanation shares: the filters to call and the verdicts that need no call. */
interface FilterPlan {
  readonly names: readonly string[];
  readonly fns: readonly FilterFn[];
  /** Per tap: the plugin promised (in narrow) to pass every machine, so its verdict is a pass without a call. */
  readonly promised: readonly boolean[];
  /** Tap indexes whose filter must be called, in call order. */
  readonly called: readonly number[];
  /** Per tap, its shared pass verdict. */
  readonly passes: readonly PluginVerdict[];
  /** The verdicts of a machine every filter passes and no restriction leaves out, shared by all such machines. */
  readonly allPass: readonly PluginVerdict[];
}

function filterPlan(hooks: FleetHooks, runtime: HookRuntime, narrowing: Narrowing): FilterPlan {
  const taps = hooks.filter.taps;
  const names: string[] = [];
  const fns: FilterFn[] = [];
  const promised: boolean[] = [];
  const called: number[] = [];
  const passes: PluginVerdict[] = [];
  for (const tap of taps) {
    const passing = narrowing.passing.length > 0 && narrowing.passing.includes(runtime.pluginIndex(tap.name));
    if (!passing) called.push(names.length);
    names.push(tap.name);
    fns.push(tap.fn as FilterFn);
    promised.push(passing);
    passes.push(passVerdict(tap.name));
  }
  return { names, fns, promised, called, passes, allPass: Object.freeze([...passes]) };
}

/**
 * Every machine's explanation, feasible ones first by score (ties by ID:
 * machines come sorted by ID and the sort is stable), then the rest by ID.
 * Filters whose plugin promised in narrow to pass every machine are not
 * called, as when deciding; machines that pass everything share one verdict
 * list and machines with the same points share one scores record.
 */
function explainMachines(
  name: string,
  placedOn: string | undefined,
  unit: ResolvedUnit,
  state: ClusterState,
  hooks: FleetHooks,
  runtime: HookRuntime,
  narrowing: Narrowing,
): UnitExplanation {
  const { names, fns, promised, called, passes, allPass } = filterPlan(hooks, runtime, narrowing);
  const tapCount = fns.length;
  const narrowed = narrowing.active;
  const scores = new ScoresCache(hooks, runtime);
  const feasible: MachineExplanation[] = [];
  const infeasible: MachineExplanation[] = [];
  const rejections: { plugin: string; message: string }[] = [];
  const machines = state.machines;
  for (let m = 0; m < machines.length; m++) {
    const slot = machines[m] as MachineSlot;
    const excluded = narrowed ? narrowing.excluding(slot) : undefined;
    const excludedBy = excluded === undefined ? undefined : runtime.pluginNames[excluded.plugin];
    // Verdicts are only copied out of allPass once a machine has a verdict that is not a pass.
    let verdicts: PluginVerdict[] | undefined;
    let firstRejection: { plugin: string; message: string } | undefined;
    if (excluded !== undefined && excludedBy !== undefined) {
      verdicts = [{ plugin: excludedBy, verdict: 'narrow', message: excluded.reason }];
      firstRejection = { plugin: excludedBy, message: excluded.reason };
    }
    let from = 0;
    if (verdicts === undefined) {
      // Until a filter rejects, only the filters that must be called are: the verdicts so far are all passes.
      from = tapCount;
      for (let c = 0; c < called.length; c++) {
        const t = called[c] as number;
        const message = (fns[t] as FilterFn)(unit, slot, state);
        if (message === undefined) continue;
        const plugin = names[t] as string;
        verdicts = allPass.slice(0, t);
        verdicts.push({ plugin, verdict: runtime.rejectedWithError ? 'error' : 'filter', message });
        firstRejection = { plugin, message };
        from = t + 1;
        break;
      }
    }
    for (let t = from; t < tapCount; t++) {
      const plugin = names[t] as string;
      if (plugin === excludedBy) continue;
      const message = promised[t] === true ? undefined : (fns[t] as FilterFn)(unit, slot, state);
      if (message === undefined) {
        if (verdicts !== undefined) verdicts.push(passes[t] as PluginVerdict);
        continue;
      }
      if (verdicts === undefined) verdicts = allPass.slice(0, t);
      verdicts.push({ plugin, verdict: runtime.rejectedWithError ? 'error' : 'filter', message });
      firstRejection ??= { plugin, message };
    }
    if (verdicts !== undefined) {
      infeasible.push({ machine: slot.id, feasible: false, verdicts, total: undefined, scores: NO_SCORES });
      rejections.push(firstRejection as { plugin: string; message: string });
      continue;
    }
    runtime.resetScore();
    hooks.score.call(unit, slot, state);
    if (runtime.scoreFailedBy >= 0) {
      const plugin = runtime.pluginNames[runtime.scoreFailedBy] ?? 'core';
      const message = runtime.scoreFailure;
      infeasible.push({ machine: slot.id, feasible: false, verdicts: [...allPass, { plugin, verdict: 'error', message }], total: undefined, scores: NO_SCORES });
      rejections.push({ plugin, message });
      continue;
    }
    feasible.push({ machine: slot.id, feasible: true, verdicts: allPass, total: runtime.scoreTotal, scores: scores.current() });
  }
  return finish(name, placedOn, feasible, infeasible, rejections);
}

// One frozen "pass" verdict per plugin, shared by every machine of every explanation: most verdicts are passes.
const passVerdicts = new Map<string, PluginVerdict>();

function passVerdict(plugin: string): PluginVerdict {
  let verdict = passVerdicts.get(plugin);
  if (verdict === undefined) passVerdicts.set(plugin, (verdict = Object.freeze({ plugin, verdict: 'pass' as const })));
  return verdict;
}

/** The scores of a machine that was not scored, shared. */
const NO_SCORES: Readonly<Record<string, number>> = Object.freeze({});

/**
 * The per-plugin points of the last score call as a frozen record, one per
 * distinct set of points within an explanation: machines mostly score alike
 * (the same load), so they share records instead of building one each.
 */
class ScoresCache {
  /** Plugin indexes that have a score tap, ascending: only they ever get points. */
  private readonly scored: number[];
  private readonly root = new Map<number, unknown>();
  /** The points and record of the previous call: neighbouring machines mostly score alike. */
  private readonly lastPoints: Float64Array;
  private lastRecord: Readonly<Record<string, number>> | undefined;

  constructor(
    hooks: FleetHooks,
    private readonly runtime: HookRuntime,
  ) {
    const scored = new Set<number>();
    for (const tap of hooks.score.taps) {
      const index = runtime.pluginIndex(tap.name);
      if (index >= 0) scored.add(index);
    }
    this.scored = [...scored].sort((a, b) => a - b);
    this.lastPoints = new Float64Array(this.scored.length);
  }

  current(): Readonly<Record<string, number>> {
    const points = this.runtime.scoreByPlugin;
    const scored = this.scored;
    const last = scored.length - 1;
    if (last < 0) return NO_SCORES;
    const lastPoints = this.lastPoints;
    if (this.lastRecord !== undefined) {
      let same = true;
      for (let i = 0; i <= last && same; i++) same = points[scored[i] as number] === lastPoints[i];
      if (same) return this.lastRecord;
    }
    for (let i = 0; i <= last; i++) lastPoints[i] = points[scored[i] as number] as number;
    this.lastRecord = this.lookup();
    return this.lastRecord;
  }

  private lookup(): Readonly<Record<string, number>> {
    const points = this.runtime.scoreByPlugin;
    const scored = this.scored;
    const last = scored.length - 1;
    let level = this.root;
    for (let i = 0; i < last; i++) {
      const value = points[scored[i] as number] as number;
      let next = level.get(value) as Map<number, unknown> | undefined;
      if (next === undefined) level.set(value, (next = new Map<number, unknown>()));
      level = next;
    }
    const value = points[scored[last] as number] as number;
    let record = level.get(value) as Readonly<Record<string, number>> | undefined;
    if (record === undefined) level.set(value, (record = this.build()));
    return record;
  }

  private build(): Readonly<Record<string, number>> {
    const record: Record<string, number> = {};
    const { pluginNames, scoreByPlugin } = this.runtime;
    for (const index of this.scored) {
      const points = scoreByPlugin[index] as number;
      if (points !== 0) record[pluginNames[index] as string] = points;
    }
    return Object.freeze(record);
  }
}

function finish(
  unit: string,
  placedOn: string | undefined,
  feasible: MachineExplanation[],
  infeasible: readonly MachineExplanation[],
  rejections: readonly { plugin: string; message: string }[],
): UnitExplanation {
  sortByScore(feasible);
  const machineCount = feasible.length + infeasible.length;
  return {
    unit,
    placedOn,
    bestMachine: feasible[0]?.machine,
    summary: summarizeRejections(feasible.length, machineCount, rejections),
    machines: infeasible.length === 0 ? feasible : feasible.concat(infeasible),
  };
}

/** Beyond this many distinct totals, feasible machines are sorted by comparison instead of bucketed. */
const MAX_BUCKETS = 32;

/**
 * Sorts feasible machines, which come sorted by ID, by total score, highest
 * first, keeping equal totals in ID order (as a stable sort does). Machines
 * mostly share a few totals (the same load): then they are bucketed per
 * distinct total in two passes instead of compared.
 */
function sortByScore(machines: MachineExplanation[]): void {
  const count = machines.length;
  const distinct: number[] = [];
  let last = Number.NaN;
  for (let i = 0; i < count; i++) {
    const total = (machines[i] as MachineExplanation).total as number;
    if (total === last) continue;
    last = total;
    if (distinct.includes(total)) continue;
    if (distinct.length === MAX_BUCKETS) {
      machines.sort((a, b) => (b.total as number) - (a.total as number));
      return;
    }
    distinct.push(total);
  }
  if (distinct.length <= 1) return;
  distinct.sort((a, b) => b - a);
  const kinds = distinct.length;
  const buckets = new Uint8Array(count);
  const offsets = new Uint32Array(kinds + 1);
  last = Number.NaN;
  let bucket = 0;
  for (let i = 0; i < count; i++) {
    const total = (machines[i] as MachineExplanation).total as number;
    if (total !== last) {
      last = total;
      bucket = 0;
      while (distinct[bucket] !== total) bucket++;
    }
    buckets[i] = bucket;
    offsets[bucket + 1] = (offsets[bucket + 1] as number) + 1;
  }
  for (let k = 0; k < kinds; k++) offsets[k + 1] = (offsets[k + 1] as number) + (offsets[k] as number);
  const inIdOrder = machines.slice();
  for (let i = 0; i < count; i++) {
    const at = buckets[i] as number;
    const position = offsets[at] as number;
    offsets[at] = position + 1;
    machines[position] = inIdOrder[i] as MachineExplanation;
  }
}

function unresolvedExplanation(state: ClusterState, unit: string, placedOn: string | undefined, error: FleetError): UnitExplanation {
  const plugin = error.plugin ?? 'core';
  const message = error.message;
  const machines = state.machines.map((slot) => ({
    machine: slot.id,
    feasible: false,
    verdicts: [{ plugin, verdict: 'error' as const, message }],
    total: undefined,
    scores: NO_SCORES,
  }));
  return finish(unit, placedOn, [], machines, machines.map(() => ({ plugin, message })));
}
