import { assemblePlugins, createUnit } from '@fleetd/core';
import type { PluginLoggerFactory, RoundResult, UnitExplanation } from '@fleetd/core';
// The scheduler is a host internal: embedding it directly, as this demo does, means following core/unstable.
import { Scheduler } from '@fleetd/core/unstable';
import { demoMachines, demoUnits } from './cluster.js';
import { demoPlugins, roundLog } from './plugins.js';

export interface DemoOutcome {
  readonly round: RoundResult;
  readonly explanations: readonly UnitExplanation[];
  /** What plugins logged, as `[plugin] message` (the round log's line per round). */
  readonly log: readonly string[];
  readonly report: string;
}

/** Schedules the example cluster once and renders what happened for a person. */
export async function runDemo(): Promise<DemoOutcome> {
  const log: string[] = [];
  const host = await assemblePlugins([...demoPlugins, roundLog], { logger: collectingLogger(log) });
  const scheduler = new Scheduler(host);
  const units = Object.entries(demoUnits).map(([name, contents]) => createUnit({ name, contents, desiredState: 'launched' }));
  const state = scheduler.createState({ machines: demoMachines, units });
  const round = await scheduler.schedule(state);
  const explanations = round.unschedulable.map((unit) => scheduler.explain(state, unit.unit));
  return {
    round,
    explanations,
    log,
    report: renderReport(
      round,
      explanations,
      host.plugins.map((p) => p.meta.name),
      log,
    ),
  };
}

/** Gives each plugin a logger whose lines end up in `lines`, for the report; fleetd gives plugins its own log instead. */
function collectingLogger(lines: string[]): PluginLoggerFactory {
  return (plugin) => {
    const write = (message: string): void => {
      lines.push(`[${plugin}] ${message}`);
    };
    return { debug: write, info: write, warn: write, error: write };
  };
}

function renderReport(round: RoundResult, explanations: readonly UnitExplanation[], plugins: readonly string[], log: readonly string[]): string {
  const short = (id: string) => id.slice(0, 8);
  const lines = [
    `fleetd scheduling demo: ${demoMachines.length} machines, ${Object.keys(demoUnits).length} units, plugins: ${plugins.join(', ')}`,
    '',
    'MACHINE\t\tMETADATA',
    ...demoMachines.map(
      (m) =>
        `${short(m.id)}\t${Object.entries(m.metadata)
          .map(([k, v]) => `${k}=${v}`)
          .join(',')}`,
    ),
    '',
    'UNIT\t\t\tMACHINE\t\tSCORES OF THE BEST CANDIDATES',
    ...round.placements.map((p) => `${p.unit.padEnd(20)}\t${short(p.machine)}\t${p.candidates.map((c) => `${short(c.machine)}=${c.total}`).join(' ')}`),
    '',
    `placed ${round.placements.length}, unschedulable ${round.unschedulable.length}, decided in ${round.stats.decideMs.toFixed(2)} ms`,
    '',
    'PLUGIN LOG',
    ...log,
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
