import { describeThrown, ErrorCodes, FleetError, isFleetError } from '../errors.js';
import type { HookRunner } from '../hooks/runner.js';
import type { BindBatch, PlacementDecision, RefusedPlacement, RoundResult } from './decisions.js';
import type { RoundPlan } from './scheduler.js';

/**
 * Writes what `bind` taps let through (the engine's fenced registry writes).
 * It may refuse single placements through the batch; throwing fails the round.
 */
export type PlanCommitter = (batch: BindBatch) => Promise<void>;

/**
 * Runs `bind` over a decided round, then the committer, rolls back what they
 * refused (or all of it when either failed: a store error never revokes a
 * placement), then tells roundComplete taps what was committed.
 */
export async function commitPlan(plan: RoundPlan, runner: HookRunner, committer?: PlanCommitter): Promise<RoundResult> {
  const started = performance.now();
  const refusals = new Map<string, RefusedPlacement>();
  const batchFor = bindBatches(plan, refusals);
  let bindError: FleetError | undefined;
  try {
    await runner.bind(batchFor);
    await committer?.(batchFor('core'));
  } catch (error) {
    bindError = asFleetError(error);
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
  runner.roundComplete(result);
  return result;
}

/** The batch each bind tap (and the committer, as `core`) gets: `refuse` records who refused. */
function bindBatches(plan: RoundPlan, refusals: Map<string, RefusedPlacement>): (plugin: string) => BindBatch {
  const byUnit = new Map<string, PlacementDecision>(plan.placements.map((placement) => [placement.unit, placement]));
  return (plugin) =>
    Object.freeze({
      round: plan.round,
      placements: plan.placements,
      revocations: plan.revocations,
      refuse(unit: string, reason: string): void {
        const placement = byUnit.get(unit);
        if (placement === undefined || refusals.has(unit)) return;
        refusals.set(unit, { unit, machine: placement.machine, plugin, reason: String(reason) });
      },
      isRefused: (unit: string) => refusals.has(unit),
    });
}

function rollBack(plan: RoundPlan): void {
  for (const placement of plan.placements) plan.state.setPlacement(placement.unit, undefined);
  for (const revocation of plan.revocations) plan.state.setPlacement(revocation.unit, revocation.machine);
}

function asFleetError(error: unknown): FleetError {
  if (isFleetError(error)) return error;
  return new FleetError(ErrorCodes.PLUGIN_ERROR, `bind failed: ${describeThrown(error)}`, { hook: 'bind', cause: error });
}
