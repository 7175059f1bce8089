import { Command } from '@commander-js/extra-typings';
import { formatFacts } from '@fleetd/core';
import type { WireMachine } from '../../api/wire.js';
import { selectFields } from '../fields.js';
import { formatMetadata, machineIdLegend } from '../legend.js';
import { dash, keysOf, printJson, printRows, type Cell, type ListOptions } from '../listing.js';
import { withListOptions } from '../options.js';
import type { RunWork, Session } from '../session.js';

export const LIST_MACHINES_FIELDS = {
  machine: (machine, full) => machineIdLegend(machine.id, full),
  ip: (machine) => dash(machine.primaryIP),
  metadata: (machine) => formatMetadata(machine.metadata),
  facts: (machine) => dash(formatFacts(machine.facts ?? {})),
} as const satisfies Record<string, Cell<WireMachine>>;
export const DEFAULT_LIST_MACHINES_FIELDS = 'machine,ip,metadata';

export function listMachinesCommand(run: RunWork) {
  const command = new Command('list-machines').description('list the machines of the cluster');
  return withListOptions(command, DEFAULT_LIST_MACHINES_FIELDS, keysOf(LIST_MACHINES_FIELDS)).action((options) =>
    run((session) => listMachines(session, options)),
  );
}

export async function listMachines(session: Session, options: ListOptions): Promise<number> {
  const fields = selectFields(options.fields, keysOf(LIST_MACHINES_FIELDS));
  const machines = await session.client().machines();
  if (session.json) return printJson(session, machines);
  const full = options.full === true;
  printRows(
    session,
    fields,
    options,
    machines.map((machine) => fields.map((field) => LIST_MACHINES_FIELDS[field](machine, full))),
  );
  return 0;
}
