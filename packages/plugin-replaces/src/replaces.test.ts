import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ErrorCodes, withGlobal } from '@fleetd/core';
import type { PluginEntry, ResolvedUnit } from '@fleetd/core';
import { createTestCluster, simulate, testPlugin } from '@fleetd/core/testing';
import type { TestCluster } from '@fleetd/core/testing';
import replaces, {
  REPLACES_OPTION,
  replacedOn,
  replacedPeerProblem,
  replacePatterns,
  replacesCycle,
  replacesReasons,
  replacesUnit,
  replaceTargets,
} from './index.js';

const service = '[Service]\nExecStart=/bin/true\n';
const withFleet = (...lines: string[]): string => `${service}\n[X-Fleet]\n${lines.join('\n')}\n`;
const replacing = (...patterns: string[]): string => withFleet(`Replaces=${patterns.join(' ')}`);

/** Units named `global*` are global (what the global plugin decides from `Global=true`). */
const globalMarker = testPlugin('global-marker', (hooks) =>
  hooks.resolveUnit.tap((unit) => withGlobal(unit, unit.name.startsWith('global'))),
);
/** A narrow tap that throws: the core then drops all narrowing, so every machine goes through filter. */
const noNarrowing = testPlugin('no-narrowing', (hooks) =>
  hooks.narrow.tap(() => {
    throw new Error('narrowing disabled for this test');
  }),
);

/** fleet's least-loaded rule (what @fleetd/plugin-least-loaded scores), so units spread as they would in fleet. */
const spread = testPlugin('spread', (hooks) => hooks.score.tap((_unit, machine) => -machine.load));
/** Declares MachineOf as the machine-of plugin does: the replaces plugin finds the option through the table, whoever owns it. */
const machineOfOwner = testPlugin('machine-of', () => undefined, {
  unitOptions: [{ name: 'MachineOf', aliases: ['X-ConditionMachineOf'], description: 'run on the machine of these units' }],
});

const plugins: PluginEntry[] = [replaces, spread];

function resolved(cluster: TestCluster, name: string): ResolvedUnit {
  const unit = cluster.state.unit(name);
  if (unit === undefined) throw new Error(`${name} did not resolve`);
  return unit;
}

/** Pairs of units sharing a machine where one replaces the other. */
function replacedPairs(cluster: TestCluster): string[] {
  const pairs: string[] = [];
  for (const machine of cluster.state.machines) {
    for (const a of machine.units) {
      for (const b of machine.units) {
        if (replacesUnit(resolved(cluster, a), b)) pairs.push(`${machine.id}: ${a} replaces ${b}`);
      }
    }
  }
  return pairs;
}

