import { FleetError, ErrorCodes, describeThrown } from '../errors.js';
import type { FleetHooks } from '../hooks/hooks.js';
import type { HookRuntime } from '../hooks/runtime.js';
import type { BindBatch, PlacementDecision, RefusedPlacement, Revocation, RoundResult } from './decisions.js';
import type { RoundPlan } from './scheduler.js';

/**
 * Writes what `bind` taps let through (the engine's fenced registry writes).
 * It may refuse single placements through the batch; throwing fails the round.
 */
export type PlanCommitter = (batch: BindBatch) => Promise<void>;

/**
 * Runs `bind` over a decided round, then the committer, rolls back what they
 * refused (or all of it when either failed: a store error never revokes a
 * placement), then tells the observers what was committed.
 */
export async function commitPlan(plan: RoundPlan, hooks: FleetHooks, runtime: HookRuntime, committer?: PlanCommitter): Promise<RoundResult> {
  const started = performance.now();
  const refusals = new Map<string, RefusedPlacement>();
  const batch = bindBatch(plan, runtime, refusals);
  let bindError: FleetError | undefined;
  try {
    await hooks.bind.promise(batch);
    runtime.bindingPlugin = 'core';
    await committer?.(batch);
  } catch (error) {
    bindError = asFleetError(error);
  } finally {
    runtime.bindingPlugin = undefined;
  }
  if (bindError !== undefined) rollBack(plan);
  else for (const refusal of refusals.values()) plan.state.setPlacement(refusal.unit, undefined);
  const placements = bindError ? [] : plan.placements.filter((placement) => !refusals.has(placement.unit));
  const revocations = bindError ? [] : plan.revocations;
  const result: RoundResult = {
    round: plan.round,
    placements,
    revocations,
    unschedulable: plan.unschedulable,
    globals: plan.globals,
    refused: [...refusals.values()],
    pluginErrors: plan.pluginErrors,
    bindError,
    stats: {
      queued: plan.queued,
      kept: plan.kept,
      machines: plan.state.machines.length,
      evaluations: plan.evaluations,
      revalidations: plan.revalidations,
      passes: plan.passes,
      decideMs: plan.decideMs,
      bindMs: performance.now() - started,
    },
  };
  notifyObservers(hooks, result);
  return result;
}

function bindBatch(plan: RoundPlan, runtime: HookRuntime, refusals: Map<string, RefusedPlacement>): BindBatch {
  const byUnit = new Map<string, PlacementDecision>(plan.placements.map((placement) => [placement.unit, placement]));
  return Object.freeze({
    round: plan.round,
    placements: plan.placements,
    revocations: plan.revocations,
    refuse(unit: string, reason: string): void {
      const placement = byUnit.get(unit);
      if (placement === undefined || refusals.has(unit)) return;
      refusals.set(unit, { unit, machine: placement.machine, plugin: runtime.bindingPlugin ?? 'core', reason: String(reason) });
    },
    isRefused: (unit: string) => refusals.has(unit),
  });
}

function rollBack(plan: RoundPlan): void {
  for (const placement of plan.placements) plan.state.setPlacement(placement.unit, undefined);
  for (const revocation of plan.revocations as readonly Revocation[]) plan.state.setPlacement(revocation.unit, revocation.machine);
}

function notifyObservers(hooks: FleetHooks, result: RoundResult): void {
  for (const revocation of result.revocations) hooks.revoked.call(revocation);
  for (const placement of result.placements) hooks.placed.call(placement);
  for (const unit of result.unschedulable) hooks.unschedulable.call(unit);
  for (const decision of result.globals) hooks.globalUnit.call(decision);
  hooks.roundComplete.call(result);
}

function asFleetError(error: unknown): FleetError {
  if (error instanceof FleetError) return error;
  return new FleetError(ErrorCodes.PLUGIN_ERROR, `bind failed: ${describeThrown(error)}`, { hook: 'bind', cause: error });
}
