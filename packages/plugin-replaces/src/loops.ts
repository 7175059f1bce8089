import { unitOptionValues } from '@fleetd/core';
import type { ClusterView, ResolvedUnit, UnitOptionSpec } from '@fleetd/core';
import { splitPatterns } from '@fleetd/glob';
import type { GlobMatcher } from '@fleetd/glob';
import { replacesCyclesOf } from './cycles.js';
import { MAX_CYCLE_SEARCH, replacesUnit } from './replaces.js';
import type { ReplacesLookup, ReplacingUnit } from './replaces.js';

/** What the loop search reads of the MachineOf option: its names (the declaration some plugin made). */
export type MachineOfOption = Pick<UnitOptionSpec, 'name' | 'aliases'>;

/**
 * The text every name a pattern matches starts with: a literal pattern's
 * name, or a glob's characters before its first `*`, `?`, `[` or `\`.
 */
function literalPrefix(matcher: GlobMatcher): string {
  if (matcher.literal !== undefined) return matcher.literal;
  const end = matcher.pattern.search(/[*?[\\]/);
  return end < 0 ? matcher.pattern : matcher.pattern.slice(0, end);
}

/** The links of a move, for one set of units: who pushes whom. Remembered per unit asked about. */
class PushIndex {
  private readonly pushers = new Map<string, readonly string[]>();
  /** Units with Replaces by the literal prefix of each of their patterns, so a name is tried only against patterns that can match it. */
  private byPrefix: Map<string, string[]> | undefined;
  private prefixLengths: number[] = [];

  constructor(
    private readonly cluster: ReplacesLookup,
    private readonly replacers: ReadonlySet<string>,
  ) {}

  /** Whether `from` pushes `to` away where they meet: it replaces it one way, off any cycle of Replaces. */
  pushes(from: ReplacingUnit, to: ReplacingUnit): boolean {
    return replacesUnit(from, to.name) && !replacesUnit(to, from.name) && !replacesCyclesOf(this.cluster, this.replacers).sameCycle(from.name, to.name);
  }

  /** The units with Replaces that push `unit`, by name (remembered per unit). */
  pushersOf(unit: ReplacingUnit): readonly string[] {
    let found = this.pushers.get(unit.name);
    if (found === undefined) {
      const names = new Set<string>();
      for (const replacer of this.candidatesFor(unit.name)) {
        const other = this.cluster.unit(replacer);
        if (other !== undefined && replacer !== unit.name && this.pushes(other, unit)) names.add(replacer);
      }
      found = [...names].sort();
      this.pushers.set(unit.name, found);
    }
    return found;
  }

  /** The units with Replaces having a pattern whose literal prefix `name` starts with. */
  private *candidatesFor(name: string): Iterable<string> {
    const byPrefix = this.prefixIndex();
    for (const length of this.prefixLengths) {
      if (length > name.length) break;
      yield* byPrefix.get(name.slice(0, length)) ?? [];
    }
  }

  private prefixIndex(): Map<string, string[]> {
    if (this.byPrefix !== undefined) return this.byPrefix;
    const byPrefix = new Map<string, string[]>();
    for (const replacer of this.replacers) {
      for (const matcher of this.cluster.unit(replacer)?.requirements.replaces?.matchers ?? []) {
        const prefix = literalPrefix(matcher);
        const list = byPrefix.get(prefix);
        if (list === undefined) byPrefix.set(prefix, [replacer]);
        else list.push(replacer);
      }
    }
    this.prefixLengths = [...new Set([...byPrefix.keys()].map((prefix) => prefix.length))].sort((a, b) => a - b);
    this.byPrefix = byPrefix;
    return byPrefix;
  }
}

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
export function pushLoops(
  unit: Pick<ResolvedUnit, 'name' | 'requirements' | 'fleetOptions'>,
  cluster: ReplacesLookup,
  machineOf: MachineOfOption | undefined,
  replacers: ReadonlySet<string>,
): ReadonlyMap<string, readonly string[]> {
  return loopsWith(unit, cluster, machineOf, new PushIndex(cluster, replacers));
}

function loopsWith(
  unit: Pick<ResolvedUnit, 'name' | 'requirements' | 'fleetOptions'>,
  cluster: ReplacesLookup,
  machineOf: MachineOfOption | undefined,
  index: PushIndex,
): ReadonlyMap<string, readonly string[]> {
  const loops = new Map<string, readonly string[]>();
  if (unit.requirements.replaces === undefined) return loops;
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
    for (const pusher of index.pushersOf(current)) reach(pusher, name);
  }
  for (const name of [...next.keys()].sort()) {
    const other = cluster.unit(name);
    if (other !== undefined && index.pushes(unit, other)) loops.set(name, pathFrom(name, next));
  }
  return loops;
}

function pathFrom(name: string, next: ReadonlyMap<string, string>): string[] {
  const path = [name];
  for (let at = next.get(name); at !== undefined; at = next.get(at)) path.push(at);
  return path;
}

const NO_LOOPS: ReadonlyMap<string, readonly string[]> = new Map();

interface LoopCache {
  readonly index: PushIndex;
  readonly loops: Map<string, ReadonlyMap<string, readonly string[]>>;
}

/** Per index of units with Replaces (rebuilt whenever units change, so it keys their MachineOf values too). */
const byReplacers = new WeakMap<ReadonlySet<string>, LoopCache>();

/** `pushLoops`, remembered per unit (and who pushes whom) while `replacers` (the core's index of units with Replaces) is the same set. */
export function cachedPushLoops(
  unit: Pick<ResolvedUnit, 'name' | 'requirements' | 'fleetOptions'>,
  cluster: ReplacesLookup & Pick<ClusterView, 'unitsWithRequirement'>,
  machineOf: MachineOfOption | undefined,
  replacers: ReadonlySet<string>,
): ReadonlyMap<string, readonly string[]> {
  // Pushes alone never loop (the ones on a cycle of Replaces do not push): a loop needs a unit following another.
  if (cluster.unitsWithRequirement('replacesFollows').size === 0) return NO_LOOPS;
  let cache = byReplacers.get(replacers);
  if (cache === undefined) {
    cache = { index: new PushIndex(cluster, replacers), loops: new Map() };
    byReplacers.set(replacers, cache);
  }
  let found = cache.loops.get(unit.name);
  if (found === undefined) {
    found = loopsWith(unit, cluster, machineOf, cache.index);
    cache.loops.set(unit.name, found);
  }
  return found;
}
