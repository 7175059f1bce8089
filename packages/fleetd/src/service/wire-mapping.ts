import { currentStateOf, fleetUnitHash } from '@fleetd/core';
import type { Machine, Unit, UnitState } from '@fleetd/core';
import type { WireMachine, WireUnit, WireUnitState } from '../api/wire.js';
import type { ClusterSnapshot } from './snapshot.js';

/** Each snapshot's index, built once: concurrent requests share a snapshot (CoalescedReads), and a page needs a few of its states. */
const indexes = new WeakMap<ClusterSnapshot, SnapshotIndex>();

export function snapshotIndexOf(snapshot: ClusterSnapshot): SnapshotIndex {
  let index = indexes.get(snapshot);
  if (index === undefined) {
    index = new SnapshotIndex(snapshot);
    indexes.set(snapshot, index);
  }
  return index;
}

/** A snapshot's states by machine and unit, and its units by name. */
export class SnapshotIndex {
  private readonly states = new Map<string, UnitState>();
  private readonly units = new Map<string, Unit>();

  constructor(snapshot: Pick<ClusterSnapshot, 'states' | 'units'>) {
    for (const state of snapshot.states) this.states.set(`${state.machineId}\u0000${state.name}`, state);
    for (const unit of snapshot.units) this.units.set(unit.name, unit);
  }

  /** The state a given machine reported for a unit. */
  reportedBy(machine: string | undefined, unit: string): UnitState | undefined {
    return machine === undefined ? undefined : this.states.get(`${machine}\u0000${unit}`);
  }

  unit(name: string): Unit | undefined {
    return this.units.get(name);
  }
}

/**
 * fleet's Unit entity: the machine is the placement; the current state comes
 * from the placed machine's report. Global units are never placed, so, as in
 * fleet, they carry no machineID and are `inactive` here (their per-machine
 * states are under /state).
 */
export function toWireUnit(unit: Unit, snapshot: ClusterSnapshot, states: SnapshotIndex): WireUnit {
  const machine = snapshot.placements.get(unit.name);
  const currentState = currentStateOf(machine, states.reportedBy(machine, unit.name));
  return {
    name: unit.name,
    // The parsed options are frozen {section, name, value}: fleet's wire shape already, no copy per read.
    options: unit.file.options,
    desiredState: unit.desiredState,
    currentState,
    ...(machine === undefined ? {} : { machineID: machine }),
    ...(unit.text === undefined ? {} : { contents: unit.text }),
  };
}

/**
 * fleet's UnitState entity. Its `hash` is fleet's (SHA-1 of go-systemd's
 * serialization, what fleet's client shows and compares with the hash of a
 * unit's options), not fleetd's internal SHA-256 the agent reported: the
 * agent names the version it runs by that, and the stored unit gives fleet's
 * hash of the same version. A state of a version no longer stored (the agent
 * has not yet caught up with a replacement, or the unit is being destroyed)
 * has no fleet hash to give: `""`, which fleet's client shows as `-`.
 */
export function toWireUnitState(state: UnitState, index: SnapshotIndex): WireUnitState {
  return {
    name: state.name,
    hash: fleetHashOfReported(state, index),
    machineID: state.machineId,
    systemdLoadState: state.loadState,
    systemdActiveState: state.activeState,
    systemdSubState: state.subState,
    ...(state.message === undefined ? {} : { message: state.message }),
  };
}

export function toWireMachine(machine: Machine): WireMachine {
  return { id: machine.id, primaryIP: machine.publicIP ?? '', metadata: { ...machine.metadata }, facts: machine.facts ?? {} };
}

/** fleet's hash of the version a state reports, when that version is the one stored; `""` otherwise. */
export function fleetHashOfReported(state: UnitState, index: SnapshotIndex): string {
  const unit = index.unit(state.name);
  return unit !== undefined && unit.hash === state.hash ? fleetUnitHash(unit.file) : '';
}
