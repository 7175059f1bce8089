// Why fleet runs a unit that fleetd leaves out, with Replaces in the cluster.
// Only the reasons below are accepted (docs/fleet-model.md, "With Replaces");
// anything else is a shortfall of fleetd's and fails the property.
import type { Phase } from './compare.js';
import { isGlobal } from './job.js';
import type { RescheduleMove } from './model.js';
import { missingInstances, objectionsTo } from './rules.js';
import type { Instance } from './rules.js';

export type ShortfallClass =
  /** fleetd's end state has a rule other than Replaces against the unit on every machine it could use: greedy order. */
  | 'kept out by another rule'
  /** Replaces alone keeps it out of fleetd, and fleet's run moved a unit where AbleToRun would have refused it. */
  | 'unchecked move'
  /**
   * A global unit fleetd keeps off its replacer's machine, where fleet leaves the
   * same global unit next to the same replacer on some machine, breaking its own
   * rule (fleet still sends tasks every round): one instance displaced on each side.
   */
  | 'fleet leaves it next to its replacer'
  /** Replaces alone keeps it out of fleetd, and fleet got there by checked steps: a fleetd shortfall. */
  | 'unexplained';

export interface Shortfall extends Instance {
  readonly class: ShortfallClass;
}

/** `<global unit> replaced by <unit>`, once per machine where fleet's end state breaks its rule that way. */
export type FleetGlobalBreaks = string[];

/**
 * The unit instances fleet runs at `phase` and fleetd does not, each classified.
 * `moves`: fleet's reschedule moves so far (all phases up to this one).
 * `breaks`: fleet's global units left next to their replacers in this phase; each excuses one instance.
 */
export function classifyShortfalls(phase: Phase, moves: readonly RescheduleMove[], breaks: FleetGlobalBreaks): Shortfall[] {
  const uncheckedMove = moves.some((move) => !move.ableToRun);
  const unpaired = [...breaks];
  return missingInstances(phase, phase.model, phase.fleetd).map((instance) => {
    const objections = instance.machines.map((machineId) => objectionsTo(phase, phase.fleetd, instance.unit, machineId));
    // Every machine has a rule other than Replaces against it.
    if (objections.every((lines) => lines.some((line) => !line.includes(': replaced by ')))) return { ...instance, class: 'kept out by another rule' };
    const pair = breakPairedWith(phase, instance, objections, unpaired);
    if (pair !== undefined) {
      unpaired.splice(unpaired.indexOf(pair), 1);
      return { ...instance, class: 'fleet leaves it next to its replacer' };
    }
    return { ...instance, class: uncheckedMove ? 'unchecked move' : 'unexplained' };
  });
}

/** For a global instance kept out only by one replacer R: fleet's unpaired break of the same global unit by R. */
function breakPairedWith(phase: Phase, instance: Instance, objections: readonly string[][], unpaired: readonly string[]): string | undefined {
  const global = phase.units.some((u) => u.name === instance.unit && isGlobal(u));
  const lines = objections[0] ?? [];
  if (!global || lines.length !== 1) return undefined;
  const replacer = /: replaced by (\S+), which runs there$/.exec(lines[0] as string)?.[1];
  const key = `${instance.unit} replaced by ${replacer}`;
  return unpaired.includes(key) ? key : undefined;
}
