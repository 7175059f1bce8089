// fleet's documented placement rules, checked on an end state (where each unit
// runs), whoever produced it. Written from fleet's documentation and agent/state.go,
// independently of both the model's engine loop and fleetd's plugins.
import { conflicts, isGlobal, peers, replaces, requiredTarget, requiredTargetMetadata } from './job.js';
import type { FleetUnit } from './job.js';
import { hasMetadata, matchId } from './model.js';
import type { FleetMachine } from './model.js';
import { pathMatch } from './path-match.js';

export interface ClusterInput {
  readonly machines: readonly FleetMachine[];
  readonly units: readonly FleetUnit[];
}

export interface EndState {
  /** Non-global unit → machine. */
  readonly placements: Readonly<Record<string, string>>;
  /** Global unit → machines. */
  readonly globals: Readonly<Record<string, readonly string[]>>;
}

/** Machine ID → the units that run there: placed and global units whose desired state is not inactive. */
export function runningUnits(cluster: ClusterInput, end: EndState): Map<string, FleetUnit[]> {
  const byName = new Map(cluster.units.map((unit) => [unit.name, unit]));
  const running = new Map<string, FleetUnit[]>(cluster.machines.map((machine) => [machine.id, []]));
  const add = (name: string, machineId: string) => {
    const unit = byName.get(name);
    if (unit !== undefined && unit.targetState !== 'inactive') running.get(machineId)?.push(unit);
  };
  for (const [name, machineId] of Object.entries(end.placements)) add(name, machineId);
  for (const [name, machineIds] of Object.entries(end.globals)) for (const machineId of machineIds) add(name, machineId);
  return running;
}

/** How many unit instances run (a global unit once per machine). */
export function runningCount(cluster: ClusterInput, end: EndState): number {
  let count = 0;
  for (const units of runningUnits(cluster, end).values()) count += units.length;
  return count;
}

/**
 * Every broken rule, one line each (empty when the end state obeys them all):
 * - a pinned unit (MachineID) runs on the machine its ID or short ID names;
 * - a unit runs only where the machine has the metadata it requires (any listed value per key);
 * - a unit runs only where every MachineOf peer runs;
 * - no two units share a machine where a Conflicts glob of either matches the other;
 * - no unit shares a machine with a unit that replaces it one-way (a mutual pair is ignored, as fleet does);
 * - a global unit is not also placed, and an inactive unit is not placed.
 */
export function violations(cluster: ClusterInput, end: EndState): string[] {
  const found: string[] = [];
  const byName = new Map(cluster.units.map((unit) => [unit.name, unit]));
  for (const [name, machineId] of Object.entries(end.placements)) {
    const unit = byName.get(name);
    if (unit === undefined) found.push(`${name} is placed but not submitted`);
    else if (unit.targetState === 'inactive') found.push(`${name} is inactive but placed on ${machineId}`);
    else if (isGlobal(unit)) found.push(`${name} is global but placed on ${machineId}`);
  }
  for (const machine of cluster.machines) {
    const here = runningUnits(cluster, end).get(machine.id) ?? [];
    const names = new Set(here.map((unit) => unit.name));
    for (const unit of here) found.push(...unitViolations(unit, machine, here, names));
  }
  return found;
}

function unitViolations(unit: FleetUnit, machine: FleetMachine, here: readonly FleetUnit[], names: ReadonlySet<string>): string[] {
  const found: string[] = [];
  const at = `${unit.name} on ${machine.id}`;
  const target = requiredTarget(unit);
  if (target !== undefined && !matchId(machine, target)) found.push(`${at}: MachineID ${target} names another machine`);
  if (!hasMetadata(machine, requiredTargetMetadata(unit))) found.push(`${at}: metadata not matched`);
  for (const peer of peers(unit)) if (!names.has(peer)) found.push(`${at}: MachineOf peer ${peer} does not run there`);
  for (const other of here) {
    if (other.name === unit.name) continue;
    if (conflicts(unit).some((pattern) => pathMatch(pattern, other.name))) found.push(`${at}: conflicts with ${other.name}`);
    if (oneWayReplaces(other, unit)) found.push(`${at}: replaced by ${other.name}, which runs there`);
  }
  return found;
}

/** `replacer` replaces `replaced` and not the other way round. */
export function oneWayReplaces(replacer: FleetUnit, replaced: FleetUnit): boolean {
  const replacesIt = (a: FleetUnit, b: FleetUnit) => a.name !== b.name && replaces(a).some((pattern) => pathMatch(pattern, b.name));
  return replacesIt(replacer, replaced) && !replacesIt(replaced, replacer);
}

/** A unit instance one end state runs and another does not: a placed unit on no machine at all, or a global unit on one machine. */
export interface Instance {
  readonly unit: string;
  /** Where it could go: every machine for a placed unit, the one machine for a global unit. */
  readonly machines: readonly string[];
}

/** The unit instances `reference` runs that `end` does not run anywhere (placed units) or not on that machine (global units). */
export function missingInstances(cluster: ClusterInput, reference: EndState, end: EndState): Instance[] {
  const runs = (state: EndState, name: string) => [...runningUnits(cluster, state)].filter(([, units]) => units.some((u) => u.name === name)).map(([id]) => id);
  const missing: Instance[] = [];
  for (const unit of cluster.units) {
    const there = runs(end, unit.name);
    const expected = runs(reference, unit.name);
    if (isGlobal(unit)) for (const id of expected.filter((m) => !there.includes(m))) missing.push({ unit: unit.name, machines: [id] });
    else if (expected.length > 0 && there.length === 0) missing.push({ unit: unit.name, machines: cluster.machines.map((m) => m.id) });
  }
  return missing;
}

/**
 * The rules `unit` would break on `machineId` if it joined `end`, that `end` does
 * not break already (empty: nothing keeps it out there). The property reads them
 * to tell why fleetd leaves out a unit fleet runs (shortfall.ts).
 */
export function objectionsTo(cluster: ClusterInput, end: EndState, unit: string, machineId: string): string[] {
  const before = new Set(violations(cluster, end));
  const global = cluster.units.some((u) => u.name === unit && isGlobal(u));
  const added = global
    ? { ...end, globals: { ...end.globals, [unit]: [...(end.globals[unit] ?? []), machineId] } }
    : { ...end, placements: { ...end.placements, [unit]: machineId } };
  return violations(cluster, added).filter((line) => !before.has(line));
}
