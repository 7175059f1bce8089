import { assemblePlugins, createUnit, Scheduler } from '@fleetd/core';
import type { RoundResult, UnitExplanation } from '@fleetd/core';
import { demoMachines, demoUnits } from './cluster.js';
import { demoPlugins } from './plugins.js';

export interface DemoOutcome {
  readonly round: RoundResult;
  readonly explanations: readonly UnitExplanation[];
  readonly report: string;
}

/** Schedules the example cluster once and renders what happened for a person. */
export async function runDemo(): Promise<DemoOutcome> {
  const host = await assemblePlugins([...demoPlugins]);
  const scheduler = new Scheduler(host);
  const units = Object.entries(demoUnits).map(([name, contents]) => createUnit({ name, contents, desiredState: 'launched' }));
  const state = scheduler.createState({ machines: demoMachines, units });
  const round = await scheduler.schedule(state);
  const explanations = round.unschedulable.map((unit) => scheduler.explain(state, unit.unit));
  return { round, explanations, report: renderReport(round, explanations, host.plugins.map((p) => p.meta.name)) };
}

function renderReport(round: RoundResult, explanations: readonly UnitExplanation[], plugins: readonly string[]): string {
  const short = (id: string) => id.slice(0, 8);
  const lines = [
    `fleetd scheduling demo: ${demoMachines.length} machines, ${Object.keys(demoUnits).length} units, plugins: ${plugins.join(', ')}`,
    '',
    'MACHINE\t\tMETADATA',
    ...demoMachines.map((m) => `${short(m.id)}\t${Object.entries(m.metadata).map(([k, v]) => `${k}=${v}`).join(',')}`),
    '',
    'UNIT\t\t\tMACHINE\t\tSCORES OF THE BEST CANDIDATES',
    ...round.placements.map(
      (p) => `${p.unit.padEnd(20)}\t${short(p.machine)}\t${p.candidates.map((c) => `${short(c.machine)}=${c.total}`).join(' ')}`,
    ),
    '',
    `placed ${round.placements.length}, unschedulable ${round.unschedulable.length}, decided in ${round.stats.decideMs.toFixed(2)} ms`,
  ];
  for (const explanation of explanations) {
    lines.push('', `why is ${explanation.unit} not scheduled? ${explanation.summary}`);
    for (const machine of explanation.machines) {
      const verdicts = machine.verdicts.map((v) => (v.verdict === 'pass' ? `${v.plugin}: ok` : `${v.plugin}: ${v.message}`));
      lines.push(`  ${short(machine.machine)}  ${verdicts.join('; ')}`);
    }
  }
  return lines.join('\n');
}
