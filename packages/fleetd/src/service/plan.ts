import { createMachine, ErrorCodes, FleetError, summarizeRejections } from '@fleetd/core';
import { Scheduler } from '@fleetd/core/unstable';
import type { Machine, PluginHost, Unit } from '@fleetd/core';
import type { ClusterState, PluginErrorSink, RoundPlan, SchedulingSnapshot } from '@fleetd/core/unstable';
import type { PlanMachineInput, PlannedUnit, PlanRequest, PlanResult, PlanUnitInput } from '../api/wire.js';
import { validUnit } from './put-unit.js';

export interface PlanOptions {
  /**
   * Where the plugin errors of the dry run go (its round's and any raised
   * outside it): the daemon logs and counts them. Default: errors raised
   * outside a round go to the failing plugin's logger; a round's show only as
   * `error` rejections.
   */
  readonly onPluginError?: PluginErrorSink;
}

/**
 * A dry run: what one scheduling round would do with the requested units
 * added (or replaced, keeping their placements), against the live cluster in
 * `snapshot`, or, when the request lists machines, against only those
 * machines (`fleetctl simulate`, offline). Pure: writes nothing.
 */
export function planUnits(host: PluginHost, snapshot: SchedulingSnapshot, request: PlanRequest, options: PlanOptions = {}): PlanResult {
  const base: SchedulingSnapshot = request.machines === undefined ? snapshot : { machines: request.machines.map(simulatedMachine), units: [] };
  const requested = requestedUnits(host, base, request.units);
  const before = new Map((base.placements ?? []).map((p) => [p.unit, p.machine]));
  const scheduler = new Scheduler(host, options.onPluginError === undefined ? {} : { onPluginError: options.onPluginError });
  const state = scheduler.createState({ ...base, units: mergeUnits(base.units, requested) });
  const plan = scheduler.decide(state);
  if (options.onPluginError !== undefined) for (const error of plan.pluginErrors) options.onPluginError(error);
  const names = new Set(requested.map((unit) => unit.name));
  return {
    units: requested.map((unit) => plannedUnit(unit.name, plan, state, before.get(unit.name))),
    moved: [...before]
      .filter(([unit, from]) => !names.has(unit) && state.rawUnit(unit) !== undefined && state.placedMachineId(unit) !== from)
      .map(([unit, from]) => ({ unit, from, to: state.placedMachineId(unit) })),
  };
}

function simulatedMachine(input: PlanMachineInput): Machine {
  return createMachine({ id: input.id, metadata: input.metadata ?? {} });
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

function plannedUnit(name: string, plan: RoundPlan, state: ClusterState, previous: string | undefined): PlannedUnit {
  const global = plan.globals.find((decision) => decision.unit === name);
  if (global !== undefined) {
    const summary = global.machines.length === 0 ? { summary: summarizeRejections(0, state.machines.length, global.rejections) } : {};
    return { unit: name, machines: global.machines, ...summary, ...(global.rejections.length > 0 ? { rejections: global.rejections } : {}) };
  }
  const moved = (machine: string | undefined) => (previous !== undefined && previous !== machine ? { previousMachine: previous } : {});
  const unschedulable = plan.unschedulable.find((decision) => decision.unit === name);
  if (unschedulable !== undefined) {
    return { unit: name, ...moved(undefined), summary: unschedulable.summary, rejections: unschedulable.rejections };
  }
  const machine = state.placedMachineId(name);
  return machine === undefined ? { unit: name } : { unit: name, machine, ...moved(machine) };
}
