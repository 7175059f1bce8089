import { Scheduler } from '@fleetd/core/unstable';
import type { PluginHost } from '@fleetd/core';
import type { SchedulerOptions, SchedulingSnapshot } from '@fleetd/core/unstable';

/**
 * At most this many unplaced units are explained per pass: each costs a
 * filter and score of every machine, and thousands of unplaceable units on
 * a thousand machines would hold the daemon's thread for seconds.
 */
export const MAX_EXPLAINED_UNITS = 1000;

/** The reason shown for unplaced units beyond MAX_EXPLAINED_UNITS. */
export const NOT_EXPLAINED = `not placed (reasons are worked out for the first ${MAX_EXPLAINED_UNITS} unplaced units only: see fleetctl explain)`;

/**
 * Why each of `unplaced` has no machine, as `fleetctl explain` would say:
 * the same scheduler, plugins and state a round would use. A unit that some
 * machine could take is simply not placed yet (the engine is about to): no reason.
 */
export function explainUnplaced(host: PluginHost, snapshot: SchedulingSnapshot, unplaced: readonly string[], options: SchedulerOptions): Map<string, string> {
  const reasons = new Map<string, string>();
  const scheduler = new Scheduler(host, options);
  const state = scheduler.createState(snapshot);
  // Global units count toward load and conflicts, as in a real round.
  scheduler.placeGlobals(state);
  unplaced.forEach((name, index) => {
    if (index >= MAX_EXPLAINED_UNITS) {
      reasons.set(name, NOT_EXPLAINED);
      return;
    }
    const explanation = scheduler.explain(state, name);
    if (explanation.bestMachine === undefined) reasons.set(name, explanation.summary);
  });
  return reasons;
}
