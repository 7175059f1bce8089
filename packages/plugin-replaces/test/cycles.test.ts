// Pairs replacing each other, and longer cycles of one-way Replaces: kept apart, never pushing each other.
import { describe, expect, it } from 'vitest';
import { createTestCluster, simulate } from '@fleetd/core/testing';
import { MAX_CYCLE_SEARCH, replacesCycleMembers } from '../src/index.js';
import { expectSettled, noNarrowing, plugins, replacing, resolved, service, sharingPairs } from './helpers.js';

interface CycleCase {
  readonly name: string;
  readonly machines: readonly string[];
  readonly units: Readonly<Record<string, string>>;
  readonly placements?: Readonly<Record<string, string>>;
  readonly expected: Readonly<Record<string, string>>;
  readonly summaries?: Readonly<Record<string, string>>;
  /** [unit, from, reason] */
  readonly revoked?: readonly (readonly [string, string, string])[];
}

const chain = (names: readonly string[], pattern: (next: string) => string): Record<string, string> =>
  Object.fromEntries(names.map((name, i) => [name, replacing(pattern(names[(i + 1) % names.length] as string))]));

const cases: CycleCase[] = [
  {
    name: 'a pair replacing each other shares a single machine: both run, as fleet ignores such a pair',
    machines: ['m1'],
    units: { 'a.service': replacing('b.service'), 'b.service': replacing('a.service') },
    expected: { 'a.service': 'm1', 'b.service': 'm1' },
  },
  {
    name: 'instances replacing each other through one glob all run, on one machine if need be',
    machines: ['m1'],
    units: { 'web@1.service': replacing('web@*.service'), 'web@2.service': replacing('web@*.service'), 'web@3.service': replacing('web@*.service') },
    expected: { 'web@1.service': 'm1', 'web@2.service': 'm1', 'web@3.service': 'm1' },
  },
  {
    name: 'a cycle of three on three machines: all run, apart',
    machines: ['m1', 'm2', 'm3'],
    units: chain(['a.service', 'b.service', 'c.service'], (next) => next),
    expected: { 'a.service': 'm1', 'b.service': 'm2', 'c.service': 'm3' },
  },
  {
    name: 'a cycle of three on two machines: the third has no machine apart from both neighbours and waits',
    machines: ['m1', 'm2'],
    units: chain(['a.service', 'b.service', 'c.service'], (next) => next),
    expected: { 'a.service': 'm1', 'b.service': 'm2' },
    summaries: { 'c.service': '0/2 machines available: 1 on a Replaces cycle with a.service, 1 on a Replaces cycle with b.service' },
  },
  {
    name: 'a glob cycle runs every unit apart when machines allow (issue 16, item 11)',
    machines: ['m1', 'm2', 'm3'],
    units: chain(['x1.service', 'x2.service', 'x3.service', 'x4.service', 'x5.service', 'x6.service'], (next) => `${next.slice(0, 2)}*`),
    expected: { 'x1.service': 'm1', 'x2.service': 'm2', 'x3.service': 'm3', 'x4.service': 'm1', 'x5.service': 'm2', 'x6.service': 'm3' },
  },
  {
    name: 'a cycle of four on two machines: units without an edge between them share, so all four run',
    machines: ['m1', 'm2'],
    units: chain(['a.service', 'b.service', 'c.service', 'd.service'], (next) => next),
    expected: { 'a.service': 'm1', 'b.service': 'm2', 'c.service': 'm1', 'd.service': 'm2' },
  },
  {
    name: 'partners sharing a machine (their files gained the edges while running): only the later by name moves',
    machines: ['m1', 'm2', 'm3'],
    units: chain(['a.service', 'b.service', 'c.service'], (next) => next),
    placements: { 'a.service': 'm1', 'b.service': 'm1', 'c.service': 'm2' },
    expected: { 'a.service': 'm1', 'b.service': 'm3', 'c.service': 'm2' },
    revoked: [['b.service', 'm1', 'on a Replaces cycle with a.service']],
  },
  {
    name: 'a pair replacing each other inside a longer loop: the one-way edges left form no cycle, so the usual rules apply',
    machines: ['m1', 'm2'],
    // a ↔ b (ignored), b → c, c → a: b waits for c, c avoids a, b avoids c and shares with a.
    units: { 'a.service': replacing('b.service'), 'b.service': replacing('a.service', 'c.service'), 'c.service': replacing('a.service') },
    expected: { 'a.service': 'm1', 'b.service': 'm1', 'c.service': 'm2' },
  },
  {
    name: 'a unit replacing one member of a cycle is not on it: it avoids that member',
    machines: ['m1', 'm2', 'm3'],
    units: { ...chain(['a.service', 'b.service', 'c.service'], (next) => next), 'z.service': replacing('a.service') },
    expected: { 'a.service': 'm1', 'b.service': 'm2', 'c.service': 'm3', 'z.service': 'm2' },
  },
];

