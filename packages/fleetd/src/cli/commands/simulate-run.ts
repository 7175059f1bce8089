import { dirname, resolve } from 'node:path';
import { assemblePlugins } from '@fleetd/core';
import type { PluginHost } from '@fleetd/core';
import { fleetPreset } from '@fleetd/preset-fleet';
import { loadConfig } from '../../config/load.js';
import { resolvePlugins } from '../../config/plugins.js';
import { planUnits } from '../../service/plan.js';
import { readClusterFile } from '../cluster-file.js';
import { planInputs, printPlan } from '../dry-run.js';
import type { Session } from '../session.js';

export interface SimulateOptions {
  readonly cluster: string;
  readonly config?: string;
  readonly full?: boolean;
}

/**
 * `simulate --cluster FILE FILES...`: the same plan, offline, against the
 * machines of a cluster file, with the plugins of a fleetd config (`--config`)
 * or all first-party plugins. Never talks to a daemon.
 */
export async function simulateUnits(session: Session, args: readonly string[], options: SimulateOptions): Promise<number> {
  const machines = readClusterFile(resolve(session.io.cwd, options.cluster));
  const units = await planInputs(session, args, false);
  const host = await pluginHost(session, options.config);
  const result = planUnits(host, { machines: [], units: [] }, { units, machines });
  const known = new Map(
    machines.map((machine) => [machine.id, { id: machine.id, primaryIP: '', metadata: machine.metadata ?? {}, facts: machine.facts ?? {} }]),
  );
  return printPlan(session, result, known, options.full === true);
}

async function pluginHost(session: Session, configPath: string | undefined): Promise<PluginHost> {
  if (configPath === undefined) return assemblePlugins(fleetPreset());
  const loaded = await loadConfig({ cwd: session.io.cwd, configPath, env: session.io.env });
  const plugins = await resolvePlugins(loaded.config, { configDir: loaded.file === undefined ? session.io.cwd : dirname(loaded.file) });
  return assemblePlugins(
    plugins.map((plugin) => plugin.entry),
    loaded.config.hookTimeoutMs === undefined ? {} : { hookTimeoutMs: loaded.config.hookTimeoutMs },
  );
}
