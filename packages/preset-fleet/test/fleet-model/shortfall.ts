// Why fleet runs a unit that fleetd leaves out, with Replaces in the cluster.
// Only the reasons below are accepted (docs/fleet-model.md, "With Replaces");
// anything else is a shortfall of fleetd's and fails the property.
import type { Phase } from './compare.js';
import type { RescheduleMove } from './model.js';
import { missingInstances, objectionsTo, violations } from './rules.js';
import type { Instance } from './rules.js';

export type ShortfallClass =
  /** fleetd's end state has a rule other than Replaces against the unit on every machine it could use: greedy order. */
  | 'kept out by another rule'
  /** Replaces alone keeps it out of fleetd; fleet's run moved a unit (DecideReschedule, unchecked) where AbleToRun would refuse it. */
  | 'unchecked move, refused there'
  /** Replaces alone keeps it out of fleetd; fleet's run moved units (DecideReschedule, unchecked), each where AbleToRun would allow it. */
  | 'unchecked move, allowed there'
  /**
   * A unit fleetd keeps off its replacer's machine, where fleet, still sending
   * tasks that write nothing, leaves the same unit next to the same replacer,
   * breaking its own rule: one instance displaced on each side.
   */
  | 'fleet leaves it next to its replacer'
  /**
   * Only moving a placed unit that may stay would let it run: in fleetd's end
   * state, on some machine m, every objection is `replaced by Y` with each Y
   * placed on m, and each Y moved alone to some other machine breaks no rule.
   * fleetd never moves a placed unit to make room for another (no rebalancing):
   * its earlier greedy order put Y there, where fleet's put the unit.
   */
  | 'only moving a placed unit that may stay would let it run'
  /** Replaces alone keeps it out of fleetd, and fleet moved nothing: a fleetd shortfall. */
  | 'unexplained';

export interface Shortfall extends Instance {
  readonly class: ShortfallClass;
}

/** `<unit> replaced by <unit>`, once per machine where a busy fleet's end state breaks its rule that way. */
export type FleetGlobalBreaks = string[];

/**
 * The unit instances fleet runs at `phase` and fleetd does not, each classified.
 * `moves`: fleet's reschedule moves so far (all phases up to this one).
 * `breaks`: units fleet leaves next to their replacers in this phase; each excuses one instance of that unit.
 */
export function classifyShortfalls(phase: Phase, moves: readonly RescheduleMove[], breaks: FleetGlobalBreaks): Shortfall[] {
  const moved: ShortfallClass | undefined =
    moves.length === 0 ? undefined : moves.some((move) => !move.ableToRun) ? 'unchecked move, refused there' : 'unchecked move, allowed there';
  const unpaired = [...breaks];
  return missingInstances(phase, phase.model, phase.fleetd).map((instance) => {
    const objections = instance.machines.map((machineId) => objectionsTo(phase, phase.fleetd, instance.unit, machineId));
    // Every machine has a rule other than Replaces against it.
    if (objections.every((lines) => lines.some((line) => !line.includes(': replaced by ')))) return { ...instance, class: 'kept out by another rule' };
    const pair = breakPairedWith(instance, objections, unpaired);
    if (pair !== undefined) {
      unpaired.splice(unpaired.indexOf(pair), 1);
      return { ...instance, class: 'fleet leaves it next to its replacer' };
    }
    if (moved !== undefined) return { ...instance, class: moved };
    if (instance.machines.some((machineId, at) => onlyPlacedReplacersObject(phase, instance.unit, machineId, objections[at] as string[]))) {
      return { ...instance, class: 'only moving a placed unit that may stay would let it run' };
    }
    return { ...instance, class: 'unexplained' };
  });
}

/** A machine where only one replacer R keeps the instance out of fleetd, and fleet's unpaired break of the same unit by R. */
function breakPairedWith(instance: Instance, objections: readonly string[][], unpaired: readonly string[]): string | undefined {
  for (const lines of objections) {
    const replacer = lines.length === 1 ? /: replaced by (\S+), which runs there$/.exec(lines[0] as string)?.[1] : undefined;
    const key = `${instance.unit} replaced by ${replacer}`;
    if (replacer !== undefined && unpaired.includes(key)) return key;
  }
  return undefined;
}

/**
 * Every objection to `unit` on `machineId` is `replaced by Y`, each Y a placed
 * (non-global) unit on that machine that could move alone to another machine
 * and break no rule there or anywhere (fleet's rules, rules.ts, on fleetd's end
 * state with Y moved; fleetd's end state itself breaks none, the property checks).
 */
function onlyPlacedReplacersObject(phase: Phase, unit: string, machineId: string, objections: readonly string[]): boolean {
  if (objections.length === 0) return false;
  const prefix = `${unit} on ${machineId}: replaced by `;
  return objections.every((line) => {
    const replacer = line.startsWith(prefix) ? /^(\S+), which runs there$/.exec(line.slice(prefix.length))?.[1] : undefined;
    return replacer !== undefined && phase.fleetd.placements[replacer] === machineId && movableElsewhere(phase, replacer, machineId);
  });
}

/** `unit`, placed on `from`, could be placed on some other machine instead, breaking no rule. */
function movableElsewhere(phase: Phase, unit: string, from: string): boolean {
  const end = phase.fleetd;
  return phase.machines.some((m) => m.id !== from && violations(phase, { ...end, placements: { ...end.placements, [unit]: m.id } }).length === 0);
}
