import { createMachine, ErrorCodes, FleetError, summarizeRejections } from '@fleetd/core';
import type { Machine, PluginHost, Unit } from '@fleetd/core';
import { MAX_SETTLE_ROUNDS, Scheduler } from '@fleetd/core/unstable';
import type { ClusterState, PluginErrorSink, RoundPlan, SchedulingSnapshot, SettledPlan } from '@fleetd/core/unstable';
import type { PlanMachineInput, PlannedUnit, PlanRequest, PlanResult, PlanUnitInput } from '../api/wire.js';
import { validUnit } from './put-unit.js';

export interface PlanOptions {
  /**
   * Where the plugin errors of the dry run go (its rounds' and any raised
   * outside them): the daemon logs and counts them. Default: errors raised
   * outside a round go to the failing plugin's logger; a round's show only as
   * `error` rejections.
   */
  readonly onPluginError?: PluginErrorSink;
  /** Rounds decided at most before the plan is reported as not settled. Default MAX_SETTLE_ROUNDS (100). */
  readonly maxRounds?: number;
}

/**
 * Unit × machine decisions one plan request may ask of the daemon. A plan runs
 * on the daemon's only thread and an unschedulable unit keeps a rejection per
 * machine: 2,000 such units on 20,000 machines (a 0.5 MB request) held the
 * event loop for 47 s and took 2.8 GB. At this cap the worst case measured
 * 1.8 s and a 100 MB answer; plain units cost 0.2 s.
 */
export const MAX_PLAN_DECISIONS = 1_000_000;

/** Refuses an API plan over MAX_PLAN_DECISIONS (`fleetctl simulate` plans offline, in its own process, without a cap). */
export function checkPlanSize(request: PlanRequest, liveMachines: number): void {
  const machines = request.machines?.length ?? liveMachines;
  const decisions = request.units.length * machines;
  if (decisions <= MAX_PLAN_DECISIONS) return;
  throw new FleetError(
    ErrorCodes.PLAN_TOO_LARGE,
    `plan of ${request.units.length} units on ${machines} machines asks for ${decisions} unit-machine decisions, at most ${MAX_PLAN_DECISIONS}; plan fewer units at a time`,
  );
}

/**
 * A dry run: where the engine's successive rounds would leave the requested
 * units, added (or replaced, keeping their placements) to the live cluster in
 * `snapshot`, or, when the request lists machines, to only those machines
 * (`fleetctl simulate`, offline). Rounds are decided until nothing changes,
 * as the engine's rounds go on until nothing changes: one round alone
 * misses what later rounds do (a MachineOf chain listed against its order
 * follows one link per pass). Pure: writes nothing.
 */
export function planUnits(host: PluginHost, snapshot: SchedulingSnapshot, request: PlanRequest, options: PlanOptions = {}): PlanResult {
  const base: SchedulingSnapshot = request.machines === undefined ? snapshot : { machines: request.machines.map(simulatedMachine), units: [] };
  const requested = requestedUnits(host, base, request.units);
  const before = new Map((base.placements ?? []).map((placement) => [placement.unit, placement.machine]));
  const scheduler = new Scheduler(host, options.onPluginError === undefined ? {} : { onPluginError: options.onPluginError });
  const state = scheduler.createState({ ...base, units: mergeUnits(base.units, requested) });
  const settled = scheduler.settle(state, options.maxRounds ?? MAX_SETTLE_ROUNDS);
  if (options.onPluginError !== undefined) for (const error of settled.pluginErrors) options.onPluginError(error);
  const names = new Set(requested.map((unit) => unit.name));
  return {
    units: requested.map((unit) => plannedUnit(unit.name, settled.last, state, before.get(unit.name))),
    moved: [...before]
      .filter(([unit, from]) => !names.has(unit) && state.rawUnit(unit) !== undefined && state.placedMachineId(unit) !== from)
      .map(([unit, from]) => ({ unit, from, to: state.placedMachineId(unit) })),
    ...unsettled(settled),
  };
}

/** A plan whose rounds still changed placements at the cap says so: its units show where the last round left them. */
function unsettled(settled: SettledPlan): Pick<PlanResult, 'settled' | 'message'> {
  if (settled.settled) return {};
  return {
    settled: false,
    message: `the plan did not settle: placements still changed after ${settled.rounds} rounds (plugins that keep moving units?); units are shown where the last round left them`,
  };
}

function simulatedMachine(input: PlanMachineInput): Machine {
  return createMachine({ id: input.id, metadata: input.metadata ?? {}, facts: input.facts });
}

function requestedUnits(host: PluginHost, base: SchedulingSnapshot, inputs: readonly PlanUnitInput[]): Unit[] {
  const existing = new Map(base.units.map((unit) => [unit.name, unit]));
  const seen = new Set<string>();
  return inputs.map((input) => {
    if (seen.has(input.name)) throw new FleetError(ErrorCodes.SNAPSHOT_INVALID, `plan lists unit ${input.name} twice`, { unit: input.name });
    seen.add(input.name);
    return requestedUnit(host, input, existing.get(input.name));
  });
}

function requestedUnit(host: PluginHost, input: PlanUnitInput, existing: Unit | undefined): Unit {
  if (input.contents !== undefined && input.options !== undefined) {
    throw new FleetError(ErrorCodes.UNIT_INVALID, `unit ${input.name}: give its contents or its options, not both`, { unit: input.name });
  }
  const contents = input.contents ?? input.options ?? existing?.file.options;
  if (contents === undefined) {
    throw new FleetError(ErrorCodes.UNIT_NOT_FOUND, `unit ${input.name} is not submitted; give its contents or options to plan it`, { unit: input.name });
  }
  return validUnit(host, input.name, contents, input.desiredState ?? 'launched');
}

function mergeUnits(units: readonly Unit[], requested: readonly Unit[]): Unit[] {
  const byName = new Map(units.map((unit) => [unit.name, unit]));
  for (const unit of requested) byName.set(unit.name, unit);
  return [...byName.values()];
}

/** One requested unit as the settled state has it; `last` is the round that found nothing more to change. */
function plannedUnit(name: string, last: RoundPlan, state: ClusterState, previous: string | undefined): PlannedUnit {
  const global = last.globals.find((decision) => decision.unit === name);
  if (global !== undefined) {
    const summary = global.machines.length === 0 ? { summary: summarizeRejections(0, state.machines.length, global.rejections) } : {};
    return { unit: name, machines: global.machines, ...summary, ...(global.rejections.length > 0 ? { rejections: global.rejections } : {}) };
  }
  const moved = (machine: string | undefined) => (previous !== undefined && previous !== machine ? { previousMachine: previous } : {});
  const unschedulable = last.unschedulable.find((decision) => decision.unit === name);
  if (unschedulable !== undefined) {
    return { unit: name, ...moved(undefined), summary: unschedulable.summary, rejections: unschedulable.rejections };
  }
  const machine = state.placedMachineId(name);
  return machine === undefined ? { unit: name } : { unit: name, machine, ...moved(machine) };
}
