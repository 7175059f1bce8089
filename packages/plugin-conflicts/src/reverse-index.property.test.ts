// The plugin answers the reverse direction of Conflicts (which units have a glob matching this
// name) from an index of globs by literal prefix. It must answer exactly what running every glob
// of every unit with Conflicts answers, and the filter must name the same unit as the plain
// conflictOn (the first by name), over any names and globs: wildcards, classes, escapes,
// patterns without a literal prefix, malformed ones, and units whose own glob matches them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ResolvedUnit } from '@fleetd/core';
import { compileGlobs, matchesAny } from '@fleetd/glob';
import { conflictOn } from './index.js';
import { ConflictsIndex, indexedConflictOn, literalPrefix, matchedByOthers } from './reverse-index.js';

type TestUnit = Pick<ResolvedUnit, 'name' | 'requirements'>;

/** Few characters, so that globs often match; the special ones and a non-ASCII one among them. */
const nameArb = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd', '@', '.', '1', '-', '*', '?', '[', ']', '\\', 'é'), maxLength: 6 });
const tokenArb = fc.constantFrom('a', 'b', 'c', '@', '.', '1', '-', 'é', ']', '^', '*', '?', '[a-c]', '[^b]', '[\\]]', '\\*', '\\?', '\\a', '\\[', '[a', '\\');
const globArb = fc.string({ unit: tokenArb, maxLength: 5 });

type PatternSpec = { kind: 'glob'; glob: string } | { kind: 'own prefix'; length: number; suffix: string };

/** Patterns built from the unit's own name: its exact name, or a prefix of it and a wildcard (so it matches itself). */
const patternArb: fc.Arbitrary<PatternSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('glob' as const), glob: globArb }) },
  fc.record({ kind: fc.constant('own prefix' as const), length: fc.nat(6), suffix: fc.constantFrom('', '*', '?*', '[a-d]*') }),
);

function patternOf(spec: PatternSpec, name: string): string {
  return spec.kind === 'glob' ? spec.glob : `${name.slice(0, spec.length).replace(/[*?[\\]/g, '\\$&')}${spec.suffix}`;
}

interface ClusterInput {
  readonly units: readonly { readonly name: string; readonly patterns: readonly PatternSpec[] }[];
  readonly extraNames: readonly string[];
  readonly onMachine: readonly boolean[];
}

const clusterArb: fc.Arbitrary<ClusterInput> = fc.record({
  units: fc.uniqueArray(fc.record({ name: nameArb, patterns: fc.array(patternArb, { maxLength: 3 }) }), { selector: (unit) => unit.name, maxLength: 10 }),
  extraNames: fc.array(nameArb, { maxLength: 5 }),
  onMachine: fc.array(fc.boolean(), { minLength: 15, maxLength: 15 }),
});

function build({ units, extraNames }: ClusterInput) {
  const byName = new Map<string, TestUnit>();
  for (const unit of units) {
    const patterns = unit.patterns.map((spec) => patternOf(spec, unit.name)).filter((pattern) => pattern !== '');
    byName.set(unit.name, { name: unit.name, requirements: patterns.length === 0 ? {} : { conflicts: compileGlobs('Conflicts', patterns) } });
  }
  for (const name of extraNames) if (!byName.has(name)) byName.set(name, { name, requirements: {} });
  const withConflicts = new Set([...byName.values()].filter((unit) => unit.requirements.conflicts !== undefined).map((unit) => unit.name));
  const cluster = { unit: (name: string) => byName.get(name) as ResolvedUnit | undefined };
  return { byName, withConflicts, cluster, index: new ConflictsIndex(withConflicts, cluster) };
}

/** The plain answer: every unit with Conflicts whose globs match the name, sorted. */
const plainOwners = (byName: Map<string, TestUnit>, name: string): string[] =>
  [...byName.values()]
    .filter((unit) => matchesAny(unit.requirements.conflicts, name))
    .map((unit) => unit.name)
    .sort();

describe('the reverse index of Conflicts globs', () => {
  it('finds exactly the units whose globs match a name', () => {
    fc.assert(
      fc.property(clusterArb, fc.array(nameArb, { maxLength: 5 }), (input, probes) => {
        const { byName, index } = build(input);
        for (const name of [...byName.keys(), ...probes]) {
          expect(index.ownersMatching(name)).toEqual(plainOwners(byName, name));
          // Asked again, the remembered answer.
          expect(index.ownersMatching(name)).toEqual(plainOwners(byName, name));
          expect(matchedByOthers(name, index)).toBe(plainOwners(byName, name).some((owner) => owner !== name));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('names the same conflicting unit as conflictOn on any machine', () => {
    fc.assert(
      fc.property(clusterArb, (input) => {
        const { byName, withConflicts, cluster, index } = build(input);
        const names = [...byName.keys()];
        const machine = { units: new Set(names.filter((_, i) => input.onMachine[i % input.onMachine.length])) };
        for (const name of names) {
          const unit = byName.get(name) as TestUnit;
          const plain = conflictOn(unit, machine, cluster);
          expect(indexedConflictOn(unit, machine, index)).toBe(plain);
          expect(conflictOn(unit, machine, cluster, withConflicts)).toBe(plain);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('files every glob under a prefix that each name it matches starts with', () => {
    fc.assert(
      fc.property(globArb, fc.array(nameArb, { maxLength: 20 }), (glob, names) => {
        const [matcher] = compileGlobs('Conflicts', [glob]).matchers;
        if (matcher === undefined) return;
        for (const name of names) if (matcher(name)) expect(name.startsWith(literalPrefix(glob))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    { name: 'a plain name', pattern: 'web@1.service', prefix: 'web@1.service' },
    { name: 'up to a star', pattern: 'app@1?6*', prefix: 'app@1' },
    { name: 'up to a question mark', pattern: 'app@?6.service', prefix: 'app@' },
    { name: 'up to a class', pattern: 'db[0-9].service', prefix: 'db' },
    { name: 'up to an escape, conservatively', pattern: 'a\\*b*', prefix: 'a' },
    { name: 'none before a wildcard', pattern: '*.service', prefix: '' },
    { name: 'up to the first non-ASCII character', pattern: 'abé*', prefix: 'ab' },
  ])('literalPrefix: $name', ({ pattern, prefix }) => {
    expect(literalPrefix(pattern)).toBe(prefix);
  });
});
