import { Command } from '@commander-js/extra-typings';
import type { WireMachine, WireUnitState } from '../../api/wire.js';
import { selectFields } from '../fields.js';
import { shortHash } from '../legend.js';
import { dash, keysOf, machineCell, machineMap, printJson, printRows, type Cell, type ListOptions } from '../listing.js';
import { withListOptions } from '../options.js';
import type { RunWork, Session } from '../session.js';

export const LIST_UNITS_FIELDS = {
  unit: (state) => state.name,
  machine: (state, full, machines) => machineCell(state.machineID, full, machines),
  load: (state) => dash(state.systemdLoadState),
  active: (state) => dash(state.systemdActiveState),
  sub: (state) => dash(state.systemdSubState),
  hash: (state, full) => shortHash(state.hash, full),
} as const satisfies Record<string, Cell<WireUnitState>>;
export const DEFAULT_LIST_UNITS_FIELDS = 'unit,machine,active,sub';

export function listUnitsCommand(run: RunWork) {
  const command = new Command('list-units').description('list the state of units loaded on machines');
  return withListOptions(command, DEFAULT_LIST_UNITS_FIELDS, keysOf(LIST_UNITS_FIELDS)).action((options) => run((session) => listUnits(session, options)));
}

/** fleet's list-units: one row per reported unit state (what runs where). */
export async function listUnits(session: Session, options: ListOptions): Promise<number> {
  const fields = selectFields(options.fields, keysOf(LIST_UNITS_FIELDS));
  const states = await session.client().unitStates();
  if (session.json) return printJson(session, states);
  const full = options.full === true;
  const machines = fields.includes('machine') ? await machineMap(session) : new Map<string, WireMachine>();
  printRows(
    session,
    fields,
    options,
    states.map((state) => fields.map((field) => LIST_UNITS_FIELDS[field](state, full, machines))),
  );
  return 0;
}
