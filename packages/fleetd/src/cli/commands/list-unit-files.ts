import { Command } from '@commander-js/extra-typings';
import { fleetUnitHash, UnitFile } from '@fleetd/core';
import type { WireMachine, WireUnit } from '../../api/wire.js';
import { selectFields } from '../fields.js';
import { isGlobalUnit, shortHash } from '../legend.js';
import { dash, keysOf, machineCell, machineMap, printJson, printRows, type Cell, type ListOptions } from '../listing.js';
import { withListOptions } from '../options.js';
import type { RunWork, Session } from '../session.js';

export const LIST_UNIT_FILES_FIELDS = {
  unit: (unit) => unit.name,
  global: (unit) => String(isGlobalUnit(unit.options)),
  dstate: (unit) => dash(unit.desiredState),
  target: (unit, full, machines) => (isGlobalUnit(unit.options) ? 'global' : machineCell(unit.machineID, full, machines)),
  tmachine: (unit, full, machines) => (isGlobalUnit(unit.options) ? 'global' : machineCell(unit.machineID, full, machines)),
  state: (unit) => (isGlobalUnit(unit.options) ? '-' : dash(unit.currentState)),
  // fleet's hash (what fleet's fleetctl shows), the one /state reports for this version too: list-units agrees.
  hash: (unit, full) => shortHash(fleetUnitHash(unit.options), full),
  desc: (unit) => dash(new UnitFile(unit.options).lastValue('Unit', 'Description')),
} as const satisfies Record<string, Cell<WireUnit>>;
export const DEFAULT_LIST_UNIT_FILES_FIELDS = 'unit,hash,dstate,state,target';

export function listUnitFilesCommand(run: RunWork) {
  const command = new Command('list-unit-files').description('list every unit in the cluster, loaded or not');
  return withListOptions(command, DEFAULT_LIST_UNIT_FILES_FIELDS, keysOf(LIST_UNIT_FILES_FIELDS)).action((options) =>
    run((session) => listUnitFiles(session, options)),
  );
}

/** fleet's list-unit-files: every submitted unit, placed or not. */
export async function listUnitFiles(session: Session, options: ListOptions): Promise<number> {
  const fields = selectFields(options.fields, keysOf(LIST_UNIT_FILES_FIELDS));
  if (fields.includes('tmachine')) session.err('WARNING: The "tmachine" field is deprecated. Use "target" instead');
  const units = await session.client().units();
  if (session.json) return printJson(session, units);
  const full = options.full === true;
  const machines = fields.some((field) => field === 'target' || field === 'tmachine') ? await machineMap(session) : new Map<string, WireMachine>();
  printRows(
    session,
    fields,
    options,
    units.map((unit) => fields.map((field) => LIST_UNIT_FILES_FIELDS[field](unit, full, machines))),
  );
  return 0;
}
