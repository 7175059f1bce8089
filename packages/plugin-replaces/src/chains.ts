import { unitOptionValues } from '@fleetd/core';
import type { ClusterView, ResolvedUnit, UnitOptionSpec } from '@fleetd/core';
import { splitPatterns } from '@fleetd/glob';
import { MAX_CYCLE_SEARCH, replacesUnit } from './replaces.js';

/** What the chain search reads of the MachineOf option: its names (the declaration some plugin made). */
export type MachineOfOption = Pick<UnitOptionSpec, 'name' | 'aliases'>;

/**
 * The MachineOf chain from `unit` to a unit it replaces one way (the peers it
 * must share a machine with, their peers, and so on), shortest first, or
 * undefined. Such a unit can never run: wherever it goes, it pushes off a
 * unit it must run next to, which its chain then follows (fleet refused the
 * direct case at submit, "unresolvable requirements", and moved the units
 * of a longer chain round and round). Breadth first through at most
 * MAX_CYCLE_SEARCH units, no recursion; peers that are not submitted end
 * their branch.
 */
export function chainToReplaced(
  unit: Pick<ResolvedUnit, 'name' | 'requirements' | 'fleetOptions'>,
  cluster: Pick<ClusterView, 'unit'>,
  machineOf: MachineOfOption | undefined,
): string[] | undefined {
  if (machineOf === undefined || unit.requirements.replaces === undefined) return undefined;
  const from = new Map<string, string | undefined>();
  const queue: string[] = [];
  const enqueue = (peers: readonly string[], parent: string | undefined): void => {
    for (const peer of peers) {
      if (from.has(peer) || peer === unit.name || from.size >= MAX_CYCLE_SEARCH) continue;
      from.set(peer, parent);
      queue.push(peer);
    }
  };
  enqueue(peersOf(unit, machineOf), undefined);
  for (let head = 0; head < queue.length; head++) {
    const name = queue[head] as string;
    const peer = cluster.unit(name);
    if (peer === undefined) continue;
    if (replacesUnit(unit, name) && !replacesUnit(peer, unit.name)) return pathTo(name, from);
    enqueue(peersOf(peer, machineOf), name);
  }
  return undefined;
}

function peersOf(unit: Pick<ResolvedUnit, 'fleetOptions'>, machineOf: MachineOfOption): string[] {
  return splitPatterns(unitOptionValues(unit, machineOf));
}

function pathTo(name: string, from: ReadonlyMap<string, string | undefined>): string[] {
  const path: string[] = [];
  for (let at: string | undefined = name; at !== undefined; at = from.get(at)) path.unshift(at);
  return path;
}

/** Chains by unit name, per index of units with Replaces (rebuilt whenever units change, so it keys their MachineOf values too). */
const byReplacers = new WeakMap<ReadonlySet<string>, Map<string, string[] | undefined>>();

/** `chainToReplaced`, remembered per unit while `replacers` (the core's index of units with Replaces) is the same set. */
export function cachedChainToReplaced(
  unit: Pick<ResolvedUnit, 'name' | 'requirements' | 'fleetOptions'>,
  cluster: Pick<ClusterView, 'unit'>,
  machineOf: MachineOfOption | undefined,
  replacers: ReadonlySet<string>,
): string[] | undefined {
  let chains = byReplacers.get(replacers);
  if (chains === undefined) {
    chains = new Map();
    byReplacers.set(replacers, chains);
  }
  if (!chains.has(unit.name)) chains.set(unit.name, chainToReplaced(unit, cluster, machineOf));
  return chains.get(unit.name);
}