describe('cycles and pairs', () => {
  it.each(
    cases.flatMap((c) => [
      { ...c, narrowing: true, label: 'with narrowing' },
      { ...c, narrowing: false, label: 'every machine through the filter' },
    ]),
  )('$name ($label)', async ({ machines, units, placements, expected, summaries, revoked, narrowing }) => {
    const cluster = await simulate({ plugins: [...(narrowing ? [] : [noNarrowing]), ...plugins], machines, units, placements: placements ?? {} });
    expect(cluster.placements()).toEqual(expected);
    for (const [unit, summary] of Object.entries(summaries ?? {})) expect(cluster.summary(unit)).toBe(summary);
    expect(cluster.rounds.flatMap((round) => round.revocations)).toEqual(
      (revoked ?? []).map(([unit, machine, reason]) => ({ unit, machine, plugin: 'replaces', reason })),
    );
    expect(sharingPairs(cluster)).toEqual([]);
    await expectSettled(cluster);
  });

  it("fleet's TestScheduleCircularReplace: a pair replacing each other both run, whichever started first", async () => {
    for (const [first, second] of [
      ['replace.0.service', 'replace-kick0.service'],
      ['replace-kick0.service', 'replace.0.service'],
    ] as const) {
      const contents = { 'replace.0.service': replacing('replace-kick0.service'), 'replace-kick0.service': replacing('replace.0.service') };
      const cluster = await createTestCluster({ plugins, machines: ['m1', 'm2'] });
      cluster.submit(first, contents[first]);
      await cluster.settle();
      cluster.submit(second, contents[second]);
      await cluster.settle();
      expect(cluster.placements()).toEqual({ [first]: 'm1', [second]: 'm2' });
    }
  });

  it('destroying a member breaks the cycle: the usual rules apply to the others', async () => {
    const cluster = await simulate({ plugins, machines: ['m1', 'm2'], units: chain(['a.service', 'b.service', 'c.service'], (next) => next) });
    expect(cluster.placements()).toEqual({ 'a.service': 'm1', 'b.service': 'm2' });
    cluster.destroy('b.service');
    await cluster.settle();
    // c replaces a (one way now): c avoids a's machine.
    expect(cluster.placements()).toEqual({ 'a.service': 'm1', 'c.service': 'm2' });
  });
});

describe('replacesCycleMembers', () => {
  it.each([
    { name: 'a unit without Replaces', units: { 'a.service': service }, of: 'a.service', members: [] },
    {
      name: 'a one-way chain',
      units: { 'a.service': replacing('b.service'), 'b.service': replacing('c.service'), 'c.service': service },
      of: 'a.service',
      members: [],
    },
    {
      name: 'a pair replacing each other (no one-way edge)',
      units: { 'a.service': replacing('b.service'), 'b.service': replacing('a.service') },
      of: 'a.service',
      members: [],
    },
    { name: 'a cycle of three', units: chain(['a.service', 'b.service', 'c.service'], (next) => next), of: 'b.service', members: ['a.service', 'c.service'] },
    {
      name: 'two cycles sharing no unit',
      units: { ...chain(['a.service', 'b.service', 'c.service'], (next) => next), ...chain(['x.service', 'y.service', 'z.service'], (next) => next) },
      of: 'y.service',
      members: ['x.service', 'z.service'],
    },
    {
      name: 'through globs to units not placed',
      units: chain(['a.service', 'b.service', 'c.service'], (next) => `${next[0]}*`),
      of: 'c.service',
      members: ['a.service', 'b.service'],
    },
  ])('$name', async ({ units, of, members }) => {
    const cluster = await createTestCluster({ plugins, machines: ['m1'], units });
    expect(replacesCycleMembers(resolved(cluster, of), cluster.state, cluster.state.unitsWithRequirement('replaces'))).toEqual(members);
  });

  it('without the index of units with Replaces, globs reach only units that run', async () => {
    const units = chain(['a.service', 'b.service', 'c.service'], (next) => `${next[0]}*`);
    const cluster = await createTestCluster({ plugins, machines: ['m1', 'm2'], units, placements: { 'a.service': 'm1' } });
    // b → c* → c.service (not running): not reached.
    expect(replacesCycleMembers(resolved(cluster, 'b.service'), cluster.state)).toEqual([]);
    const running = await createTestCluster({
      plugins,
      machines: ['m1', 'm2', 'm3'],
      units,
      placements: { 'a.service': 'm1', 'b.service': 'm2', 'c.service': 'm3' },
    });
    expect(replacesCycleMembers(resolved(running, 'b.service'), running.state)).toEqual(['a.service', 'c.service']);
  });

  it(`visits at most MAX_CYCLE_SEARCH (${MAX_CYCLE_SEARCH}) units: a longer cycle is seen only in part`, async () => {
    const names = (count: number) => Array.from({ length: count }, (_, i) => `u${String(i).padStart(5, '0')}.service`);
    const inBound = await createTestCluster({ plugins, units: chain(names(MAX_CYCLE_SEARCH), (next) => next) });
    expect(replacesCycleMembers(resolved(inBound, 'u00000.service'), inBound.state, inBound.state.unitsWithRequirement('replaces'))).toHaveLength(
      MAX_CYCLE_SEARCH - 1,
    );
    const past = await createTestCluster({ plugins, units: chain(names(MAX_CYCLE_SEARCH + 1), (next) => next) });
    expect(replacesCycleMembers(resolved(past, 'u00000.service'), past.state, past.state.unitsWithRequirement('replaces'))).toEqual([]);
  });
});
