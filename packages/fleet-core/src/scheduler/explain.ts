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
 * presence does not colour the answer.
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
    const machines = state.machines.map((slot) => explainMachine(unit, slot, state, hooks, runtime, narrowing));
    return finish(name, placedOn ?? globalOn[0]?.id, machines);
  } finally {
    if (placedOn !== undefined) state.setPlacement(name, placedOn);
    if (globalOn.length > 0) state.setGlobal(name, globalOn);
  }
}

function explainMachine(
  unit: ResolvedUnit,
  slot: MachineSlot,
  state: ClusterState,
  hooks: FleetHooks,
  runtime: HookRuntime,
  narrowing: Narrowing,
): MachineExplanation {
  const excluded = narrowing.excluding(slot);
  const excludedBy = excluded === undefined ? undefined : runtime.pluginNames[excluded.plugin];
  const verdicts: PluginVerdict[] = [];
  if (excluded !== undefined && excludedBy !== undefined) {
    verdicts.push({ plugin: excludedBy, verdict: 'narrow', message: excluded.reason });
  }
  for (const tap of hooks.filter.taps) {
    if (tap.name === excludedBy) continue;
    const message = (tap.fn as FilterFn)(unit, slot, state);
    if (message === undefined) verdicts.push(passVerdict(tap.name));
    else verdicts.push({ plugin: tap.name, verdict: runtime.rejectedWithError ? 'error' : 'filter', message });
  }
  const feasible = !verdicts.some((verdict) => verdict.verdict !== 'pass');
  if (!feasible) return { machine: slot.id, feasible, verdicts, total: undefined, scores: {} };
  runtime.resetScore();
  hooks.score.call(unit, slot, state);
  if (runtime.scoreFailedBy >= 0) {
    const plugin = runtime.pluginNames[runtime.scoreFailedBy] ?? 'core';
    verdicts.push({ plugin, verdict: 'error', message: runtime.scoreFailure });
    return { machine: slot.id, feasible: false, verdicts, total: undefined, scores: {} };
  }
  return { machine: slot.id, feasible, verdicts, total: runtime.scoreTotal, scores: scoresByPlugin(runtime) };
}

// One frozen "pass" verdict per plugin, shared by every machine of every explanation: most verdicts are passes.
const passVerdicts = new Map<string, PluginVerdict>();

function passVerdict(plugin: string): PluginVerdict {
  let verdict = passVerdicts.get(plugin);
  if (verdict === undefined) passVerdicts.set(plugin, (verdict = Object.freeze({ plugin, verdict: 'pass' as const })));
  return verdict;
}

function scoresByPlugin(runtime: HookRuntime): Record<string, number> {
  const scores: Record<string, number> = {};
  runtime.pluginNames.forEach((plugin, index) => {
    const points = runtime.scoreByPlugin[index] as number;
    if (points !== 0) scores[plugin] = points;
  });
  return scores;
}

function finish(unit: string, placedOn: string | undefined, machines: MachineExplanation[]): UnitExplanation {
  const feasible = machines
    .filter((machine) => machine.feasible)
    .sort((a, b) => (b.total as number) - (a.total as number) || (a.machine < b.machine ? -1 : 1));
  const infeasible = machines.filter((machine) => !machine.feasible);
  const rejections = infeasible.map((machine) => {
    const first = machine.verdicts.find((verdict) => verdict.verdict !== 'pass');
    return first !== undefined && 'message' in first ? { plugin: first.plugin, message: first.message } : { plugin: 'core', message: 'rejected' };
  });
  return {
    unit,
    placedOn,
    bestMachine: feasible[0]?.machine,
    summary: summarizeRejections(feasible.length, machines.length, rejections),
    machines: [...feasible, ...infeasible],
  };
}

function unresolvedExplanation(state: ClusterState, unit: string, placedOn: string | undefined, error: FleetError): UnitExplanation {
  const plugin = error.plugin ?? 'core';
  const machines = state.machines.map((slot) => ({
    machine: slot.id,
    feasible: false,
    verdicts: [{ plugin, verdict: 'error' as const, message: error.message }],
    total: undefined,
    scores: {},
  }));
  return finish(unit, placedOn, machines);
}
