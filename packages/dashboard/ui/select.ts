/** What the overview and the machine view derive from the store's units. */
import type { DashUnit } from '../src/feed.js';
import { compareText } from './store.js';

export interface StateCounts {
  readonly total: number;
  readonly launched: number;
  readonly loaded: number;
  readonly inactive: number;
  readonly unschedulable: number;
}

export function countByState(units: readonly DashUnit[]): StateCounts {
  const counts = { total: units.length, launched: 0, loaded: 0, inactive: 0, unschedulable: 0 };
  for (const unit of units) {
    counts[unit.currentState] += 1;
    if (unit.unschedulable !== undefined) counts.unschedulable += 1;
  }
  return counts;
}

export function unschedulableUnits(units: readonly DashUnit[]): DashUnit[] {
  return units.filter((unit) => unit.unschedulable !== undefined).sort((a, b) => compareText(a.name, b.name));
}

export interface MachineUnitRow {
  readonly name: string;
  readonly load: string;
  readonly active: string;
  readonly sub: string;
}

/**
 * The units on one machine: those its agent reports, and those placed there that it has
 * not reported yet (their states empty), by name.
 */
export function machineUnits(units: readonly DashUnit[], machineID: string): MachineUnitRow[] {
  const rows: MachineUnitRow[] = [];
  for (const unit of units) {
    const state = unit.states.find((candidate) => candidate.machineID === machineID);
    if (state !== undefined) rows.push({ name: unit.name, load: state.load, active: state.active, sub: state.sub });
    else if (unit.machineID === machineID) rows.push({ name: unit.name, load: '', active: '', sub: '' });
  }
  return rows.sort((a, b) => compareText(a.name, b.name));
}
