import { ErrorCodes, FleetError } from '../errors.js';
import type { FilterPlan, HookRunner, RejectionSink } from '../hooks/runner.js';
import type { ResolvedUnit } from '../hooks/views.js';
import type { ClusterState, MachineSlot } from './cluster-state.js';
import type { MachineExplanation, PluginVerdict, UnitExplanation } from './decisions.js';
import type { Narrowing } from './narrowing.js';
import { summarizeRejections } from './summary.js';

/**
 * Asks every plugin about every machine, without bailing at the first
 * rejection, with the unit lifted off its current machine so its own
 * presence does not colour the answer. A plugin that promised in narrow to
 * pass every machine passes them without its filter being called, as when
 * deciding.
 */
export function explainUnit(state: ClusterState, name: string, runner: HookRunner, narrowing: Narrowing): UnitExplanation {
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
    runner.narrow(unit, state, narrowing, narrowing.facade);
    return explainMachines(name, placedOn ?? globalOn[0]?.id, unit, state, runner, narrowing);
  } finally {
    if (placedOn !== undefined) state.setPlacement(name, placedOn);
    if (globalOn.length > 0) state.setGlobal(name, globalOn);
  }
}

/** The last rejection a filter or score run reported: explanations read it right after each run. */
class LastRejection implements RejectionSink {
  plugin = -1;
  isError = false;
  message = '';

  reject(_machineIndex: number, plugin: number, isError: boolean, message: string): void {
    this.plugin = plugin;
    this.isError = isError;
    this.message = message;
  }
}

/**
 * Every machine's explanation, feasible ones first by score (ties by ID:
 * machines come sorted by ID and the sort is stable), then the rest by ID.
 * Machines that pass everything share one verdict list and machines with the
 * same points share one scores record.
 */
function explainMachines(
  name: string,
  placedOn: string | undefined,
  unit: ResolvedUnit,
  state: ClusterState,
  runner: HookRunner,
  narrowing: Narrowing,
): UnitExplanation {
  const names = runner.filterTaps.map((tap) => tap.plugin);
  const passes = names.map(passVerdict);
  const allPass: readonly PluginVerdict[] = Object.freeze([...passes]);
  const plan = runner.filterPlan(narrowing.passing);
  const last = new LastRejection();
  const points = runner.createScoreVector();
  const scores = new ScoresCache(runner, points);
  const feasible: MachineExplanation[] = [];
  const infeasible: MachineExplanation[] = [];
  const rejections: { plugin: string; message: string }[] = [];
  const narrowed = narrowing.active;
  for (const slot of state.machines) {
    const excluded = narrowed ? narrowing.excluding(slot) : undefined;
    const excludedBy = excluded === undefined ? undefined : runner.pluginNames[excluded.plugin];
    let verdicts: PluginVerdict[] | undefined;
    let firstRejection: { plugin: string; message: string } | undefined;
    let machinePlan = plan;
    if (excluded !== undefined && excludedBy !== undefined) {
      verdicts = [{ plugin: excludedBy, verdict: 'narrow', message: excluded.reason }];
      firstRejection = { plugin: excludedBy, message: excluded.reason };
      // The restriction already speaks for that plugin on this machine: its filter is not asked too.
      machinePlan = runner.filterPlan(narrowing.passing, excluded.plugin);
    }
    verdicts = filterVerdicts(unit, slot, state, runner, machinePlan, last, names, passes, excludedBy, verdicts);
    if (verdicts !== undefined) {
      firstRejection ??= firstRejectionOf(verdicts);
      infeasible.push({ machine: slot.id, feasible: false, verdicts, total: undefined, scores: NO_SCORES });
      rejections.push(firstRejection as { plugin: string; message: string });
      continue;
    }
    const total = runner.score(unit, slot, state, points, last);
    if (total !== total) {
      const plugin = runner.pluginNames[last.plugin] ?? 'core';
      const message = last.message;
      infeasible.push({ machine: slot.id, feasible: false, verdicts: [...allPass, { plugin, verdict: 'error', message }], total: undefined, scores: NO_SCORES });
      rejections.push({ plugin, message });
      continue;
    }
    feasible.push({ machine: slot.id, feasible: true, verdicts: allPass, total, scores: scores.current() });
  }
  return finish(name, placedOn, feasible, infeasible, rejections);
}

/**
 * One machine's filter verdicts, in tap order: the plan's filters run through
 * the one filter loop, resumed after each rejection; taps it does not call
 * (promised passes) pass. Undefined when every filter passes, so such
 * machines share one list; `verdicts` may come with a narrowing verdict, and
 * then `skipped`'s taps get no verdict of their own.
 */
function filterVerdicts(
  unit: ResolvedUnit,
  slot: MachineSlot,
  state: ClusterState,
  runner: HookRunner,
  plan: FilterPlan,
  last: LastRejection,
  names: readonly string[],
  passes: readonly PluginVerdict[],
  skipped: string | undefined,
  verdicts: PluginVerdict[] | undefined,
): PluginVerdict[] | undefined {
  let written = 0;
  const passUntil = (end: number, into: PluginVerdict[]): void => {
    for (; written < end; written++) if (names[written] !== skipped) into.push(passes[written] as PluginVerdict);
  };
  for (let from = 0; ; ) {
    const p = runner.runFilters(unit, slot, state, plan, from, last);
    if (p < 0) break;
    const position = plan.positions[p] as number;
    const list = (verdicts ??= []);
    passUntil(position, list);
    list.push({ plugin: names[position] as string, verdict: last.isError ? 'error' : 'filter', message: last.message });
    written = position + 1;
    from = p + 1;
  }
  if (verdicts !== undefined) passUntil(names.length, verdicts);
  return verdicts;
}

function firstRejectionOf(verdicts: readonly PluginVerdict[]): { plugin: string; message: string } | undefined {
  for (const verdict of verdicts) if (verdict.verdict !== 'pass') return { plugin: verdict.plugin, message: verdict.message };
  return undefined;
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
  private readonly scored: readonly number[];
  private readonly root = new Map<number, unknown>();
  /** The points and record of the previous call: neighbouring machines mostly score alike. */
  private readonly lastPoints: Float64Array;
  private lastRecord: Readonly<Record<string, number>> | undefined;

  constructor(
    private readonly runner: HookRunner,
    /** The score vector the explanation's score runs write into. */
    private readonly points: Float64Array,
  ) {
    this.scored = runner.scoredPlugins;
    this.lastPoints = new Float64Array(this.scored.length);
  }

  current(): Readonly<Record<string, number>> {
    const points = this.points;
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
    const points = this.points;
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
    const names = this.runner.pluginNames;
    for (const index of this.scored) {
      const points = this.points[index] as number;
      if (points !== 0) record[names[index] as string] = points;
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
