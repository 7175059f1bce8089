import { unitOptionValues } from '@fleetd/core';
import type { ResolvedUnit, UnitOptionSpec } from '@fleetd/core';
import { splitPatterns } from '@fleetd/glob';
import { replacesCyclesOf } from './cycles.js';
import { MAX_CYCLE_SEARCH, replacesUnit } from './replaces.js';
import type { ReplacesLookup, ReplacingUnit } from './replaces.js';

/** What the loop search reads of the MachineOf option: its names (the declaration some plugin made). */
export type MachineOfOption = Pick<UnitOptionSpec, 'name' | 'aliases'>;


/**
 * The units `unit` would push away whose moves lead back to it, each with
 * the path (that unit first, `unit` last), by name. A move leads on along
 * two kinds of link: a unit pushes away the units it replaces one way (off a
 * cycle of Replaces), and a unit that moves takes its MachineOf followers
 * with it. Were `unit` to push such a unit off a machine, what follows would
 * bring `unit` next to it again, round and round (fleet did this forever;
 * the simplest case is a unit whose MachineOf chain leads to a unit it
 * replaces). So `unit` never pushes these: it is not placed next to them.
 *
 * Found backwards from `unit`: the units whose move reaches it (its MachineOf
 * peers, the units pushing it, and theirs), breadth first through at most
 * MAX_CYCLE_SEARCH units, no recursion. `replacers` is the core's index of
 * units with Replaces (the only units that push); without MachineOf declared
 * (`machineOf` undefined) only pushes link units.
 */
export function pushLoops(unit: Pick<ResolvedUnit, 'name' | 'requirements' | 'fleetOptions'>, cluster: ReplacesLookup, machineOf: MachineOfOption | undefined, replacers: ReadonlySet<string>): ReadonlyMap<string, readonly string[]> {
  const loops = new Map<string, readonly string[]>();
  if (unit.requirements.replaces === undefined) return loops;
  const cycles = replacesCyclesOf(cluster, replacers);
  const pushes = (from: ReplacingUnit, to: ReplacingUnit): boolean => replacesUnit(from, to.name) && !replacesUnit(to, from.name) && !cycles.sameCycle(from.name, to.name);
  // next: for each unit found, the unit its move leads to on the way to `unit`.
  const next = new Map<string, string>();
  const queue: string[] = [unit.name];
  const reach = (from: string, to: string): void => {
    if (from === unit.name || next.has(from) || next.size >= MAX_CYCLE_SEARCH) return;
    next.set(from, to);
    queue.push(from);
  };
  for (let head = 0; head < queue.length; head++) {
    const name = queue[head] as string;
    const current = name === unit.name ? unit : cluster.unit(name);
    if (current === undefined) continue;
    if (machineOf !== undefined) for (const peer of splitPatterns(unitOptionValues(current, machineOf))) reach(peer, name);
    for (const replacer of replacers) {
      const other = cluster.unit(replacer);
      if (other !== undefined && replacer !== name && pushes(other, current)) reach(replacer, name);
    }
  }
  for (const name of [...next.keys()].sort()) {
    const other = cluster.unit(name);
    if (other !== undefined && pushes(unit, other)) loops.set(name, pathFrom(name, next));
  }
  return loops;
}

function pathFrom(name: string, next: ReadonlyMap<string, string>): string[] {
  const path = [name];
  for (let at = next.get(name); at !== undefined; at = next.get(at)) path.push(at);
  return path;
}

/** Loops by unit name, per index of units with Replaces (rebuilt whenever units change, so it keys their MachineOf values too). */
const byReplacers = new WeakMap<ReadonlySet<string>, Map<string, ReadonlyMap<string, readonly string[]>>>();

/** `pushLoops`, remembered per unit while `replacers` (the core's index of units with Replaces) is the same set. */
export function cachedPushLoops(
  unit: Pick<ResolvedUnit, 'name' | 'requirements' | 'fleetOptions'>,
  cluster: ReplacesLookup,
  machineOf: MachineOfOption | undefined,
  replacers: ReadonlySet<string>,
): ReadonlyMap<string, readonly string[]> {
  let loops = byReplacers.get(replacers);
  if (loops === undefined) {
    loops = new Map();
    byReplacers.set(replacers, loops);
  }
  let found = loops.get(unit.name);
  if (found === undefined) {
    found = pushLoops(unit, cluster, machineOf, replacers);
    loops.set(unit.name, found);
  }
  return found;
}
