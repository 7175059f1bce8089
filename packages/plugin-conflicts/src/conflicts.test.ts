import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ErrorCodes, withGlobal } from '@fleetd/core';
import type { PluginEntry, PluginHooks, ResolvedUnit, TapFunction } from '@fleetd/core';
import { createTestCluster, simulate, testPlugin } from '@fleetd/core/testing';
import type { TestCluster } from '@fleetd/core/testing';
import { compileGlob, matchesAny } from '@fleetd/glob';
import conflicts, { CONFLICTS_OPTION, conflictingPeerProblem, conflictOn, conflictPatterns, conflictsReasons } from './index.js';

const service = '[Service]\nExecStart=/bin/true\n';
const withFleet = (...lines: string[]): string => `${service}\n[X-Fleet]\n${lines.join('\n')}\n`;

/** Units named `global*` are global (what the global plugin decides from `Global=true`). */
const globalMarker = testPlugin('global-marker', (hooks) => hooks.resolveUnit.tap((unit) => withGlobal(unit, unit.name.startsWith('global'))));
/** fleet's least-loaded rule, so units spread as they would in fleet. */
const spread = testPlugin('spread', (hooks) => hooks.score.tap((_unit, machine) => -machine.load));
/** A narrow tap that throws: the core then drops all narrowing, so every machine goes through filter. */
const noNarrowing = testPlugin('no-narrowing', (hooks) =>
  hooks.narrow.tap(() => {
    throw new Error('narrowing disabled for this test');
  }),
);

/** Declares MachineOf as the machine-of plugin does: the conflicts plugin finds the option through the table, whoever owns it. */
const machineOfOwner = testPlugin('machine-of', () => undefined, {
  unitOptions: [{ name: 'MachineOf', aliases: ['X-ConditionMachineOf'], description: 'run on the machine of these units' }],
});

const plugins: PluginEntry[] = [conflicts, spread];

function resolved(cluster: TestCluster, name: string): ResolvedUnit {
  const unit = cluster.state.unit(name);
  if (unit === undefined) throw new Error(`${name} did not resolve`);
  return unit;
}

