import type { WireMachine } from '../api/wire.js';
import { machineFullLegend } from './legend.js';
import type { Session } from './session.js';
import { formatTable, legend, type Row } from './table.js';

/** What the list-* commands share: see `withListOptions`. */
export interface ListOptions {
  readonly fields: string;
  /** false with --no-legend. */
  readonly legend: boolean;
  readonly full?: boolean;
}

/** A field's cell for one row; machine legends need the machine list, hence the lookup. */
export type Cell<Item> = (item: Item, full: boolean, machines: ReadonlyMap<string, WireMachine>) => string;

export const dash = (value: string | undefined): string => (value === undefined || value === '' ? '-' : value);

export const machineCell = (id: string | undefined, full: boolean, machines: ReadonlyMap<string, WireMachine>): string =>
  id === undefined || id === '' ? '-' : machineFullLegend(id, machines.get(id), full);

export function keysOf<T extends object>(record: T): (keyof T & string)[] {
  return Object.keys(record) as (keyof T & string)[];
}

export async function machineMap(session: Session): Promise<Map<string, WireMachine>> {
  const machines = await session.client().machines();
  return new Map(machines.map((machine) => [machine.id, machine]));
}

export function printRows(session: Session, fields: readonly string[], options: ListOptions, rows: Row[]): void {
  session.io.stdout.write(formatTable(options.legend ? [legend(fields), ...rows] : rows));
}

export function printJson(session: Session, value: unknown): number {
  session.printJson(value);
  return 0;
}
