/**
 * The machines of `fleetd dev`: readable names, and metadata from
 * `--metadata` (`key=value,...` for every machine, `name:key=value,...` for one).
 */
import { parseMetadataString } from '../config/metadata.js';
import type { MachineSpec } from './local-cluster.js';

export const MACHINE_NAMES = [
  'alpha',
  'bravo',
  'charlie',
  'delta',
  'echo',
  'foxtrot',
  'golf',
  'hotel',
  'india',
  'juliett',
  'kilo',
  'lima',
  'mike',
  'november',
  'oscar',
  'papa',
  'quebec',
  'romeo',
  'sierra',
  'tango',
  'uniform',
  'victor',
  'whiskey',
  'xray',
  'yankee',
  'zulu',
] as const;

export const MAX_DEV_MACHINES = MACHINE_NAMES.length;

export type MachinesResult = { readonly ok: true; readonly machines: MachineSpec[] } | { readonly ok: false; readonly problem: string };

/** Machine specs for `count` machines with the `--metadata` arguments applied in order (later ones win). */
export function devMachines(count: number, metadataArgs: readonly string[]): MachinesResult {
  if (!Number.isInteger(count) || count < 1 || count > MAX_DEV_MACHINES) {
    return { ok: false, problem: `--machines: must be a whole number from 1 to ${MAX_DEV_MACHINES}, got ${String(count)}` };
  }
  const names: readonly string[] = MACHINE_NAMES.slice(0, count);
  const metadata = new Map(names.map((name) => [name, {}]));
  for (const arg of metadataArgs) {
    const scoped = /^([a-z]+):(.*)$/.exec(arg);
    const targets = scoped === null ? names : [scoped[1] as string];
    const text = scoped === null ? arg : (scoped[2] as string);
    const unknown = targets.find((name) => !metadata.has(name));
    if (unknown !== undefined) return { ok: false, problem: `--metadata ${JSON.stringify(arg)}: no machine ${unknown} (the machines are ${names.join(', ')})` };
    const parsed = parseMetadataString(text);
    if (!parsed.ok) return { ok: false, problem: `--metadata ${JSON.stringify(arg)}: ${parsed.problems.join('; ')}` };
    for (const name of targets) Object.assign(metadata.get(name) as Record<string, string>, parsed.metadata);
  }
  return { ok: true, machines: names.map((id) => ({ id, metadata: metadata.get(id) ?? {} })) };
}
