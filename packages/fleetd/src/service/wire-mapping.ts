import { currentStateOf } from '@fleetd/core';
import type { Machine, Unit, UnitState } from '@fleetd/core';
import type { WireMachine, WireUnit, WireUnitState } from '../api/wire.js';
import type { ClusterSnapshot } from './snapshot.js';

/** Finds the state a given machine reported for a unit. */
/** Each snapshot's index, built once: concurrent requests share a snapshot (CoalescedReads), and a page needs a few of its states. */
const indexes = new WeakMap<ClusterSnapshot, StateIndex>();

export function stateIndexOf(snapshot: ClusterSnapshot): StateIndex {
  let index = indexes.get(snapshot);
  if (index === undefined) {
    index = new StateIndex(snapshot.states);
    indexes.set(snapshot, index);
  }
  return index;
}

export class StateIndex {
  private readonly byKey = new Map<string, UnitState>();

  constructor(states: readonly UnitState[]) {
    for (const state of states) this.byKey.set(`${state.machineId}\u0000${state.name}`, state);
  }

  reportedBy(machine: string | undefined, unit: string): UnitState | undefined {
    return machine === undefined ? undefined : this.byKey.get(`${machine}\u0000${unit}`);
  }
}

/**
 * fleet's Unit entity: the machine is the placement; the current state comes
 * from the placed machine's report. Global units are never placed, so, as in
 * fleet, they carry no machineID and are `inactive` here (their per-machine
 * states are under /state).
 */
export function toWireUnit(unit: Unit, snapshot: ClusterSnapshot, states: StateIndex): WireUnit {
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

export function toWireUnitState(state: UnitState): WireUnitState {
  return {
    name: state.name,
    hash: state.hash,
    machineID: state.machineId,
    systemdLoadState: state.loadState,
    systemdActiveState: state.activeState,
    systemdSubState: state.subState,
    ...(state.message === undefined ? {} : { message: state.message }),
  };
}

export function toWireMachine(machine: Machine): WireMachine {
  return { id: machine.id, primaryIP: machine.publicIP ?? '', metadata: { ...machine.metadata } };
}
