import type { ClusterView, MachineView, ResolvedUnit } from '@fleetd/core';
import { matchesAny } from '@fleetd/glob';
import type { GlobMatcher } from '@fleetd/glob';

/** One distinct pattern and the units (owners) whose Conflicts have it. */
interface Entry {
  readonly matcher: GlobMatcher;
  readonly owners: string[];
}

/** The characters Go's `path.Match` does not read literally outside a class. */
const SPECIAL = /[*?[\\]/;

/** What most names get: no unit has a glob matching them (shared, so remembering them costs no array each). */
const NONE: readonly string[] = Object.freeze([]);

/**
 * The characters every name the pattern matches starts with: those before
 * its first `*`, `?`, `[` or `\`, cut at the first non-ASCII one (the
 * matcher compares UTF-8 bytes, a string prefix is in UTF-16; unit names are
 * ASCII, so nothing is lost). Shorter than the real literal prefix is always
 * safe: it only means more globs are run.
 */
export function literalPrefix(pattern: string): string {
  const special = pattern.search(SPECIAL);
  const literal = special < 0 ? pattern : pattern.slice(0, special);
  let end = 0;
  while (end < literal.length && literal.charCodeAt(end) < 0x80) end++;
  return literal.slice(0, end);
}

/**
 * Every well-formed Conflicts glob of the units that have some, so that "which
 * units have a glob matching this name" (the reverse direction of Conflicts)
 * costs a few map lookups and the globs that can match, not a glob per unit
 * with Conflicts. Exact names are one lookup; other globs are filed under
 * their literal prefix and looked up by the name's prefix of each length
 * present (few). Built from one `unitsWithRequirement('conflicts')` set: the
 * core hands out a new set whenever units change, so it is valid as long as
 * that set is the current one.
 */
export class ConflictsIndex {
  private readonly exact = new Map<string, string[]>();
  /** Prefix length → prefix → the globs with that literal prefix. */
  private readonly byPrefix = new Map<number, Map<string, Map<string, Entry>>>();
  private readonly lengths: number[] = [];
  private readonly answers = new Map<string, readonly string[]>();
  /** How many units the index was built from: a cheap check that a set kept by identity was not changed in place. */
  readonly size: number;

  constructor(owners: ReadonlySet<string>, cluster: Pick<ClusterView, 'unit'>) {
    this.size = owners.size;
    for (const owner of owners) {
      for (const matcher of cluster.unit(owner)?.requirements.conflicts?.matchers ?? []) this.add(owner, matcher);
    }
    this.lengths.sort((a, b) => a - b);
  }

  /**
   * The units one of whose globs matches `name`, sorted by name, each once
   * (the unit itself included when its own glob matches it). Remembered per
   * name: the filter asks once per machine for the same unit.
   */
  ownersMatching(name: string): readonly string[] {
    let owners = this.answers.get(name);
    if (owners === undefined) {
      owners = this.findOwners(name);
      this.answers.set(name, owners);
    }
    return owners;
  }

  private add(owner: string, matcher: GlobMatcher): void {
    if (matcher.literal !== undefined) {
      push(this.exact, matcher.literal, owner);
      return;
    }
    const prefix = literalPrefix(matcher.pattern);
    let prefixes = this.byPrefix.get(prefix.length);
    if (prefixes === undefined) {
      prefixes = new Map();
      this.byPrefix.set(prefix.length, prefixes);
      this.lengths.push(prefix.length);
    }
    let entries = prefixes.get(prefix);
    if (entries === undefined) {
      entries = new Map();
      prefixes.set(prefix, entries);
    }
    // Units in a group usually share their pattern: it then runs once for all of them.
    const entry = entries.get(matcher.pattern);
    if (entry === undefined) entries.set(matcher.pattern, { matcher, owners: [owner] });
    else entry.owners.push(owner);
  }

  private findOwners(name: string): readonly string[] {
    // Most names match no glob: nothing is allocated for them.
    let found = this.exact.get(name)?.slice();
    for (const length of this.lengths) {
      if (length > name.length) break;
      const entries = this.byPrefix.get(length)?.get(name.slice(0, length));
      if (entries === undefined) continue;
      for (const entry of entries.values()) {
        if (!entry.matcher(name)) continue;
        found ??= [];
        for (const owner of entry.owners) found.push(owner);
      }
    }
    // A unit with several globs matching the name is one owner.
    return found === undefined ? NONE : [...new Set(found)].sort();
  }
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const values = map.get(key);
  if (values === undefined) map.set(key, [value]);
  else values.push(value);
}

const indexes = new WeakMap<ReadonlySet<string>, ConflictsIndex>();
// The filter asks once per machine, and the set stays the same for a whole round. (Keeps the
// last set and its index alive until the next one: one index, whatever the number of clusters.)
let lastOwners: ReadonlySet<string> | undefined;
let lastIndex: ConflictsIndex | undefined;

/**
 * The index of the cluster's current units with Conflicts, built once per set
 * of them (the core's `unitsWithRequirement` gives a new set whenever units
 * change; a stand-in view that builds one per call gets an index per call).
 */
export function conflictsIndex(cluster: Pick<ClusterView, 'unit' | 'unitsWithRequirement'>): ConflictsIndex {
  const owners = cluster.unitsWithRequirement('conflicts');
  if (owners === lastOwners && lastIndex?.size === owners.size) return lastIndex;
  let index = indexes.get(owners);
  if (index?.size !== owners.size) {
    index = new ConflictsIndex(owners, cluster);
    indexes.set(owners, index);
  }
  lastOwners = owners;
  lastIndex = index;
  return index;
}

/**
 * `conflictOn` with the reverse direction answered by the index: the unit on
 * `machine` that `unit` conflicts with, the first by name, or undefined. One
 * of the unit's own globs matching a unit there is checked over the
 * machine's units (only for a unit with Conflicts); a unit there whose glob
 * matches the unit is the first owner (sorted) that is on the machine.
 */
export function indexedConflictOn(
  unit: Pick<ResolvedUnit, 'name' | 'requirements'>,
  machine: Pick<MachineView, 'units'>,
  index: ConflictsIndex,
): string | undefined {
  let found: string | undefined;
  for (const owner of index.ownersMatching(unit.name)) {
    if (owner !== unit.name && machine.units.has(owner)) {
      found = owner;
      break;
    }
  }
  const mine = unit.requirements.conflicts;
  if (mine === undefined) return found;
  for (const other of machine.units) {
    if (other === unit.name || (found !== undefined && other >= found)) continue;
    if (matchesAny(mine, other)) found = other;
  }
  return found;
}

/** Whether a unit's glob other than its own matches `name`: without Conflicts of its own, nothing else can keep it off a machine. */
export function matchedByOthers(name: string, index: ConflictsIndex): boolean {
  const owners = index.ownersMatching(name);
  return owners.length > (owners.includes(name) ? 1 : 0);
}