/** Pairs of units sharing a machine where one's Conflicts matches the other. */
function conflictingPairs(cluster: TestCluster): string[] {
  const pairs: string[] = [];
  for (const machine of cluster.state.machines) {
    const names = [...machine.units].sort();
    for (const a of names) {
      for (const b of names) {
        if (a < b && (matchesAny(resolved(cluster, a).requirements.conflicts, b) || matchesAny(resolved(cluster, b).requirements.conflicts, a))) {
          pairs.push(`${machine.id}: ${a} / ${b}`);
        }
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
  it('owns Conflicts and its legacy spelling, excluding Replaces', async () => {
    const cluster = await createTestCluster({ plugins });
    for (const spelling of ['Conflicts', 'X-Conflicts']) {
      expect(cluster.host.unitOptions.get(spelling)).toMatchObject({
        plugin: 'conflicts',
        name: 'Conflicts',
        aliases: ['X-Conflicts'],
        excludes: ['Replaces'],
      });
    }
    expect(conflicts.meta.unitOptions).toEqual([CONFLICTS_OPTION]);
  });
});

describe('conflictPatterns', () => {
  it.each([
    { name: 'no Conflicts', lines: [], patterns: [] },
    { name: 'one exact name', lines: ['Conflicts=db.service'], patterns: ['db.service'] },
    { name: 'one glob', lines: ['Conflicts=web@*.service'], patterns: ['web@*.service'] },
    {
      name: 'several globs on one line',
      lines: ['Conflicts=web@*.service  db*.service\tcache.service'],
      patterns: ['web@*.service', 'db*.service', 'cache.service'],
    },
    { name: 'several lines', lines: ['Conflicts=a*.service', 'Conflicts=b*.service'], patterns: ['a*.service', 'b*.service'] },
    { name: 'quoted values on one line', lines: ['Conflicts="a*.service" "b*.service"'], patterns: ['a*.service', 'b*.service'] },
    { name: 'an empty quoted value between two', lines: ['Conflicts="a.service"  "b.service"'], patterns: ['a.service', 'b.service'] },
    { name: 'legacy spelling', lines: ['X-Conflicts=monitor*'], patterns: ['monitor*'] },
    { name: 'both spellings, legacy first as fleet read them', lines: ['Conflicts=b*', 'X-Conflicts=a*'], patterns: ['a*', 'b*'] },
  ])('$name', async ({ lines, patterns }) => {
    const cluster = await createTestCluster({ plugins, units: { 'web.service': lines.length === 0 ? service : withFleet(...lines) } });
    const unit = resolved(cluster, 'web.service');
    expect(conflictPatterns(unit)).toEqual(patterns);
    // Compiled once in resolveUnit, and only for units that have some.
    expect(unit.requirements.conflicts?.patterns).toEqual(patterns.length === 0 ? undefined : patterns);
    expect(unit.requirements.conflicts?.matchers.map((matcher) => matcher.pattern)).toEqual(patterns.length === 0 ? undefined : patterns);
  });
});

describe('conflictOn', () => {
  const unit = (name: string, ...patterns: string[]) => ({
    name,
    requirements: patterns.length === 0 ? {} : { conflicts: { patterns, matchers: patterns.map(compileGlob), problem: undefined } },
  });
  const units = new Map([unit('a.service', 'b*'), unit('b1.service'), unit('b2.service'), unit('c.service', 'x.service')].map((u) => [u.name, u]));
  const lookup = { unit: (name: string) => units.get(name) as ResolvedUnit | undefined };

  it.each([
    { name: 'nothing on the machine', subject: 'x.service', on: [], expected: undefined },
    { name: 'the unit itself is ignored', subject: 'a.service', on: ['a.service'], expected: undefined },
    { name: 'its glob matches a unit there', subject: 'a.service', on: ['c.service', 'b2.service'], expected: 'b2.service' },
    { name: 'the first by name when several match', subject: 'a.service', on: ['b2.service', 'b1.service'], expected: 'b1.service' },
    { name: 'a unit there has a glob matching it', subject: 'x.service', on: ['c.service'], expected: 'c.service' },
    { name: 'a unit there matches nothing', subject: 'b1.service', on: ['c.service'], expected: undefined },
    { name: 'among many units, the one whose glob matches it', subject: 'x.service', on: ['b1.service', 'b2.service', 'c.service'], expected: 'c.service' },
  ])('$name', ({ subject, on, expected }) => {
    const self = units.get(subject) ?? unit(subject);
    expect(conflictOn(self, { units: new Set(on) }, lookup)).toBe(expected);
    // The same answer when told which units have Conflicts (what the plugin passes).
    expect(conflictOn(self, { units: new Set(on) }, lookup, new Set(['a.service', 'c.service']))).toBe(expected);
  });
});

describe('scheduling', () => {
  it.each([
    {
      name: 'an exact name keeps two units apart',
      machines: ['m1', 'm2'],
      units: { 'a.service': withFleet('Conflicts=b.service'), 'b.service': service },
      placements: { 'a.service': 'm1', 'b.service': 'm2' },
    },
    {
      name: 'a glob keeps every instance apart',
      machines: ['m1', 'm2', 'm3'],
      units: {
        'web@1.service': withFleet('Conflicts=web@*.service'),
        'web@2.service': withFleet('Conflicts=web@*.service'),
        'web@3.service': withFleet('Conflicts=web@*.service'),
        'db.service': service,
      },
      placements: { 'db.service': 'm1', 'web@1.service': 'm2', 'web@2.service': 'm3', 'web@3.service': 'm1' },
    },
    {
      name: 'several globs on one line all count',
      machines: ['m1', 'm2'],
      units: { 'app.service': withFleet('Conflicts=db*.service cache*.service'), 'cache.service': service, 'db.service': service },
      placements: { 'app.service': 'm1', 'cache.service': 'm2', 'db.service': 'm2' },
    },
    {
      name: 'globs on several lines all count',
      machines: ['m1', 'm2'],
      units: { 'app.service': withFleet('Conflicts=db*.service', 'Conflicts=cache*.service'), 'cache.service': service, 'db.service': service },
      placements: { 'app.service': 'm1', 'cache.service': 'm2', 'db.service': 'm2' },
    },
    {
      name: 'the legacy X-Conflicts spelling counts',
      machines: ['m1', 'm2'],
      units: { 'monitor-a.service': withFleet('X-Conflicts=monitor*'), 'monitor-b.service': withFleet('X-Conflicts=monitor*') },
      placements: { 'monitor-a.service': 'm1', 'monitor-b.service': 'm2' },
    },
    {
      name: 'a glob matching the unit itself does not keep it off',
      machines: ['m1'],
      units: { 'web.service': withFleet('Conflicts=web*') },
      placements: { 'web.service': 'm1' },
    },
    {
      name: 'a unit without Conflicts cannot join a machine whose unit conflicts with it',
      machines: ['m1', 'm2'],
      units: { 'a.service': service, 'z.service': withFleet('Conflicts=a.service'), 'b.service': service },
      placements: { 'a.service': 'm1', 'b.service': 'm2', 'z.service': 'm2' },
    },
  ])('$name', async ({ machines, units, placements }) => {
    const cluster = await simulate({ plugins, machines, units });
    expect(cluster.placements()).toEqual(placements);
    expect(conflictingPairs(cluster)).toEqual([]);
  });

  it.each([
    { name: 'the unit with Conflicts first', first: 'conflicts-with-hello.service', second: 'hello.service' },
    { name: 'the unit without Conflicts first', first: 'hello.service', second: 'conflicts-with-hello.service' },
  ])('one-way conflict, $name: only one runs, and destroying it lets the other in', async ({ first, second }) => {
    const contents: Record<string, string> = {
      'conflicts-with-hello.service': withFleet('Conflicts=hello.service'),
      'hello.service': service,
    };
    const cluster = await createTestCluster({ plugins, machines: ['m1'] });
    cluster.submit(first, contents[first] as string);
    await cluster.settle();
    cluster.submit(second, contents[second] as string);
    await cluster.settle();
    expect(cluster.placements()).toEqual({ [first]: 'm1' });
    expect(cluster.summary(second)).toBe(`0/1 machines available: 1 conflict with ${first}`);
    expect(cluster.reasons(second)).toEqual([{ machine: 'm1', plugin: 'conflicts', kind: 'filter', message: `conflict with ${first}` }]);

    cluster.destroy(first);
    await cluster.settle();
    expect(cluster.placements()).toEqual({ [second]: 'm1' });
    expect(cluster.summary(second)).toBeUndefined();
  });

  it('places 3 of 5 mutually conflicting units on 3 machines and explains the other 2', async () => {
    const units = Object.fromEntries([0, 1, 2, 3, 4].map((i) => [`conflict.${i}.service`, withFleet('Conflicts=conflict*')]));
    const cluster = await simulate({ plugins, machines: ['m1', 'm2', 'm3'], units });
    expect(cluster.placements()).toEqual({ 'conflict.0.service': 'm1', 'conflict.1.service': 'm2', 'conflict.2.service': 'm3' });
    const summary = '0/3 machines available: 1 conflict with conflict.0.service, 1 conflict with conflict.1.service, 1 conflict with conflict.2.service';
    expect(cluster.summary('conflict.3.service')).toBe(summary);
    expect(cluster.summary('conflict.4.service')).toBe(summary);
    // explain asks every plugin about every machine and agrees.
    const explanation = cluster.explain('conflict.4.service');
    expect(explanation.bestMachine).toBeUndefined();
    expect(explanation.summary).toBe(summary);
    // For a placed unit, explain lifts it off its machine: it could go back there, nowhere else.
    expect(cluster.explain('conflict.0.service')).toMatchObject({
      placedOn: 'm1',
      bestMachine: 'm1',
      summary: '1/3 machines available: 1 conflict with conflict.1.service, 1 conflict with conflict.2.service',
    });
  });

  it('revokes a placement that a new conflict makes invalid and moves the unit in the same round', async () => {
    const cluster = await createTestCluster({
      plugins,
      machines: ['m1', 'm2'],
      units: { 'a.service': service, 'b.service': withFleet('Conflicts=a.service') },
      placements: { 'a.service': 'm1', 'b.service': 'm1' },
    });
    const round = await cluster.schedule();
    expect(round.revocations).toEqual([{ unit: 'a.service', machine: 'm1', plugin: 'conflicts', reason: 'conflict with b.service' }]);
    expect(cluster.placements()).toEqual({ 'a.service': 'm2', 'b.service': 'm1' });
    expect((await cluster.schedule()).revocations).toEqual([]);
  });

  it('keeps the result when narrowing is dropped (the filter alone decides)', async () => {
    const units = Object.fromEntries([0, 1, 2, 3].map((i) => [`conflict.${i}.service`, withFleet('Conflicts=conflict*')]));
    const cluster = await simulate({ plugins: [noNarrowing, ...plugins], machines: ['m1', 'm2', 'm3'], units });
    expect(cluster.placements()).toEqual({ 'conflict.0.service': 'm1', 'conflict.1.service': 'm2', 'conflict.2.service': 'm3' });
  });
});

describe('global units', () => {
  const globalPlugins: PluginEntry[] = [globalMarker, conflicts, spread];

  it.each([
    {
      name: 'a unit cannot join a machine where a global unit conflicts with it',
      units: { 'global-agent.service': withFleet('Conflicts=web*'), 'web.service': service },
      unschedulable: { 'web.service': '0/2 machines available: 2 conflict with global-agent.service' },
    },
    {
      name: 'a unit that conflicts with a global unit has nowhere to go',
      units: { 'global-agent.service': service, 'web.service': withFleet('Conflicts=global-*') },
      unschedulable: { 'web.service': '0/2 machines available: 2 conflict with global-agent.service' },
    },
  ])('$name', async ({ units, unschedulable }) => {
    const cluster = await simulate({ plugins: globalPlugins, machines: ['m1', 'm2'], units });
    expect(cluster.globalMachines('global-agent.service')).toEqual(['m1', 'm2']);
    expect(cluster.placements()).toEqual({});
    for (const [unit, summary] of Object.entries(unschedulable)) expect(cluster.summary(unit)).toBe(summary);
  });

  it('a global unit does not run where a placed unit conflicts with it', async () => {
    const cluster = await simulate({
      plugins: globalPlugins,
      machines: ['m1', 'm2', 'm3'],
      units: { 'web.service': withFleet('Conflicts=global-agent.service'), 'global-agent.service': service },
      placements: { 'web.service': 'm2' },
    });
    expect(cluster.globalMachines('global-agent.service')).toEqual(['m1', 'm3']);
    expect(cluster.rounds.at(-1)?.globals[0]?.rejections).toEqual([
      { machine: 'm2', plugin: 'conflicts', kind: 'filter', message: 'conflict with web.service' },
    ]);
  });

  it('between two conflicting global units the first by name runs', async () => {
    const cluster = await simulate({
      plugins: globalPlugins,
      machines: ['m1', 'm2'],
      units: { 'global-b.service': service, 'global-a.service': withFleet('Conflicts=global-b.service') },
    });
    expect(cluster.globalMachines('global-a.service')).toEqual(['m1', 'm2']);
    expect(cluster.globalMachines('global-b.service')).toEqual([]);
  });
});

describe('malformed patterns', () => {
  it.each([
    { name: 'an unclosed class', line: 'Conflicts=[a', problem: 'Conflicts pattern "[a" is malformed: unterminated character class' },
    {
      name: 'one bad glob among good ones',
      line: 'Conflicts=db* web[-x]*',
      problem: `Conflicts pattern "web[-x]*" is malformed: unescaped '-' in character class`,
    },
    { name: 'the legacy spelling', line: 'X-Conflicts=[^', problem: 'Conflicts pattern "[^" is malformed: unterminated character class' },
  ])('refuses $name at submit', async ({ line, problem }) => {
    const cluster = await createTestCluster({ plugins, machines: ['m1'] });
    let error: unknown;
    try {
      cluster.submit('bad.service', withFleet(line));
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: ErrorCodes.UNIT_INVALID, plugin: 'conflicts', message: `unit bad.service: ${problem}` });
  });

  it('are not checked on a template, only on its instances', async () => {
    const cluster = await createTestCluster({ plugins, machines: ['m1'] });
    expect(() => cluster.submit('web@.service', withFleet('Conflicts=[a'), 'inactive')).not.toThrow();
    expect(() => cluster.submit('web@1.service', withFleet('Conflicts=[a'))).toThrow(
      'unit web@1.service: Conflicts pattern "[a" is malformed: unterminated character class',
    );
  });

  it('makes a unit that reached the engine anyway unschedulable with the same reason', async () => {
    const round = await (await createTestCluster({ plugins, machines: ['m1', 'm2'], stored: { 'bad.service': withFleet('Conflicts=[a') } })).schedule();
    expect(round.placements).toEqual([]);
    expect(round.unschedulable.map(({ unit, summary }) => ({ unit, summary }))).toEqual([
      { unit: 'bad.service', summary: '0/2 machines available: 2 Conflicts pattern "[a" is malformed: unterminated character class' },
    ]);
  });

  it('revokes such a unit if it was placed', async () => {
    const round = await (
      await createTestCluster({
        plugins,
        machines: ['m1'],
        stored: { 'a.service': service, 'bad.service': withFleet('Conflicts=a.service [a') },
        placements: { 'bad.service': 'm1' },
      })
    ).schedule();
    expect(round.revocations).toEqual([
      { unit: 'bad.service', machine: 'm1', plugin: 'conflicts', reason: 'Conflicts pattern "[a" is malformed: unterminated character class' },
    ]);
    expect(round.placements.map(({ unit, machine }) => ({ unit, machine }))).toEqual([{ unit: 'a.service', machine: 'm1' }]);
  });
});

describe("a MachineOf peer matching the unit's own Conflicts (fleet: unresolvable requirements)", () => {
  it.each([
    {
      name: 'an exact peer and a glob',
      lines: ['MachineOf=db.service', 'Conflicts=db*'],
      problem: "MachineOf peer db.service matches the unit's own Conflicts pattern db*",
    },
    {
      name: 'legacy spellings, quoted as the unit spells them',
      lines: ['X-ConditionMachineOf=db.service', 'X-Conflicts=d?.service'],
      problem: "X-ConditionMachineOf peer db.service matches the unit's own X-Conflicts pattern d?.service",
    },
    {
      name: 'the first matching pattern, with the first peer it matches',
      lines: ['MachineOf=cache.service db.service', 'Conflicts=web* [cd]*'],
      problem: "MachineOf peer cache.service matches the unit's own Conflicts pattern [cd]*",
    },
    {
      name: 'an exact name',
      lines: ['MachineOf=db.service', 'Conflicts=db.service'],
      problem: "MachineOf peer db.service matches the unit's own Conflicts pattern db.service",
    },
    { name: 'a peer the globs do not match', lines: ['MachineOf=db.service', 'Conflicts=cache*'], problem: undefined },
    { name: 'MachineOf without Conflicts', lines: ['MachineOf=db.service'], problem: undefined },
    {
      name: 'a malformed glob: the malformed glob is the problem',
      lines: ['MachineOf=db.service', 'Conflicts=[a db*'],
      problem: 'Conflicts pattern "[a" is malformed: unterminated character class',
    },
  ])('$name', async ({ lines, problem }) => {
    const cluster = await createTestCluster({ plugins: [machineOfOwner, ...plugins] });
    const error = submitError(cluster, 'web.service', withFleet(...lines));
    if (problem === undefined) expect(error).toBeUndefined();
    else expect(error).toMatchObject({ code: ErrorCodes.UNIT_INVALID, plugin: 'conflicts', message: `unit web.service: ${problem}` });
  });

  it('is checked on a template too, as fleet checked every submitted unit', async () => {
    const cluster = await createTestCluster({ plugins: [machineOfOwner, ...plugins] });
    expect(() => cluster.submit('web@.service', withFleet('MachineOf=db.service', 'Conflicts=db*'), 'inactive')).toThrow(
      "unit web@.service: MachineOf peer db.service matches the unit's own Conflicts pattern db*",
    );
  });

  it('does not apply when no assembled plugin declares MachineOf', async () => {
    const cluster = await createTestCluster({ plugins });
    expect(submitError(cluster, 'web.service', withFleet('MachineOf=db.service', 'Conflicts=db*'))).toBeUndefined();
  });

  it('conflictingPeerProblem reads MachineOf under whatever declaration it is given', async () => {
    const cluster = await createTestCluster({ plugins, units: { 'web.service': withFleet('Peer=db.service', 'Conflicts=db*') } });
    const unit = resolved(cluster, 'web.service');
    expect(conflictingPeerProblem(unit, { name: 'Peer' })).toBe("Peer peer db.service matches the unit's own Conflicts pattern db*");
    expect(conflictingPeerProblem(unit, undefined)).toBeUndefined();
  });
});

describe('reasons', () => {
  it('are short phrases naming the other unit', () => {
    expect(conflictsReasons.conflictWith('web@1.service')).toBe('conflict with web@1.service');
    expect(conflictsReasons.peerMatchesOwnPattern('MachineOf', 'db.service', 'X-Conflicts', 'db*')).toBe(
      "MachineOf peer db.service matches the unit's own X-Conflicts pattern db*",
    );
  });
});

describe('the promise that the filter passes every machine', () => {
  /** The conflicts plugin as it is, with its filter calls written down as `unit@machine`. */
  function observedConflicts(asked: string[]): typeof conflicts {
    return {
      ...conflicts,
      apply: (hooks, options, context) => {
        // The plugin taps its filter without options, so only that form is passed on.
        const filter = {
          tap: (fn: TapFunction<'filter'>) =>
            hooks.filter.tap((unit, machine, cluster) => {
              asked.push(`${unit.name}@${machine.id}`);
              return fn(unit, machine, cluster);
            }),
        };
        return conflicts.apply({ ...hooks, filter } as PluginHooks, options, context);
      },
    };
  }

  it('regression: a unit no glob matches skips the filter even when more units have Conflicts than there are machines', async () => {
    const asked: string[] = [];
    // Five units with Conflicts on three machines: before the reverse index, that many turned the promise off.
    const units = Object.fromEntries([0, 1, 2, 3, 4].map((i) => [`a${i}.service`, withFleet(`Conflicts=other-${i}.service`)]));
    const cluster = await createTestCluster({ plugins: [observedConflicts(asked), spread], machines: ['m1', 'm2', 'm3'], units });
    await cluster.settle();
    const askedAbout = async (name: string): Promise<string[]> => {
      asked.length = 0;
      cluster.submit(name, service);
      await cluster.schedule();
      return asked.filter((call) => call.startsWith(`${name}@`));
    };

    // Matched by no glob: placed without asking the filter; only its placement is revalidated.
    expect(await askedAbout('db.service')).toEqual([`db.service@${cluster.placements()['db.service']}`]);
    // Matched by a1's glob: the filter is asked on every machine, and keeps it off a1's.
    const matched = await askedAbout('other-1.service');
    expect(matched.slice(0, 3).sort()).toEqual(['other-1.service@m1', 'other-1.service@m2', 'other-1.service@m3']);
    expect(cluster.placements()['other-1.service']).not.toBe(cluster.placements()['a1.service']);
  });
});

describe('property: no two conflicting units ever share a machine', () => {
  const names = ['a.service', 'a1.service', 'b.service', 'b2.service', 'web@1.service', 'web@2.service', 'x.service'];
  const patterns = ['a.service', 'a*', 'b?.service', 'web@*.service', '[ab]*', '*.service', 'x.service', 'web@[12].service', 'nothing'];
  const unitArb = fc.record({
    name: fc.constantFrom(...names),
    conflicts: fc.array(fc.constantFrom(...patterns), { maxLength: 2 }),
    global: fc.boolean(),
    legacy: fc.boolean(),
  });

  it('holds on random clusters', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(unitArb, { selector: (unit) => unit.name, minLength: 1, maxLength: 7 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.tuple(fc.nat(6), fc.nat(3)), { maxLength: 4 }),
        async (units, machineCount, initial) => {
          const machines = Array.from({ length: machineCount }, (_, i) => `m${i + 1}`);
          const marker = testPlugin('marker', (hooks) =>
            hooks.resolveUnit.tap((unit) => withGlobal(unit, units.find((u) => u.name === unit.name)?.global === true)),
          );
          const contents = Object.fromEntries(
            units.map((u) => [u.name, u.conflicts.length === 0 ? service : withFleet(`${u.legacy ? 'X-' : ''}Conflicts=${u.conflicts.join(' ')}`)]),
          );
          // Some units start out placed, possibly next to units they conflict with.
          const placements = Object.fromEntries(
            initial.flatMap(([unit, machine]) => {
              const name = units[unit % units.length]?.name;
              return name === undefined ? [] : [[name, machines[machine % machineCount] as string]];
            }),
          );
          const cluster = await simulate({ plugins: [marker, conflicts, spread], machines, units: contents, placements });
          expect(conflictingPairs(cluster)).toEqual([]);
          // Settled: another round changes nothing.
          const again = await cluster.schedule();
          expect([again.placements, again.revocations]).toEqual([[], []]);
        },
      ),
      { numRuns: 200 },
    );
  });
});
