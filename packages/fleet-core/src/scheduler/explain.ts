import { ErrorCodes, FleetError } from '../errors.js';
import type { FilterPlan } from '../hooks/hot-paths.js';
import type { HookRunner, RejectionSink } from '../hooks/runner.js';
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
  const scoring = runner.scorePlan(narrowing.scoringNothing);
  const last = new LastRejection();
  const points = runner.createScoreVector();
  const feasible = new ByScore(new ScoresCache(runner, points));
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
    // Most machines of most units have no filter to ask (every plugin promised to pass): no call then.
    if (machinePlan.taps.length > 0) verdicts = filterVerdicts(unit, slot, state, runner, machinePlan, last, names, passes, excludedBy, verdicts);
    else if (verdicts !== undefined) pushPasses(verdicts, 0, names.length, names, passes, excludedBy);
    if (verdicts !== undefined) {
      firstRejection ??= firstRejectionOf(verdicts);
      infeasible.push({ machine: slot.id, feasible: false, verdicts, total: undefined, scores: NO_SCORES });
      rejections.push(firstRejection as { plugin: string; message: string });
      continue;
    }
    const total = runner.score(unit, slot, state, points, last, scoring);
    if (total !== total) {
      const plugin = runner.pluginNames[last.plugin] ?? 'core';
      const message = last.message;
      infeasible.push({
        machine: slot.id,
        feasible: false,
        verdicts: [...allPass, { plugin, verdict: 'error', message }],
        total: undefined,
        scores: NO_SCORES,
      });
      rejections.push({ plugin, message });
      continue;
    }
    feasible.add(slot.id, total, allPass);
  }
  return finish(name, placedOn, feasible.sorted(), infeasible, rejections);
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
  for (let from = 0; ;) {
    const p = runner.runFilters(unit, slot, state, plan, from, last);
    if (p < 0) break;
    const position = plan.positions[p] as number;
    const list = (verdicts ??= []);
    pushPasses(list, written, position, names, passes, skipped);
    list.push({ plugin: names[position] as string, verdict: last.isError ? 'error' : 'filter', message: last.message });
    written = position + 1;
    from = p + 1;
  }
  if (verdicts !== undefined) pushPasses(verdicts, written, names.length, names, passes, skipped);
  return verdicts;
}

/** The pass verdicts of taps `from` to `to` (not included), but `skipped`'s; returns `to`. */
function pushPasses(
  into: PluginVerdict[],
  from: number,
  to: number,
  names: readonly string[],
  passes: readonly PluginVerdict[],
  skipped: string | undefined,
): void {
  for (let t = from; t < to; t++) if (names[t] !== skipped) into.push(passes[t] as PluginVerdict);
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

/** One total's scores record cache: the points and record of the last machine with that total. */
interface ScoreGroup {
  readonly index: number;
  readonly lastPoints: Float64Array;
  lastRecord: Readonly<Record<string, number>> | undefined;
}

/**
 * The per-plugin points of the last score call as a frozen record, one per
 * distinct set of points within an explanation: machines mostly score alike
 * (the same load), so they share records instead of building one each.
 * Machines of one total nearly always have the same points, so each group
 * remembers its last record and the lookup is skipped.
 */
class ScoresCache {
  /** Plugin indexes that have a score tap, ascending: only they ever get points. */
  readonly scored: readonly number[];
  private readonly root = new Map<number, unknown>();

  constructor(
    private readonly runner: HookRunner,
    /** The score vector the explanation's score runs write into. */
    private readonly points: Float64Array,
  ) {
    this.scored = runner.scoredPlugins;
  }

  current(group: ScoreGroup): Readonly<Record<string, number>> {
    const points = this.points;
    const scored = this.scored;
    const last = scored.length - 1;
    if (last < 0) return NO_SCORES;
    const lastPoints = group.lastPoints;
    if (group.lastRecord !== undefined) {
      let same = true;
      for (let i = 0; i <= last && same; i++) same = points[scored[i] as number] === lastPoints[i];
      if (same) return group.lastRecord;
    }
    for (let i = 0; i <= last; i++) lastPoints[i] = points[scored[i] as number] as number;
    group.lastRecord = this.lookup();
    return group.lastRecord;
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
  const machineCount = feasible.length + infeasible.length;
  return {
    unit,
    placedOn,
    bestMachine: feasible[0]?.machine,
    summary: summarizeRejections(feasible.length, machineCount, rejections),
    machines: infeasible.length === 0 ? feasible : feasible.concat(infeasible),
  };
}

/**
 * Feasible machines, which come in ID order, read back highest total first:
 * the order of a stable sort by score (equal totals stay in ID order). Each
 * machine's group (its total) is noted as it comes, so reading back is a
 * counting sort, with no comparison. Machines mostly share a few totals (the
 * same load): a map lookup per change of total.
 */
class ByScore {
  private readonly groups = new Map<number, ScoreGroup>();
  private readonly totals: number[] = [];
  private readonly machines: MachineExplanation[] = [];
  private groupOf = new Uint32Array(256);
  private lastTotal = Number.NaN;
  private last: ScoreGroup | undefined;

  constructor(private readonly scores: ScoresCache) {}

  add(machine: string, total: number, verdicts: readonly PluginVerdict[]): void {
    let group = this.last;
    if (group === undefined || total !== this.lastTotal) {
      this.lastTotal = total;
      group = this.groups.get(total);
      if (group === undefined) {
        group = { index: this.totals.length, lastPoints: new Float64Array(this.scores.scored.length), lastRecord: undefined };
        this.groups.set(total, group);
        this.totals.push(total);
      }
      this.last = group;
    }
    const at = this.machines.length;
    if (at === this.groupOf.length) {
      const grown = new Uint32Array(at * 2);
      grown.set(this.groupOf);
      this.groupOf = grown;
    }
    this.groupOf[at] = group.index;
    this.machines.push({ machine, feasible: true, verdicts, total, scores: this.scores.current(group) });
  }

  sorted(): MachineExplanation[] {
    const { machines, totals, groupOf } = this;
    if (totals.length <= 1) return machines;
    // Where each group starts in the result: groups by total, highest first.
    const order = totals.map((_, index) => index).sort((a, b) => (totals[b] as number) - (totals[a] as number));
    const starts = new Uint32Array(totals.length);
    const counts = new Uint32Array(totals.length);
    for (let i = 0; i < machines.length; i++) {
      const group = groupOf[i] as number;
      counts[group] = (counts[group] as number) + 1;
    }
    let next = 0;
    for (const index of order) {
      starts[index] = next;
      next += counts[index] as number;
    }
    const sorted = new Array<MachineExplanation>(machines.length);
    for (let i = 0; i < machines.length; i++) {
      const group = groupOf[i] as number;
      const position = starts[group] as number;
      starts[group] = position + 1;
      sorted[position] = machines[i] as MachineExplanation;
    }
    return sorted;
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
  return finish(
    unit,
    placedOn,
    [],
    machines,
    machines.map(() => ({ plugin, message })),
  );
}
