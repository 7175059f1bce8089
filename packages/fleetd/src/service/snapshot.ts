import { describeThrown, ErrorCodes, FleetError, withDesiredState, withOperatorMetadata } from '@fleetd/core';
import { decodeDesiredState, decodeMachine, decodePlacement, decodeUnit, decodeUnitState } from '@fleetd/core/unstable';
import type { DesiredState, KeyValue, Machine, Registry, Unit, UnitState } from '@fleetd/core';
import type { KeyLayout, ParsedKey, SchedulingSnapshot } from '@fleetd/core/unstable';
import type { DecodedUnits } from './decoded-units.js';

/** Everything under the key prefix at one revision, decoded. */
export interface ClusterSnapshot {
  readonly revision: number;
  /** Submitted units with their desired states, by name. */
  readonly units: readonly Unit[];
  /** Unit name → machine ID, as the engine wrote them. */
  readonly placements: ReadonlyMap<string, string>;
  /** Announced machines with operator metadata merged over their own, by ID. */
  readonly machines: readonly Machine[];
  /** States the agents reported, by unit name, then machine ID. */
  readonly states: readonly UnitState[];
  /** Keys that did not decode; skipped, never fatal. */
  readonly invalid: readonly FleetError[];
}

interface Collected {
  readonly files: Map<string, Unit>;
  readonly desired: Map<string, DesiredState>;
  readonly placements: Map<string, string>;
  readonly presence: Map<string, Machine>;
  readonly overlay: Map<string, Record<string, string>>;
  readonly states: UnitState[];
  readonly invalid: FleetError[];
}

/** One `list` of the prefix, decoded (unit files through `units` when given: only what changed); an API read never costs more than this. */
export async function readClusterSnapshot(registry: Registry, layout: KeyLayout, units?: DecodedUnits): Promise<ClusterSnapshot> {
  const { revision, items } = await registry.list(layout.prefix);
  return decodeSnapshot(layout, revision, items, units);
}

export function decodeSnapshot(layout: KeyLayout, revision: number, items: readonly KeyValue[], units?: DecodedUnits): ClusterSnapshot {
  const collected: Collected = {
    files: new Map(),
    desired: new Map(),
    placements: new Map(),
    presence: new Map(),
    overlay: new Map(),
    states: [],
    invalid: [],
  };
  const decodeFile =
    units === undefined ? (kv: KeyValue, name: string) => decodeUnit(kv.key, name, kv.value) : (kv: KeyValue, name: string) => units.decode(kv, name);
  for (const kv of items) {
    const parsed = layout.parse(kv.key);
    if (parsed === undefined) continue;
    try {
      collect(collected, parsed, kv, decodeFile);
    } catch (error) {
      collected.invalid.push(asStoreError(kv.key, error));
    }
  }
  units?.retainOnly(collected.files);
  return {
    revision,
    units: assembleUnits(collected),
    placements: collected.placements,
    machines: assembleMachines(collected),
    states: collected.states.sort(byNameThenMachine),
    invalid: collected.invalid,
  };
}

/** What the scheduler needs from a snapshot. */
export function schedulingSnapshotOf(snapshot: ClusterSnapshot): SchedulingSnapshot {
  return {
    machines: snapshot.machines,
    units: snapshot.units,
    placements: [...snapshot.placements].map(([unit, machine]) => ({ unit, machine })),
  };
}

function collect(collected: Collected, parsed: ParsedKey, kv: KeyValue, decodeFile: (kv: KeyValue, name: string) => Unit): void {
  switch (parsed.kind) {
    case 'unit':
      collected.files.set(parsed.name, decodeFile(kv, parsed.name));
      return;
    case 'desired':
      collected.desired.set(parsed.name, decodeDesiredState(kv.key, kv.value));
      return;
    case 'placement':
      collected.placements.set(parsed.name, decodePlacement(kv.key, kv.value));
      return;
    case 'machine':
      collected.presence.set(parsed.name, decodeMachine(kv.key, parsed.name, kv.value));
      return;
    case 'metadata': {
      const machine = parsed.machine as string;
      collected.overlay.set(machine, { ...collected.overlay.get(machine), [parsed.name]: kv.value });
      return;
    }
    case 'state':
      collected.states.push(decodeStateKey(kv, parsed));
      return;
    default:
      return;
  }
}

function decodeStateKey(kv: KeyValue, parsed: ParsedKey): UnitState {
  const state = decodeUnitState(kv.key, kv.value);
  if (state.name !== parsed.name || state.machineId !== parsed.machine) {
    throw new FleetError(ErrorCodes.STORE_DATA_INVALID, `${kv.key}: holds the state of ${state.name} on ${state.machineId}`);
  }
  return state;
}

/** A unit is known once its file is; without a desired-state key it is inactive (as the engine sees it). */
function assembleUnits(collected: Collected): Unit[] {
  const units: Unit[] = [];
  for (const [name, file] of collected.files) {
    const desired = collected.desired.get(name) ?? 'inactive';
    try {
      units.push(desired === 'inactive' ? file : withDesiredState(file, desired));
    } catch (error) {
      collected.invalid.push(asStoreError(`desired/${name}`, error));
    }
  }
  return units;
}

function assembleMachines(collected: Collected): Machine[] {
  const machines: Machine[] = [];
  for (const [id, machine] of collected.presence) {
    const overlay = collected.overlay.get(id);
    machines.push(overlay === undefined ? machine : withOverlay(collected, machine, overlay));
  }
  return machines.sort((a, b) => compare(a.id, b.id));
}

/** Operator metadata (PATCH /machines) over what the machine announced, by the engine's rule; bad data is reported, not fatal. */
function withOverlay(collected: Collected, machine: Machine, overlay: Record<string, string>): Machine {
  try {
    return withOperatorMetadata(machine, overlay);
  } catch (error) {
    collected.invalid.push(asStoreError(`metadata/${machine.id}`, error));
    return machine;
  }
}

function asStoreError(key: string, error: unknown): FleetError {
  if (error instanceof FleetError && error.code === ErrorCodes.STORE_DATA_INVALID) return error;
  return new FleetError(ErrorCodes.STORE_DATA_INVALID, `${key}: ${describeThrown(error)}`, { cause: error });
}

function byNameThenMachine(a: UnitState, b: UnitState): number {
  return compare(a.name, b.name) || compare(a.machineId, b.machineId);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
