// The option, its parsing, the relation it states, and what is refused at submit.
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@fleetd/core';
import { createTestCluster } from '@fleetd/core/testing';
import replaces, { REPLACES_OPTION, replacedPeerProblem, replacePatterns, replacesOneWay, replacesReasons, replacesUnit } from '../src/index.js';
import { machineOfOwner, plugins, replacing, resolved, service, submitError, withFleet } from './helpers.js';

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

describe('requirements set in resolveUnit', () => {
  it.each([
    { name: 'a unit with Replaces and a MachineOf peer', lines: ['Replaces=old.service', 'MachineOf=db.service'], replaces: true, follows: true },
    { name: 'a unit with Replaces only', lines: ['Replaces=old.service'], replaces: true, follows: undefined },
    { name: 'a unit following a peer (legacy spelling) without Replaces', lines: ['X-ConditionMachineOf=db.service'], replaces: false, follows: true },
    { name: 'a unit with neither', lines: ['MachineMetadata=region=us'], replaces: false, follows: undefined },
  ])('$name', async ({ lines, replaces: hasReplaces, follows }) => {
    const cluster = await createTestCluster({ plugins: [machineOfOwner, ...plugins], units: { 'new.service': withFleet(...lines) } });
    const unit = resolved(cluster, 'new.service');
    expect(unit.requirements.replaces !== undefined).toBe(hasReplaces);
    // Marks the units that follow a peer: without any, the push-loop search has nothing to do.
    expect(unit.requirements.replacesFollows).toBe(follows);
    expect(cluster.state.unitsWithRequirement('replacesFollows').size).toBe(follows === true ? 1 : 0);
  });

  it('marks no follower when no assembled plugin declares MachineOf', async () => {
    const cluster = await createTestCluster({ plugins, units: { 'new.service': withFleet('MachineOf=db.service') } });
    expect(resolved(cluster, 'new.service').requirements.replacesFollows).toBeUndefined();
  });
});

describe('the relation: replacesUnit and replacesOneWay', () => {
  it.each([
    { name: 'an exact name', a: ['old.service'], b: [], replaces: true, oneWay: true },
    { name: 'another name', a: ['older.service'], b: [], replaces: false, oneWay: false },
    { name: 'a glob', a: ['ol?.service'], b: [], replaces: true, oneWay: true },
    { name: 'the second glob of a line', a: ['x.service', 'o[a-z]d.service'], b: [], replaces: true, oneWay: true },
    { name: 'nothing without Replaces', a: [], b: [], replaces: false, oneWay: false },
    { name: 'a pair replacing each other: ignored both ways, as fleet', a: ['old.service'], b: ['new.service'], replaces: true, oneWay: false },
    { name: 'a pair replacing each other through globs', a: ['o*'], b: ['n*'], replaces: true, oneWay: false },
    { name: 'the other replacing something else is still one way', a: ['old.service'], b: ['other.service'], replaces: true, oneWay: true },
  ])('$name', async ({ a, b, replaces: expected, oneWay }) => {
    const cluster = await createTestCluster({
      plugins,
      units: { 'new.service': a.length === 0 ? service : replacing(...a), 'old.service': b.length === 0 ? service : replacing(...b) },
    });
    const [newUnit, oldUnit] = [resolved(cluster, 'new.service'), resolved(cluster, 'old.service')];
    expect(replacesUnit(newUnit, 'old.service')).toBe(expected);
    expect(replacesOneWay(newUnit, oldUnit)).toBe(oneWay);
  });

  it('a unit never replaces itself', async () => {
    const cluster = await createTestCluster({ plugins, units: { 'new.service': replacing('new*') } });
    const unit = resolved(cluster, 'new.service');
    expect(replacesUnit(unit, 'new.service')).toBe(false);
    expect(replacesOneWay(unit, unit)).toBe(false);
  });
});

describe('malformed patterns', () => {
  it('are refused at submit', async () => {
    const cluster = await createTestCluster({ plugins, machines: ['m1'] });
    expect(submitError(cluster, 'bad.service', replacing('old.service', 'web[0-9'))).toMatchObject({
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
    const round = await (
      await createTestCluster({ plugins, machines: ['m1', 'm2'], stored: { 'bad.service': replacing('[a') }, placements: { 'bad.service': 'm1' } })
    ).schedule();
    const problem = 'Replaces pattern "[a" is malformed: unterminated character class';
    expect(round.revocations).toEqual([{ unit: 'bad.service', machine: 'm1', plugin: 'replaces', reason: problem }]);
    expect(round.unschedulable.map(({ unit, summary }) => ({ unit, summary }))).toEqual([
      { unit: 'bad.service', summary: `0/2 machines available: 2 ${problem}` },
    ]);
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

describe('reasons', () => {
  it.each([
    { name: 'replacedBy', text: replacesReasons.replacedBy('new.service'), expected: 'replaced by new.service' },
    { name: 'onCycleWith', text: replacesReasons.onCycleWith('a.service'), expected: 'on a Replaces cycle with a.service' },
    {
      name: 'peerMatchesOwnPattern',
      text: replacesReasons.peerMatchesOwnPattern('X-ConditionMachineOf', 'db.service', 'Replaces', 'db*'),
      expected: "X-ConditionMachineOf peer db.service matches the unit's own Replaces pattern db*",
    },
  ])('$name is a short phrase naming the other unit', ({ text, expected }) => {
    expect(text).toBe(expected);
  });
});
