import type { ResolvedUnit } from '@fleetd/core';
import type { MachineOfRequirement } from './requirement.js';

/**
 * How many units a cycle search visits at most. MachineOf graphs are a few
 * units deep; a longer search stops and reports no cycle (the units then
 * simply wait for peers that never get placed).
 */
export const MAX_CYCLE_SEARCH = 1024;

/** The lookup a cycle search needs (a `ClusterView` has it). */
export interface PeerLookup {
  unit(name: string): Pick<ResolvedUnit, 'requirements'> | undefined;
}

// Scratch reused by every search: filter taps are synchronous and the search
// does not re-enter itself, so one set of buffers serves every call.
const queue: string[] = [];
const parentOf = new Map<string, string>();

/**
 * The shortest MachineOf cycle through `unit`, as unit names from `unit` back
 * to itself (`['a.service', 'b.service', 'a.service']`), or undefined when
 * `unit` is on none. Edges are read from each peer's resolved
 * `requirements['machine-of']`; the search is a breadth-first walk bounded by
 * MAX_CYCLE_SEARCH, without recursion. A unit whose peers have no MachineOf of
 * their own (the common follower) costs one lookup per peer and no allocation.
 */
export function machineOfCycle(unit: Pick<ResolvedUnit, 'name' | 'requirements'>, cluster: PeerLookup): readonly string[] | undefined {
  const peers: MachineOfRequirement | undefined = unit.requirements['machine-of'];
  if (peers === undefined) return undefined;
  let chained = false;
  for (const peer of peers) {
    if (peer === unit.name) return [unit.name, unit.name];
    if (cluster.unit(peer)?.requirements['machine-of'] !== undefined) chained = true;
  }
  if (!chained) return undefined;

  queue.length = 0;
  parentOf.clear();
  try {
    for (const peer of peers) enqueue(peer, unit.name);
    for (let head = 0; head < queue.length; head++) {
      const name = queue[head] as string;
      const next = cluster.unit(name)?.requirements['machine-of'];
      if (next === undefined) continue;
      for (const peer of next) {
        if (peer === unit.name) return pathBack(unit.name, name);
        if (queue.length < MAX_CYCLE_SEARCH) enqueue(peer, name);
      }
    }
    return undefined;
  } finally {
    queue.length = 0;
    parentOf.clear();
  }
}

function enqueue(name: string, parent: string): void {
  if (parentOf.has(name)) return;
  parentOf.set(name, parent);
  queue.push(name);
}

/** `start → first peer → … → last → start`, following the search's parents back from `last`. */
function pathBack(start: string, last: string): string[] {
  const chain: string[] = [];
  for (let name: string | undefined = last; name !== undefined && name !== start; name = parentOf.get(name)) chain.push(name);
  return [start, ...chain.reverse(), start];
}
