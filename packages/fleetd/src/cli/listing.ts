import { serializeUnitFile, UnitFile } from '@fleetd/core';
import type { WireMachine, WireUnit, WireUnitState } from '../../api/wire.js';
import { selectFields } from '../fields.js';
import { formatMetadata, isGlobalUnit, machineFullLegend, machineIdLegend, shortHash } from '../legend.js';
import type { Session } from '../session.js';
import { formatTable, legend, type Row } from '../table.js';
import { optionsHash } from '../unit-files.js';
import { findUnits } from './lifecycle.js';

export interface ListOptions {
  readonly fields: string;
  /** false with --no-legend. */
  readonly legend: boolean;
  readonly full: boolean;
}

/** A field's cell for one row; machine legends need the machine list, hence the lookup. */
type Cell<Item> = (item: Item, full: boolean, machines: ReadonlyMap<string, WireMachine>) => string;

const dash = (value: string | undefined): string => (value === undefined || value === '' ? '-' : value);
const machineCell = (id: string | undefined, full: boolean, machines: ReadonlyMap<string, WireMachine>): string =>
  id === undefined || id === '' ? '-' : machineFullLegend(id, machines.get(id), full);

export const LIST_UNITS_FIELDS = {
  unit: (state) => state.name,
  machine: (state, full, machines) => machineCell(state.machineID, full, machines),
  load: (state) => dash(state.systemdLoadState),
  active: (state) => dash(state.systemdActiveState),
  sub: (state) => dash(state.systemdSubState),
  hash: (state, full) => shortHash(state.hash, full),
} as const satisfies Record<string, Cell<WireUnitState>>;
export const DEFAULT_LIST_UNITS_FIELDS = 'unit,machine,active,sub';

export const LIST_UNIT_FILES_FIELDS = {
  unit: (unit) => unit.name,
  global: (unit) => String(isGlobalUnit(unit.options)),
  dstate: (unit) => dash(unit.desiredState),
  target: (unit, full, machines) => (isGlobalUnit(unit.options) ? 'global' : machineCell(unit.machineID, full, machines)),
  tmachine: (unit, full, machines) => (isGlobalUnit(unit.options) ? 'global' : machineCell(unit.machineID, full, machines)),
  state: (unit) => (isGlobalUnit(unit.options) ? '-' : dash(unit.currentState)),
  hash: (unit, full) => shortHash(optionsHash(unit.options), full),
  desc: (unit) => dash(new UnitFile(unit.options).lastValue('Unit', 'Description')),
} as const satisfies Record<string, Cell<WireUnit>>;
export const DEFAULT_LIST_UNIT_FILES_FIELDS = 'unit,hash,dstate,state,target';

export const LIST_MACHINES_FIELDS = {
  machine: (machine, full) => machineIdLegend(machine.id, full),
  ip: (machine) => dash(machine.primaryIP),
  metadata: (machine) => formatMetadata(machine.metadata),
} as const satisfies Record<string, Cell<WireMachine>>;
export const DEFAULT_LIST_MACHINES_FIELDS = 'machine,ip,metadata';

/** fleet's list-units: one row per reported unit state (what runs where). */
export async function listUnits(session: Session, options: ListOptions): Promise<number> {
  const fields = selectFields(options.fields, keysOf(LIST_UNITS_FIELDS));
  const states = await session.client().unitStates();
  if (session.json) return printJson(session, states);
  const machines = fields.includes('machine') ? await machineMap(session) : new Map<string, WireMachine>();
  printRows(session, fields, options, states.map((state) => fields.map((field) => LIST_UNITS_FIELDS[field](state, options.full, machines))));
  return 0;
}

/** fleet's list-unit-files: every submitted unit, placed or not. */
export async function listUnitFiles(session: Session, options: ListOptions): Promise<number> {
  const fields = selectFields(options.fields, keysOf(LIST_UNIT_FILES_FIELDS));
  if (fields.includes('tmachine')) session.err('WARNING: The "tmachine" field is deprecated. Use "target" instead');
  const units = await session.client().units();
  if (session.json) return printJson(session, units);
  const machines = fields.some((field) => field === 'target' || field === 'tmachine') ? await machineMap(session) : new Map<string, WireMachine>();
  printRows(session, fields, options, units.map((unit) => fields.map((field) => LIST_UNIT_FILES_FIELDS[field](unit, options.full, machines))));
  return 0;
}

export async function listMachines(session: Session, options: ListOptions): Promise<number> {
  const fields = selectFields(options.fields, keysOf(LIST_MACHINES_FIELDS));
  const machines = await session.client().machines();
  if (session.json) return printJson(session, machines);
  printRows(session, fields, options, machines.map((machine) => fields.map((field) => LIST_MACHINES_FIELDS[field](machine, options.full))));
  return 0;
}

/**
 * fleet's cat: the unit file as submitted when fleetd has its text (fleetctl
 * sends it), else in canonical form from its options (units written through
 * fleet's API).
 */
export async function catUnits(session: Session, names: readonly string[]): Promise<number> {
  const units = await findUnits(session, names);
  const texts = units.map((unit) => unit.contents ?? serializeUnitFile(new UnitFile(unit.options)));
  session.io.stdout.write(texts.join('\n'));
  return 0;
}

function keysOf<T extends object>(record: T): (keyof T & string)[] {
  return Object.keys(record) as (keyof T & string)[];
}

async function machineMap(session: Session): Promise<Map<string, WireMachine>> {
  const machines = await session.client().machines();
  return new Map(machines.map((machine) => [machine.id, machine]));
}

function printRows(session: Session, fields: readonly string[], options: ListOptions, rows: Row[]): void {
  session.io.stdout.write(formatTable(options.legend ? [legend(fields), ...rows] : rows));
}

function printJson(session: Session, value: unknown): number {
  session.printJson(value);
  return 0;
}
