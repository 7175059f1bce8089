/**
 * The units table's filter and sort: pure functions of the unit list and the query in the
 * address (`#/units?q=web&state=launched&sort=-machine`). One pass filters, one sort orders:
 * O(n log n) per change batch, however many units changed in it.
 */
import type { DashUnit } from '../src/feed.js';
import { compareText } from './store.js';

export const SORT_KEYS = ['name', 'desired', 'current', 'machine', 'hash'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export const STATE_FILTERS = ['all', 'launched', 'loaded', 'inactive', 'unschedulable'] as const;
export type StateFilter = (typeof STATE_FILTERS)[number];

export interface UnitsQuery {
  /** Substring of the name, a machine or a state; case-insensitive. */
  readonly q: string;
  readonly state: StateFilter;
  readonly sort: SortKey;
  readonly descending: boolean;
}

export const DEFAULT_QUERY: UnitsQuery = { q: '', state: 'all', sort: 'name', descending: false };

/** Where the unit runs, as the Machine column shows it: its machine, or a global's machines. */
export function unitMachine(unit: DashUnit): string {
  if (unit.machineID !== undefined) return unit.machineID;
  if (unit.global) return unit.states.map((state) => state.machineID).join(', ');
  return '';
}

// Lower-cased text the filter searches, computed once per unit object (an upsert brings a new object).
const searchText = new WeakMap<DashUnit, string>();

function textOf(unit: DashUnit): string {
  let text = searchText.get(unit);
  if (text === undefined) {
    const machines = unit.states.map((state) => state.machineID);
    const parts = [unit.name, unit.desiredState, unit.currentState, unit.machineID ?? '', ...machines];
    if (unit.unschedulable !== undefined) parts.push('unschedulable');
    text = parts.join('\n').toLowerCase();
    searchText.set(unit, text);
  }
  return text;
}

export function matchesState(unit: DashUnit, state: StateFilter): boolean {
  if (state === 'all') return true;
  if (state === 'unschedulable') return unit.unschedulable !== undefined;
  return unit.currentState === state;
}

export function matchesUnit(unit: DashUnit, needle: string, state: StateFilter): boolean {
  return matchesState(unit, state) && (needle === '' || textOf(unit).includes(needle));
}

const SORT_VALUE: Record<SortKey, (unit: DashUnit) => string> = {
  name: (unit) => unit.name,
  desired: (unit) => unit.desiredState,
  current: (unit) => unit.currentState,
  machine: unitMachine,
  hash: (unit) => unit.hash,
};

/** The matching units in the query's order; ties go by name, ascending, so the order is total. */
export function selectUnits(units: readonly DashUnit[], query: UnitsQuery): DashUnit[] {
  const needle = query.q.trim().toLowerCase();
  const matching = units.filter((unit) => matchesUnit(unit, needle, query.state));
  const value = SORT_VALUE[query.sort];
  const sign = query.descending ? -1 : 1;
  if (query.sort === 'name') return matching.sort((a, b) => sign * compareText(a.name, b.name));
  // Decorate once: the sort compares n log n times, the key is read n times.
  const keyed = matching.map((unit) => ({ unit, key: value(unit) }));
  keyed.sort((a, b) => sign * compareText(a.key, b.key) || compareText(a.unit.name, b.unit.name));
  return keyed.map((entry) => entry.unit);
}
