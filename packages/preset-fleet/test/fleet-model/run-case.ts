// One hand-written cluster through both sides, read back in one shape: what
// each refuses at submit, where units run, whether it settles.
import { FleetdCluster, fleetdHost } from './fleetd.js';
import { submitRefusal } from './job.js';
import type { DesiredState, FleetUnit } from './job.js';
import { createRegistry, runToFixedPoint } from './model.js';
import type { FleetMachine, ModelOutcome, RescheduleMove } from './model.js';
import { pathMatch } from './path-match.js';
import { runningCount, runningUnits, violations } from './rules.js';
import type { EndState } from './rules.js';

export interface CaseOutcome {
  /** Unit → why it is refused at submit. */
  readonly refused: Record<string, string>;
  readonly placements: Record<string, string>;
  readonly globals: Record<string, string[]>;
  /** Units running anywhere (placed, or global on some machine), by name. */
  readonly runs: string[];
  /** How many unit instances run (a global unit once per machine). */
  readonly running: number;
  readonly settled: boolean;
  /** fleet only: the last round still sent tasks (none of them wrote). */
  readonly busy: boolean;
  /** fleet's rules (rules.ts, fleet's reading of every option) broken by this end state. */
  readonly violations: string[];
  /** fleet only: every unit its reschedule moved (DecideReschedule asks no AbleToRun), `unit from → to (what AbleToRun would say)`; fleetd moves nothing unchecked. */
  readonly uncheckedMoves: string[];
}

/** `Name=Value` lines → a unit. */
export function unit(name: string, lines: readonly string[] = [], targetState: DesiredState = 'launched'): FleetUnit {
  return {
    name,
    targetState,
    xFleet: lines.map((line) => {
      const at = line.indexOf('=');
      return { name: line.slice(0, at), value: line.slice(at + 1) };
    }),
  };
}

export function machine(id: string, metadata: Record<string, string> = {}): FleetMachine {
  return { id, metadata };
}

/**
 * Machines whose metadata changes after the first fixed point (same IDs): both
 * sides then settle again, and the outcome is read at that second fixed point.
 */
export type MetadataChange = readonly FleetMachine[];

/** What fleet does, from the model. */
export function fleetOutcome(machines: readonly FleetMachine[], units: readonly FleetUnit[], change: MetadataChange = []): CaseOutcome {
  const refused: Record<string, string> = {};
  const accepted = units.filter((u) => {
    const refusal = submitRefusal(u, pathMatch);
    if (refusal !== undefined) refused[u.name] = refusal;
    return refusal === undefined;
  });
  const registry = createRegistry(machines, accepted);
  const first = runToFixedPoint(registry);
  if (change.length === 0) return fleetReadBack(machines, accepted, refused, first, first.moves);
  registry.machines.splice(0, registry.machines.length, ...changed(machines, change));
  const end = runToFixedPoint(registry);
  return fleetReadBack(registry.machines, accepted, refused, end, [...first.moves, ...end.moves]);
}

function fleetReadBack(
  machines: readonly FleetMachine[],
  accepted: readonly FleetUnit[],
  refused: Record<string, string>,
  end: ModelOutcome,
  moves: readonly RescheduleMove[],
): CaseOutcome {
  const uncheckedMoves = moves.map((move) => `${move.unit} ${move.from} → ${move.to} (${move.ableToRun ? 'allowed' : 'refused'} there)`);
  return { refused, ...readBack(machines, accepted, end), settled: end.settled, busy: end.lastTasks.length > 0, uncheckedMoves };
}

/** What fleetd does. */
export async function fleetdOutcome(machines: readonly FleetMachine[], units: readonly FleetUnit[], change: MetadataChange = []): Promise<CaseOutcome> {
  const fleetd = new FleetdCluster(await fleetdHost());
  const refused: Record<string, string> = {};
  const accepted = units.filter((u) => {
    const refusal = fleetd.refusal(u);
    if (refusal !== undefined) refused[u.name] = refusal;
    return refusal === undefined;
  });
  for (const m of machines) fleetd.addMachine(m);
  for (const u of accepted) fleetd.submit(u);
  const first = fleetd.settle();
  for (const m of change) fleetd.addMachine(m);
  const end = change.length === 0 ? first : fleetd.settle();
  return { refused, ...readBack(changed(machines, change), accepted, end), settled: end.settled, busy: false, uncheckedMoves: [] };
}

/** `machines` with each one `change` names replaced by its changed self. */
function changed(machines: readonly FleetMachine[], change: MetadataChange): FleetMachine[] {
  return machines.map((m) => change.find((c) => c.id === m.id) ?? m);
}

function readBack(machines: readonly FleetMachine[], units: readonly FleetUnit[], end: EndState) {
  const cluster = { machines, units };
  const runs = new Set<string>();
  for (const here of runningUnits(cluster, end).values()) for (const u of here) runs.add(u.name);
  const globals = Object.fromEntries(Object.entries(end.globals).map(([name, ids]) => [name, [...ids].sort()]));
  return { placements: { ...end.placements }, globals, runs: [...runs].sort(), running: runningCount(cluster, end), violations: violations(cluster, end) };
}