/** What submitting the unit throws, or undefined when it is accepted. */
function submitError(cluster: TestCluster, name: string, contents: string): unknown {
  try {
    cluster.submit(name, contents);
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('declared [X-Fleet] options', () => {
  it('owns Replaces, one spelling, excluding nothing itself', async () => {
    const cluster = await createTestCluster({ plugins });
    expect(cluster.host.unitOptions.get('Replaces')).toMatchObject({ plugin: 'replaces', name: 'Replaces', spellings: ['Replaces'] });
    expect(cluster.host.unitOptions.get('Replaces')).not.toHaveProperty('excludes');
    expect(replaces.meta.unitOptions).toEqual([REPLACES_OPTION]);
  });
});

describe('replacePatterns', () => {
  it.each([
    { name: 'no Replaces', lines: [], patterns: [] },
    { name: 'one exact name', lines: ['Replaces=old.service'], patterns: ['old.service'] },
    { name: 'one glob', lines: ['Replaces=web-v1@*.service'], patterns: ['web-v1@*.service'] },
    { name: 'several globs on one line', lines: ['Replaces=a*.service  b*.service'], patterns: ['a*.service', 'b*.service'] },
    { name: 'several lines', lines: ['Replaces=a.service', 'Replaces=b.service'], patterns: ['a.service', 'b.service'] },
    { name: 'quoted values on one line', lines: ['Replaces="a.service" "b.service"'], patterns: ['a.service', 'b.service'] },
  ])('$name', async ({ lines, patterns }) => {
    const cluster = await createTestCluster({ plugins, units: { 'new.service': lines.length === 0 ? service : withFleet(...lines) } });
    const unit = resolved(cluster, 'new.service');
    expect(replacePatterns(unit)).toEqual(patterns);
    // Compiled once in resolveUnit (with @fleetd/glob's Go path.Match), only for units that have some.
    expect(unit.requirements.replaces?.matchers.map((matcher) => matcher.pattern)).toEqual(patterns.length === 0 ? undefined : patterns);
  });
});

describe('replacesUnit', () => {
  it.each([
    { name: 'an exact name', patterns: ['old.service'], other: 'old.service', expected: true },
    { name: 'another name', patterns: ['old.service'], other: 'older.service', expected: false },
    { name: 'a glob', patterns: ['web-v1@*.service'], other: 'web-v1@3.service', expected: true },
    { name: 'the second glob of a line', patterns: ['x.service', 'web-v1@[0-9].service'], other: 'web-v1@3.service', expected: true },
    { name: 'never the unit itself', patterns: ['new*'], other: 'new.service', expected: false },
    { name: 'nothing without Replaces', patterns: [], other: 'old.service', expected: false },
  ])('$name', async ({ patterns, other, expected }) => {
    const cluster = await createTestCluster({ plugins, units: { 'new.service': patterns.length === 0 ? service : replacing(...patterns) } });
    expect(replacesUnit(resolved(cluster, 'new.service'), other)).toBe(expected);
  });
});

describe('scheduling', () => {
  it('moves the replaced unit to another machine and puts the replacing unit in its place, in one round', async () => {
    const cluster = await createTestCluster({
      plugins,
      machines: ['m1', 'm2', 'm3'],
      units: { 'old.service': service, 'busy.service': service, 'new.service': replacing('old.service') },
      placements: { 'old.service': 'm1', 'busy.service': 'm2' },
    });
    await cluster.settle();
    expect(cluster.rounds).toHaveLength(2);
    const [first, second] = cluster.rounds;
    expect(first?.revocations).toEqual([{ unit: 'old.service', machine: 'm1', plugin: 'replaces', reason: 'replaced by new.service' }]);
    expect(first?.placements.map(({ unit, machine, previousMachine }) => ({ unit, machine, previousMachine }))).toEqual([
      { unit: 'new.service', machine: 'm1', previousMachine: undefined },
      { unit: 'old.service', machine: 'm3', previousMachine: 'm1' },
    ]);
    expect([second?.placements, second?.revocations]).toEqual([[], []]);
    expect(cluster.placements()).toEqual({ 'busy.service': 'm2', 'new.service': 'm1', 'old.service': 'm3' });
    // explain lifts a unit off its machine: the replaced unit could not go back to m1...
    expect(cluster.explain('old.service')).toMatchObject({ placedOn: 'm3', bestMachine: 'm3', summary: '2/3 machines available: 1 replaced by new.service' });
    // ...and the replacing unit, as if it were being placed now, would have to follow old.service.
    expect(cluster.explain('new.service')).toMatchObject({ placedOn: 'm1', bestMachine: 'm3', summary: '1/3 machines available: 2 takes the machine of old.service' });
  });

  it.each([
    {
      name: 'the replacing unit lands on the replaced unit’s machine even when it is the busiest',
      units: { 'filler.service': service, 'old.service': service, 'new.service': replacing('old.service') },
      placements: { 'filler.service': 'm1', 'old.service': 'm1' },
      expected: { 'filler.service': 'm1', 'new.service': 'm1', 'old.service': 'm2' },
      revoked: ['old.service'],
    },
    {
      name: 'a glob replacing several units on one machine pushes all of them off',
      units: { 'old-a.service': service, 'old-b.service': service, 'new.service': replacing('old-*.service') },
      placements: { 'old-a.service': 'm1', 'old-b.service': 'm1' },
      expected: { 'new.service': 'm1', 'old-a.service': 'm2', 'old-b.service': 'm3' },
      revoked: ['old-a.service', 'old-b.service'],
    },
    {
      name: 'a glob replacing units on several machines takes one of them (least loaded, then by ID)',
      units: { 'old-a.service': service, 'old-b.service': service, 'new.service': replacing('old-*.service') },
      placements: { 'old-a.service': 'm2', 'old-b.service': 'm3' },
      expected: { 'new.service': 'm2', 'old-a.service': 'm1', 'old-b.service': 'm3' },
      revoked: ['old-a.service'],
    },
    {
      name: 'several exact names on one line',
      units: { 'old-a.service': service, 'old-b.service': service, 'new.service': replacing('old-b.service old-a.service') },
      placements: { 'old-a.service': 'm3', 'old-b.service': 'm3' },
      expected: { 'new.service': 'm3', 'old-a.service': 'm1', 'old-b.service': 'm2' },
      revoked: ['old-a.service', 'old-b.service'],
    },
    {
      name: 'a replaced unit that is not placed restricts nothing',
      units: { 'busy.service': service, 'new.service': replacing('missing.service') },
      placements: { 'busy.service': 'm1' },
      expected: { 'busy.service': 'm1', 'new.service': 'm2' },
      revoked: [],
    },
    {
      name: 'a placed replacing unit does not chase a replaced unit running elsewhere',
      units: { 'old.service': service, 'new.service': replacing('old.service') },
      placements: { 'old.service': 'm2', 'new.service': 'm1' },
      expected: { 'new.service': 'm1', 'old.service': 'm2' },
      revoked: [],
    },
    {
      name: 'submitted together, the replaced unit simply goes elsewhere',
      units: { 'a-new.service': replacing('b-old.service'), 'b-old.service': service },
      placements: {},
      expected: { 'a-new.service': 'm1', 'b-old.service': 'm2' },
      revoked: [],
    },
    {
      name: 'submitted together, the replacing unit decided second still takes the machine',
      units: { 'a-old.service': service, 'b-new.service': replacing('a-old.service') },
      placements: {},
      expected: { 'a-old.service': 'm2', 'b-new.service': 'm1' },
      revoked: [],
    },
  ])('$name', async ({ units, placements, expected, revoked }) => {
    for (const extra of [[], [noNarrowing]]) {
      const cluster = await simulate({ plugins: [...extra, ...plugins], machines: ['m1', 'm2', 'm3'], units, placements });
      expect(cluster.placements()).toEqual(expected);
      const revocations = cluster.rounds.flatMap((round) => round.revocations);
      expect(revocations).toEqual(revoked.map((unit) => ({ unit, machine: placements[unit as keyof typeof placements], plugin: 'replaces', reason: 'replaced by new.service' })));
      expect(replacedPairs(cluster)).toEqual([]);
      const again = await cluster.schedule();
      expect([again.placements, again.revocations]).toEqual([[], []]);
    }
  });

  it('a replaced unit with nowhere else to go becomes unschedulable, replaced by the new unit', async () => {
    const cluster = await createTestCluster({
      plugins,
      machines: ['m1'],
      units: { 'old.service': service, 'new.service': replacing('old.service') },
      placements: { 'old.service': 'm1' },
    });
    await cluster.settle();
    expect(cluster.rounds[0]?.revocations).toEqual([{ unit: 'old.service', machine: 'm1', plugin: 'replaces', reason: 'replaced by new.service' }]);
    expect(cluster.placements()).toEqual({ 'new.service': 'm1' });
    expect(cluster.summary('old.service')).toBe('0/1 machines available: 1 replaced by new.service');
    expect(cluster.reasons('old.service')).toEqual([{ machine: 'm1', plugin: 'replaces', kind: 'filter', message: 'replaced by new.service' }]);
  });

  it('a unit whose replaced units run on machines it cannot use waits, saying where it must go', async () => {
    const pinned = testPlugin('no-m1', (hooks) =>
      hooks.filter.tap((unit, machine) => (unit.name === 'new.service' && machine.id === 'm1' ? 'not m1' : undefined)),
    );
    const cluster = await createTestCluster({
      plugins: [...plugins, pinned],
      machines: ['m1', 'm2', 'm3'],
      units: { 'old.service': service, 'new.service': replacing('old.service') },
      placements: { 'old.service': 'm1' },
    });
    await cluster.settle();
    expect(cluster.placements()).toEqual({ 'old.service': 'm1' });
    expect(cluster.summary('new.service')).toBe('0/3 machines available: 2 takes the machine of old.service, 1 not m1');
  });
});

describe('cycles: only one runs', () => {
  const cases = [
    {
      name: 'mutual Replaces',
      units: { 'a.service': replacing('b.service'), 'b.service': replacing('a.service') },
      placed: { 'a.service': 'm1' },
      summaries: { 'b.service': '0/3 machines available: 3 in a Replaces cycle with a.service' },
    },
    {
      name: 'circular Replaces across three units',
      units: { 'a.service': replacing('b.service'), 'b.service': replacing('c.service'), 'c.service': replacing('a.service') },
      placed: { 'a.service': 'm1' },
      summaries: {
        'b.service': '0/3 machines available: 3 in a Replaces cycle with a.service',
        'c.service': '0/3 machines available: 3 in a Replaces cycle with a.service',
      },
    },
    {
      name: 'a glob cycle between instances',
      units: { 'web@1.service': replacing('web@*.service'), 'web@2.service': replacing('web@*.service') },
      placed: { 'web@1.service': 'm1' },
      summaries: { 'web@2.service': '0/3 machines available: 3 in a Replaces cycle with web@1.service' },
    },
    {
      name: 'a unit replacing one member of a cycle is not on it and takes its machine',
      units: { 'a.service': replacing('b.service'), 'b.service': replacing('a.service'), 'z.service': replacing('a.service') },
      placed: { 'a.service': 'm2', 'z.service': 'm1' },
      summaries: { 'b.service': '0/3 machines available: 3 in a Replaces cycle with a.service' },
    },
  ];

  it.each(cases)('$name, submitted together', async ({ units, placed, summaries }) => {
    for (const extra of [[], [noNarrowing]]) {
      const cluster = await simulate({ plugins: [...extra, ...plugins], machines: ['m1', 'm2', 'm3'], units });
      expect(cluster.placements()).toEqual(placed);
      for (const [unit, summary] of Object.entries(summaries)) expect(cluster.summary(unit)).toBe(summary);
      const again = await cluster.schedule();
      expect([again.placements, again.revocations]).toEqual([[], []]);
    }
  });

  it.each([
    { name: 'the first started first', first: 'replace.0.service', second: 'replace.1.service' },
    { name: 'the second started first', first: 'replace.1.service', second: 'replace.0.service' },
  ])("fleet's TestScheduleCircularReplace, $name: one runs", async ({ first, second }) => {
    const contents: Record<string, string> = {
      'replace.0.service': replacing('replace.1.service'),
      'replace.1.service': replacing('replace.0.service'),
    };
    const cluster = await createTestCluster({ plugins, machines: ['m1', 'm2'] });
    cluster.submit(first, contents[first] as string);
    await cluster.settle();
    cluster.submit(second, contents[second] as string);
    await cluster.settle();
    expect(cluster.placements()).toEqual({ [first]: 'm1' });
    expect(cluster.summary(second)).toBe(`0/2 machines available: 2 in a Replaces cycle with ${first}`);
  });

  it('when the running member of a cycle is unloaded, the next one runs', async () => {
    const cluster = await simulate({
      plugins,
      machines: ['m1', 'm2'],
      units: { 'a.service': replacing('b.service'), 'b.service': replacing('c.service'), 'c.service': replacing('a.service') },
    });
    cluster.setDesiredState('a.service', 'inactive');
    await cluster.settle();
    expect(cluster.placements()).toEqual({ 'b.service': 'm1' });
    expect(cluster.summary('c.service')).toBe('0/2 machines available: 2 in a Replaces cycle with b.service');
  });

  it('destroying the running member breaks the cycle: the others run, apart', async () => {
    const cluster = await simulate({
      plugins,
      machines: ['m1', 'm2'],
      units: { 'a.service': replacing('b.service'), 'b.service': replacing('c.service'), 'c.service': replacing('a.service') },
    });
    cluster.destroy('a.service');
    await cluster.settle();
    // b.service → c.service → (a.service, gone): b replaces c, so they run on different machines.
    expect(cluster.placements()).toEqual({ 'b.service': 'm1', 'c.service': 'm2' });
    expect(cluster.summary('b.service')).toBeUndefined();
    expect(cluster.summary('c.service')).toBeUndefined();
  });

  it('a cycle linked by globs through units not placed yet is seen too: one runs', async () => {
    // b* and c* name units that do not run yet: the plugin knows every unit
    // it resolved with Replaces, so the search follows globs to them as well.
    const cluster = await simulate({
      plugins,
      machines: ['m1', 'm2', 'm3'],
      units: { 'a.service': replacing('b*'), 'b.service': replacing('c*'), 'c.service': replacing('a*') },
    });
    expect(cluster.placements()).toEqual({ 'a.service': 'm1' });
    expect(cluster.summary('b.service')).toBe('0/3 machines available: 3 in a Replaces cycle with a.service');
    expect(cluster.summary('c.service')).toBe('0/3 machines available: 3 in a Replaces cycle with a.service');
  });

  it('without the list of units with Replaces, replacesCycle follows globs to running units only', async () => {
    const cluster = await createTestCluster({
      plugins,
      machines: ['m1'],
      units: { 'a.service': replacing('b*'), 'b.service': replacing('c*'), 'c.service': replacing('a*') },
      placements: { 'a.service': 'm1' },
    });
    const b = resolved(cluster, 'b.service');
    // b → c* → c.service (not running) → a* → a.service (running) → b* → b.service.
    expect(replacesCycle(b, cluster.state)).toBeUndefined();
    expect(replacesCycle(b, cluster.state, ['a.service', 'b.service', 'c.service', 'gone.service'])).toBe('a.service');
  });
});

describe('global units', () => {
  it('a global unit is pushed off the machine of a unit that replaces it', async () => {
    const cluster = await simulate({
      plugins: [globalMarker, ...plugins],
      machines: ['m1', 'm2'],
      units: { 'global-agent.service': service, 'new.service': replacing('global-agent.service') },
      placements: { 'new.service': 'm1' },
    });
    expect(cluster.globalMachines('global-agent.service')).toEqual(['m2']);
    expect(cluster.rounds[0]?.globals[0]?.rejections).toEqual([
      { machine: 'm1', plugin: 'replaces', kind: 'filter', message: 'replaced by new.service' },
    ]);
  });

  it('a global unit is no machine to take: the replacing unit goes where it fits', async () => {
    const cluster = await simulate({
      plugins: [globalMarker, ...plugins],
      machines: ['m1', 'm2'],
      units: { 'global-agent.service': service, 'busy.service': service, 'new.service': replacing('global-agent.service') },
      placements: { 'busy.service': 'm1' },
    });
    expect(cluster.placements()).toEqual({ 'busy.service': 'm1', 'new.service': 'm2' });
    expect(cluster.globalMachines('global-agent.service')).toEqual(['m1']);
  });
});

describe('malformed patterns', () => {
  it('are refused at submit', async () => {
    const cluster = await createTestCluster({ plugins, machines: ['m1'] });
    let error: unknown;
    try {
      cluster.submit('bad.service', replacing('old.service', 'web[0-9'));
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({
      code: ErrorCodes.UNIT_INVALID,
      plugin: 'replaces',
      message: 'unit bad.service: Replaces pattern "web[0-9" is malformed: unterminated character class',
    });
  });

  it('are not checked on a template, only on its instances', async () => {
    const cluster = await createTestCluster({ plugins, machines: ['m1'] });
    expect(() => cluster.submit('web@.service', replacing('[a'), 'inactive')).not.toThrow();
    expect(() => cluster.submit('web@1.service', replacing('[a'))).toThrow(
      'unit web@1.service: Replaces pattern "[a" is malformed: unterminated character class',
    );
  });

  it('make a unit that reached the engine anyway unschedulable, and revoke it if placed', async () => {
    const round = await (await createTestCluster({ plugins, machines: ['m1', 'm2'], stored: { 'bad.service': replacing('[a') }, placements: { 'bad.service': 'm1' } })).schedule();
    const problem = 'Replaces pattern "[a" is malformed: unterminated character class';
    expect(round.revocations).toEqual([{ unit: 'bad.service', machine: 'm1', plugin: 'replaces', reason: problem }]);
    expect(round.unschedulable.map(({ unit, summary }) => ({ unit, summary }))).toEqual([{ unit: 'bad.service', summary: `0/2 machines available: 2 ${problem}` }]);
  });
});

describe("a MachineOf peer matching the unit's own Replaces (fleet: unresolvable requirements)", () => {
  it.each([
    {
      name: 'an exact peer and a glob',
      lines: ['MachineOf=db.service', 'Replaces=d?.service'],
      problem: "MachineOf peer db.service matches the unit's own Replaces pattern d?.service",
    },
    {
      name: 'the legacy MachineOf spelling, quoted as the unit spells it',
      lines: ['X-ConditionMachineOf=db.service', 'Replaces=db.service'],
      problem: "X-ConditionMachineOf peer db.service matches the unit's own Replaces pattern db.service",
    },
    {
      name: 'the first matching pattern, with the first peer it matches',
      lines: ['MachineOf="cache.service" "db.service"', 'Replaces=old.service', 'Replaces=*b.service c*'],
      problem: "MachineOf peer db.service matches the unit's own Replaces pattern *b.service",
    },
    { name: 'a peer the globs do not match', lines: ['MachineOf=db.service', 'Replaces=old*'], problem: undefined },
    { name: 'MachineOf without Replaces', lines: ['MachineOf=db.service'], problem: undefined },
    {
      name: 'a malformed glob: the malformed glob is the problem',
      lines: ['MachineOf=db.service', 'Replaces=db* [a'],
      problem: 'Replaces pattern "[a" is malformed: unterminated character class',
    },
  ])('$name', async ({ lines, problem }) => {
    const cluster = await createTestCluster({ plugins: [machineOfOwner, ...plugins] });
    const error = submitError(cluster, 'web.service', withFleet(...lines));
    if (problem === undefined) expect(error).toBeUndefined();
    else expect(error).toMatchObject({ code: ErrorCodes.UNIT_INVALID, plugin: 'replaces', message: `unit web.service: ${problem}` });
  });

  it('is checked on a template too, as fleet checked every submitted unit', async () => {
    const cluster = await createTestCluster({ plugins: [machineOfOwner, ...plugins] });
    expect(() => cluster.submit('web@.service', withFleet('MachineOf=db.service', 'Replaces=db*'), 'inactive')).toThrow(
      "unit web@.service: MachineOf peer db.service matches the unit's own Replaces pattern db*",
    );
  });

  it('does not apply when no assembled plugin declares MachineOf', async () => {
    const cluster = await createTestCluster({ plugins });
    expect(submitError(cluster, 'web.service', withFleet('MachineOf=db.service', 'Replaces=db*'))).toBeUndefined();
  });

  it('replacedPeerProblem reads MachineOf under whatever declaration it is given', async () => {
    const cluster = await createTestCluster({ plugins, units: { 'web.service': withFleet('Peer=db.service', 'Replaces=db*') } });
    const unit = resolved(cluster, 'web.service');
    expect(replacedPeerProblem(unit, { name: 'Peer' })).toBe("Peer peer db.service matches the unit's own Replaces pattern db*");
    expect(replacedPeerProblem(unit, undefined)).toBeUndefined();
  });
});

describe('helpers', () => {
  it('replaceTargets, replacedOn and replacesCycle read a cluster view', async () => {
    const cluster = await createTestCluster({
      plugins,
      machines: ['m1', 'm2', 'm3'],
      units: {
        'old-a.service': service,
        'old-b.service': service,
        'old-c.service': service,
        'new.service': replacing('old-*', 'x.service'),
        'x.service': replacing('new.service'),
      },
      placements: { 'old-b.service': 'm2', 'old-a.service': 'm2', 'old-c.service': 'm3', 'x.service': 'm1' },
    });
    const unit = resolved(cluster, 'new.service');
    const targets = replaceTargets(unit, cluster.state);
    expect(targets.first).toBe('old-a.service');
    expect([...targets.machines].map(([machine, name]) => [machine.id, name]).sort()).toEqual([
      ['m1', 'x.service'],
      ['m2', 'old-a.service'],
      ['m3', 'old-c.service'],
    ]);
    expect(replacesCycle(unit, cluster.state)).toBe('x.service');
    expect(replacesCycle(resolved(cluster, 'old-a.service'), cluster.state)).toBeUndefined();
    expect(replacedOn(resolved(cluster, 'old-a.service'), { units: new Set(['new.service', 'old-b.service']) }, cluster.state)).toBe('new.service');
    expect(replacedOn(unit, { units: new Set(['x.service']) }, cluster.state)).toBe('x.service');
    expect(replacedOn(unit, { units: new Set(['new.service', 'old-a.service']) }, cluster.state)).toBeUndefined();
    // The same answers when told which units have Replaces (what the plugin passes), fewer or more than the machine's units.
    const replacers = new Set(['new.service', 'x.service']);
    const crowded = { units: new Set(['old-b.service', 'old-c.service', 'x.service', 'new.service']) };
    expect(replacedOn(resolved(cluster, 'old-a.service'), crowded, cluster.state, replacers)).toBe('new.service');
    expect(replacedOn(resolved(cluster, 'old-a.service'), crowded, cluster.state)).toBe('new.service');
    expect(replacedOn(unit, { units: new Set(['x.service']) }, cluster.state, replacers)).toBe('x.service');
    expect(replacedOn(unit, { units: new Set(['old-a.service']) }, cluster.state, replacers)).toBeUndefined();
  });

  it('reasons are short phrases naming the other unit', () => {
    expect(replacesReasons.replacedBy('new.service')).toBe('replaced by new.service');
    expect(replacesReasons.takesMachineOf('old.service')).toBe('takes the machine of old.service');
    expect(replacesReasons.cycleWith('a.service')).toBe('in a Replaces cycle with a.service');
    expect(replacesReasons.peerMatchesOwnPattern('X-ConditionMachineOf', 'db.service', 'Replaces', 'db*')).toBe(
      "X-ConditionMachineOf peer db.service matches the unit's own Replaces pattern db*",
    );
  });
});

describe('properties on random Replaces graphs', () => {
  const names = Array.from({ length: 8 }, (_, i) => `${i % 2 === 0 ? 'v' : 'u'}${i}.service`);
  const patterns = [...names, 'missing.service', 'u*', 'v*', '*', 'u[1-5]*', '?[0-3]*'];

  const clusterArb = fc.record({
    units: fc.uniqueArray(fc.record({ name: fc.constantFrom(...names), replaces: fc.array(fc.constantFrom(...patterns), { maxLength: 3 }) }), {
      selector: (unit) => unit.name,
      minLength: 1,
      maxLength: 8,
    }),
    machines: fc.integer({ min: 1, max: 5 }),
    initial: fc.array(fc.tuple(fc.nat(7), fc.nat(4)), { maxLength: 5 }),
  });

  async function run({ units, machines, initial }: { units: { name: string; replaces: string[] }[]; machines: number; initial: [number, number][] }) {
    const ids = Array.from({ length: machines }, (_, i) => `m${i + 1}`);
    const contents = Object.fromEntries(units.map((u) => [u.name, u.replaces.length === 0 ? service : replacing(...u.replaces)]));
    const placements = Object.fromEntries(
      initial.flatMap(([unit, machine]) => {
        const name = units[unit % units.length]?.name;
        return name === undefined ? [] : [[name, ids[machine % machines] as string]];
      }),
    );
    return simulate({ plugins, machines: ids, units: contents, placements });
  }

  it('no unit ever runs next to a unit that replaces it, and the cluster settles', async () => {
    await fc.assert(
      fc.asyncProperty(clusterArb, async (input) => {
        const cluster = await run(input);
        expect(replacedPairs(cluster)).toEqual([]);
        const again = await cluster.schedule();
        expect([again.placements, again.revocations]).toEqual([[], []]);
      }),
      { numRuns: 300 },
    );
  });

  it('at most one unit of a Replaces cycle runs', async () => {
    await fc.assert(
      fc.asyncProperty(clusterArb, async (input) => {
        const cluster = await run({ ...input, initial: [] });
        const all = input.units.map((unit) => unit.name);
        const edge = (from: string, to: string): boolean => replacesUnit(resolved(cluster, from), to);
        const reaches = (from: string, to: string): boolean => {
          const seen = new Set<string>();
          const stack = all.filter((name) => edge(from, name));
          while (stack.length > 0) {
            const name = stack.pop() as string;
            if (name === to) return true;
            if (seen.has(name)) continue;
            seen.add(name);
            stack.push(...all.filter((next) => edge(name, next)));
          }
          return false;
        };
        const placed = Object.keys(cluster.placements());
        for (const a of placed) {
          for (const b of placed) {
            if (a !== b) expect(reaches(a, b) && reaches(b, a), `${a} and ${b} are on one cycle`).toBe(false);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
