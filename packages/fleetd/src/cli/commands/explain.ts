import { Command } from '@commander-js/extra-typings';
import type { MachineExplanation, PluginVerdict } from '@fleetd/core';
import type { WireExplanation, WireMachine } from '../../api/wire.js';
import { isUnitNotFound } from '../client.js';
import { unitNotFound } from '../find-units.js';
import { machineFullLegend, machineIdLegend } from '../legend.js';
import { withFullIdsOption } from '../options.js';
import type { RunWork, Session } from '../session.js';
import { formatTable, type Row } from '../table.js';
import { unitNameOf } from '../unit-files.js';

export function explainCommand(run: RunWork) {
  const command = new Command('explain').description('why a unit is where it is, or nowhere: every machine, every plugin').argument('<unit>');
  return withFullIdsOption(command).action((unit, options) => run((session) => explainUnit(session, unit, options.full === true)));
}

/**
 * Why a unit is where it is, or nowhere: every machine, every plugin's
 * verdict and points, the weighted total; `*` marks the machine the unit is
 * placed on, or else the one it would go to.
 */
export async function explainUnit(session: Session, arg: string, full: boolean): Promise<number> {
  const name = unitNameOf(arg);
  const explanation = await session
    .client()
    .explanation(name)
    .catch((error: unknown) => {
      throw isUnitNotFound(error) ? unitNotFound(name) : error;
    });
  if (session.json) {
    session.printJson(explanation);
    return 0;
  }
  const machines = new Map(
    (
      await session
        .client()
        .machines()
        .catch(() => [] as WireMachine[])
    ).map((machine) => [machine.id, machine]),
  );
  session.io.stdout.write(renderExplanation(explanation, machines, full));
  return 0;
}

export function renderExplanation(explanation: WireExplanation, machines: ReadonlyMap<string, WireMachine>, full: boolean): string {
  const where = (id: string | undefined) => (id === undefined ? undefined : machineFullLegend(id, machines.get(id), full));
  const marked = explanation.placedOn ?? explanation.bestMachine;
  const header = formatTable([
    ['Unit:', `${explanation.unit} (desired state ${explanation.desiredState})`],
    ['Placed on:', where(explanation.placedOn) ?? '- (not placed)'],
    ['Best machine:', where(explanation.bestMachine) ?? '- (no machine can take it)'],
    ['Summary:', explanation.summary],
  ]);
  if (explanation.machines.length === 0) return `${header}\nNo machines in the cluster.\n`;
  const rows: Row[] = [['', 'MACHINE', 'PLUGIN', 'VERDICT', 'SCORE', 'REASON']];
  for (const machine of explanation.machines) rows.push(...machineRows(machine, machine.machine === marked, full));
  const note =
    marked === undefined ? '' : explanation.placedOn !== undefined ? '* the machine the unit is placed on\n' : '* the machine the unit would go to\n';
  return `${header}\n${formatTable(rows)}${note}`;
}

/** One row per plugin that had a say (a verdict or points), then the machine's weighted total. */
function machineRows(machine: MachineExplanation, marked: boolean, full: boolean): Row[] {
  const plugins = [...new Set([...machine.verdicts.map((verdict) => verdict.plugin), ...Object.keys(machine.scores)])];
  const verdicts = new Map<string, PluginVerdict>(machine.verdicts.map((verdict) => [verdict.plugin, verdict]));
  const rows: Row[] = plugins.map((plugin, index) => {
    const verdict = verdicts.get(plugin);
    const score = machine.scores[plugin];
    return [
      index === 0 && marked ? '*' : '',
      index === 0 ? machineIdLegend(machine.machine, full) : '',
      plugin,
      verdict?.verdict ?? 'pass',
      score === undefined ? '-' : String(score),
      verdict !== undefined && verdict.verdict !== 'pass' ? verdict.message : '-',
    ];
  });
  if (rows.length === 0) rows.push([marked ? '*' : '', machineIdLegend(machine.machine, full), '-', machine.feasible ? 'pass' : 'rejected', '-', '-']);
  rows.push(['', '', 'total', machine.feasible ? 'feasible' : 'rejected', machine.total === undefined ? '-' : String(machine.total), '']);
  return rows;
}
