import { Command } from '@commander-js/extra-typings';
import type { WireUnit, WireUnitState } from '../../api/wire.js';
import { findUnits } from '../find-units.js';
import { isGlobalUnit, machineFullLegend } from '../legend.js';
import type { RunWork, Session } from '../session.js';
import { formatTable } from '../table.js';
import { unitNameOf } from '../unit-files.js';

export function statusCommand(run: RunWork) {
  return new Command('status')
    .description("print what the cluster knows of units: states, machine, systemd's states")
    .argument('<units...>')
    .action((units) => run((session) => statusUnits(session, units)));
}

/**
 * fleet's status ran `systemctl status -l UNIT` over SSH on the unit's
 * machine. fleetd does not reach into machines: it prints what the cluster
 * knows, i.e. the desired and current state, the machine, and the systemd
 * load/active/sub states, hash and message the agent last reported.
 */
export async function statusUnits(session: Session, args: readonly string[]): Promise<number> {
  const units = await findUnits(session, args.map(unitNameOf));
  const states = await Promise.all(units.map((unit) => session.client().unitStates({ unitName: unit.name })));
  if (session.json) {
    session.printJson(units.map((unit, index) => ({ unit, states: states[index] ?? [] })));
    return 0;
  }
  const blocks: string[] = [];
  for (const [index, unit] of units.entries()) blocks.push(await statusBlock(session, unit, states[index] ?? []));
  session.io.stdout.write(blocks.join('\n'));
  return 0;
}

async function statusBlock(session: Session, unit: WireUnit, states: readonly WireUnitState[]): Promise<string> {
  const global = isGlobalUnit(unit.options);
  const rows: string[][] = [
    ['Desired:', unit.desiredState ?? '-'],
    ['Current:', global ? '- (global unit: see each machine)' : (unit.currentState ?? 'inactive')],
  ];
  if (!global) rows.push(['Machine:', unit.machineID ? await legendOf(session, unit.machineID) : '- (not placed)']);
  const shown = global ? states : states.filter((state) => state.machineID === unit.machineID);
  if (shown.length === 0) rows.push(['Systemd:', '- (no state reported)']);
  for (const state of shown) {
    if (global) rows.push(['Machine:', await legendOf(session, state.machineID)]);
    rows.push(
      ['Loaded:', state.systemdLoadState],
      ['Active:', `${state.systemdActiveState} (${state.systemdSubState})`],
      ['Hash:', state.hash === '' ? '- (a version no longer stored)' : state.hash],
    );
    if (state.message !== undefined) rows.push(['Message:', state.message]);
  }
  return `● ${unit.name}${global ? ' (global)' : ''}\n${indent(formatTable(rows))}`;
}

function legendOf(session: Session, id: string): Promise<string> {
  return session.machine(id).then((machine) => machineFullLegend(id, machine, true));
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `   ${line}`))
    .join('\n');
}
