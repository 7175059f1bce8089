// The placement rules, case by case: who moves where a replacing unit and a unit it replaces would meet.
import { describe, expect, it } from 'vitest';
import { createTestCluster, simulate } from '@fleetd/core/testing';
import { REPLACES_PENALTY } from '../src/index.js';
import { expectSettled, followPeers, globalMarker, noNarrowing, onlyOn, plugins, replacing, service, sharingPairs, withFleet } from './helpers.js';

interface RuleCase {
  readonly name: string;
  readonly machines?: readonly string[];
  readonly units: Readonly<Record<string, string>>;
  readonly placements?: Readonly<Record<string, string>>;
  /** Units kept on some machines (stand-in for MachineID or metadata). */
  readonly only?: Readonly<Record<string, readonly string[]>>;
  readonly expected: Readonly<Record<string, string>>;
  /** [unit, from, replaced by]: the revocations this plugin makes, in order. */
  readonly revoked?: readonly (readonly [string, string, string])[];
  readonly unschedulable?: Readonly<Record<string, string>>;
}

async function run(rule: RuleCase, narrowing: boolean) {
  const extra = [...(narrowing ? [] : [noNarrowing]), ...(rule.only === undefined ? [] : [onlyOn(rule.only)]), followPeers];
  const cluster = await simulate({
    plugins: [...extra, ...plugins],
    machines: rule.machines ?? ['m1', 'm2', 'm3'],
    units: rule.units,
    placements: rule.placements ?? {},
  });
  expect(cluster.placements()).toEqual(rule.expected);
  const revocations = cluster.rounds.flatMap((round) => round.revocations);
  expect(revocations).toEqual((rule.revoked ?? []).map(([unit, machine, by]) => ({ unit, machine, plugin: 'replaces', reason: `replaced by ${by}` })));
  for (const [unit, summary] of Object.entries(rule.unschedulable ?? {})) expect(cluster.summary(unit)).toBe(summary);
  expect(sharingPairs(cluster)).toEqual([]);
  await expectSettled(cluster);
  return cluster;
}

const bothWays = (cases: readonly RuleCase[]) =>
  cases.flatMap((rule) => [
    { ...rule, narrowing: true, label: 'with narrowing' },
    { ...rule, narrowing: false, label: 'every machine through the filter' },
  ]);

describe('the replacing unit runs wherever it can, away from the units it replaces', () => {
  it.each(
    bothWays([
      {
        name: 'regression: a replacer that cannot run on the replaced unit’s machine runs where it can (issue 16, item 9)',
        machines: ['m1', 'm2'],
        units: { 'a-old.service': service, 'b-new.service': replacing('a-old.service') },
        only: { 'a-old.service': ['m2'], 'b-new.service': ['m1'] },
        expected: { 'a-old.service': 'm2', 'b-new.service': 'm1' },
      },
      {
        name: 'regression: a pinned replaced unit keeps running; the replacer runs on another machine (issue 16, item 10)',
        units: { 'a-old.service': service, 'f1.service': service, 'f2.service': service, 'b-new.service': replacing('a-old.service') },
        placements: { 'f1.service': 'm2', 'f2.service': 'm3' },
        only: { 'a-old.service': ['m1'] },
        expected: { 'a-old.service': 'm1', 'f1.service': 'm2', 'f2.service': 'm3', 'b-new.service': 'm2' },
      },
      {
        name: 'regression: a replaced unit that can only run where the replacer would go runs, the replacer elsewhere, whichever comes first by name (issue 16, item 10)',
        units: { 'a-new.service': replacing('b-old.service'), 'b-old.service': service },
        only: { 'b-old.service': ['m1'] },
        expected: { 'a-new.service': 'm2', 'b-old.service': 'm1' },
      },
      {
        name: 'another machine is taken even when the replaced unit’s is the least loaded',
        units: { 'z-old.service': service, 'f1.service': service, 'f2.service': service, 'a-new.service': replacing('z-old.service') },
        placements: { 'z-old.service': 'm1', 'f1.service': 'm2', 'f2.service': 'm3' },
        expected: { 'z-old.service': 'm1', 'f1.service': 'm2', 'f2.service': 'm3', 'a-new.service': 'm2' },
      },
      {
        name: 'two replacers of one unit on two machines: they share one, and all three run',
        machines: ['m1', 'm2'],
        units: { 'a.service': replacing('z.service'), 'b.service': replacing('z.service'), 'z.service': service },
        expected: { 'a.service': 'm2', 'b.service': 'm2', 'z.service': 'm1' },
      },
      {
        name: 'a glob: every machine running a unit it replaces counts',
        units: { 'a-1.service': service, 'a-2.service': service, 'new.service': replacing('a-*') },
        placements: { 'a-1.service': 'm1', 'a-2.service': 'm2' },
        expected: { 'a-1.service': 'm1', 'a-2.service': 'm2', 'new.service': 'm3' },
      },
      {
        name: 'a replaced unit that is not submitted restricts nothing',
        units: { 'busy.service': service, 'new.service': replacing('missing.service') },
        placements: { 'busy.service': 'm1' },
        expected: { 'busy.service': 'm1', 'new.service': 'm2' },
      },
      {
        name: 'a replaced unit that waits for its MachineOf peer: the replacer waits for it, and all run',
        machines: ['m1', 'm2'],
        units: { 'a-old.service': withFleet('MachineOf=c-peer.service'), 'b-new.service': replacing('a-old.service'), 'c-peer.service': service },
        only: { 'c-peer.service': ['m1'] },
        expected: { 'a-old.service': 'm1', 'b-new.service': 'm2', 'c-peer.service': 'm1' },
      },
    ]),
  )('$name ($label)', async (rule) => {
    await run(rule, rule.narrowing);
  });

  it('explain shows the penalty on the machine of the unit it would push away', async () => {
    const cluster = await createTestCluster({
      plugins,
      machines: ['m1', 'm2'],
      units: { 'a-old.service': service, 'f.service': service, 'b-new.service': replacing('a-old.service') },
      placements: { 'a-old.service': 'm1', 'f.service': 'm2' },
    });
    const explanation = cluster.explain('b-new.service');
    expect(explanation.bestMachine).toBe('m2');
    expect(explanation.machines.map(({ machine, scores, total }) => ({ machine, scores, total }))).toEqual([
      { machine: 'm2', scores: { spread: -1 }, total: -1 },
      { machine: 'm1', scores: { replaces: -REPLACES_PENALTY, spread: -1 }, total: -REPLACES_PENALTY - 1 },
    ]);
  });
});

describe('the replaced unit moves where a unit replacing it arrives', () => {
  it.each(
    bothWays([
      {
        name: 'the replacer takes its machine when no other passes its filters, and the replaced unit moves',
        units: { 'a-old.service': service, 'b-new.service': replacing('a-old.service') },
        placements: { 'a-old.service': 'm1' },
        only: { 'b-new.service': ['m1'] },
        expected: { 'a-old.service': 'm2', 'b-new.service': 'm1' },
        revoked: [['a-old.service', 'm1', 'b-new.service']],
      },
      {
        name: 'a glob replacing several units on one machine pushes all of them off',
        units: { 'old-a.service': service, 'old-b.service': service, 'new.service': replacing('old-*.service') },
        placements: { 'old-a.service': 'm1', 'old-b.service': 'm1' },
        only: { 'new.service': ['m1'] },
        expected: { 'new.service': 'm1', 'old-a.service': 'm2', 'old-b.service': 'm3' },
        revoked: [
          ['old-a.service', 'm1', 'new.service'],
          ['old-b.service', 'm1', 'new.service'],
        ],
      },
      {
        name: 'a replaced unit is not placed next to a unit replacing it, even on the least loaded machine',
        units: { 'new.service': replacing('old.service'), 'busy-1.service': service, 'busy-2.service': service, 'old.service': service },
        placements: { 'new.service': 'm1', 'busy-1.service': 'm2', 'busy-2.service': 'm3' },
        expected: { 'new.service': 'm1', 'busy-1.service': 'm2', 'busy-2.service': 'm3', 'old.service': 'm2' },
      },
      {
        name: 'a replaced unit that cannot move then waits, replaced by the new unit',
        machines: ['m1', 'm2'],
        units: { 'a-old.service': service, 'b-new.service': replacing('a-old.service') },
        placements: { 'a-old.service': 'm1' },
        only: { 'a-old.service': ['m1'], 'b-new.service': ['m1'] },
        expected: { 'b-new.service': 'm1' },
        revoked: [['a-old.service', 'm1', 'b-new.service']],
        unschedulable: { 'a-old.service': '0/2 machines available: 1 replaced by b-new.service, 1 only on m1' },
      },
      {
        name: 'a replaced unit with its own constraints on a one-machine cluster: unschedulable, and the cluster settles',
        machines: ['m1'],
        units: { 'a-new.service': replacing('b-old.service'), 'b-old.service': service },
        placements: { 'b-old.service': 'm1' },
        expected: { 'a-new.service': 'm1' },
        revoked: [['b-old.service', 'm1', 'a-new.service']],
        unschedulable: { 'b-old.service': '0/1 machines available: 1 replaced by a-new.service' },
      },
    ]),
  )('$name ($label)', async (rule) => {
    await run(rule, rule.narrowing);
  });
});

describe('a replacer is not placed next to a unit it would push whose move leads back to it', () => {
  it('regression: a replacer whose MachineOf chain leads to the unit it replaces was placed next to it, and every round revoked the three units and put them back, leaving the replaced unit next to its replacer; now it never runs', async () => {
    const cluster = await simulate({
      plugins: [followPeers, ...plugins],
      machines: ['m1', 'm2'],
      units: {
        'web-1.service': service,
        'web-2.service': withFleet('MachineOf=web-1.service'),
        'web-3.service': withFleet('Replaces=web-1.service', 'MachineOf=web-2.service'),
      },
    });
    expect(cluster.placements()).toEqual({ 'web-1.service': 'm1', 'web-2.service': 'm1' });
    expect(cluster.summary('web-3.service')).toBe(
      '0/2 machines available: 1 would push web-1.service, whose move leads back to it (web-1.service → web-2.service → web-3.service), 1 not the machine of web-2.service',
    );
    expect(sharingPairs(cluster)).toEqual([]);
    await expectSettled(cluster);
  });

  it('regression: a replacer pushed a unit whose replacer its own MachineOf peer follows, each round putting all three back on one machine', async () => {
    // v0 follows v4 and replaces u3; u3 replaces v4: were u3 to push v4 off, v0 would follow v4 and push u3, and so on.
    const cluster = await simulate({
      plugins: [followPeers, ...plugins],
      machines: ['m1'],
      units: { 'u3.service': replacing('v4.service'), 'v0.service': withFleet('Replaces=u*', 'MachineOf=v4.service'), 'v4.service': service },
    });
    expect(cluster.placements()).toEqual({ 'v0.service': 'm1', 'v4.service': 'm1' });
    expect(cluster.summary('u3.service')).toBe('0/1 machines available: 1 replaced by v0.service');
    expect(sharingPairs(cluster)).toEqual([]);
    await expectSettled(cluster);
  });

  it('a unit stored with a MachineOf peer it replaces (refused at submit) does not run either', async () => {
    const cluster = await simulate({
      plugins: [followPeers, ...plugins],
      machines: ['m1', 'm2'],
      stored: { 'web-1.service': service, 'web-3.service': withFleet('Replaces=web-1.service', 'MachineOf=web-1.service') },
    });
    expect(cluster.placements()).toEqual({ 'web-1.service': 'm1' });
    expect(cluster.summary('web-3.service')).toBe(
      '0/2 machines available: 1 would push web-1.service, whose move leads back to it (web-1.service → web-3.service), 1 not the machine of web-1.service',
    );
    expect(sharingPairs(cluster)).toEqual([]);
  });

  it('pushing a unit whose move does not lead back is still allowed', async () => {
    // new follows peer; new replaces old, which nothing of new's follows: new takes old's machine, old moves.
    await run(
      {
        name: '',
        machines: ['m1', 'm2'],
        units: { 'a-peer.service': service, 'b-old.service': service, 'c-new.service': withFleet('Replaces=b-old.service', 'MachineOf=a-peer.service') },
        placements: { 'a-peer.service': 'm1', 'b-old.service': 'm1' },
        expected: { 'a-peer.service': 'm1', 'b-old.service': 'm2', 'c-new.service': 'm1' },
        revoked: [['b-old.service', 'm1', 'c-new.service']],
      },
      true,
    );
  });
});

describe('once placed, a unit stays', () => {
  it('a placed replacer does not chase a replaced unit running elsewhere', async () => {
    await run(
      {
        name: '',
        units: { 'old.service': service, 'new.service': replacing('old.service') },
        placements: { 'old.service': 'm2', 'new.service': 'm1' },
        expected: { 'new.service': 'm1', 'old.service': 'm2' },
      },
      true,
    );
  });

  it('a replaced unit arriving after its replacer, whose only machine the replacer runs on, waits (fleet moves the replacer)', async () => {
    const cluster = await createTestCluster({
      plugins: [onlyOn({ 'a-old.service': ['m1'] }), ...plugins],
      machines: ['m1', 'm2'],
      units: { 'a-old.service': { contents: service, desiredState: 'inactive' }, 'b-new.service': replacing('a-old.service') },
    });
    await cluster.settle();
    expect(cluster.placements()).toEqual({ 'b-new.service': 'm1' });
    cluster.setDesiredState('a-old.service', 'launched');
    await cluster.settle();
    expect(cluster.placements()).toEqual({ 'b-new.service': 'm1' });
    expect(cluster.summary('a-old.service')).toBe('0/2 machines available: 1 replaced by b-new.service, 1 only on m1');
  });

  it("differs from fleet's TestScheduleReplace: the replacer runs on the other machine, and the replaced unit stays", async () => {
    // fleet puts replace-kick0 on replace.0's machine (the least loaded) and moves replace.0 away.
    await run(
      {
        name: '',
        machines: ['m1', 'm2'],
        units: {
          'replace.0.service': service,
          'replace.1.service': service,
          'replace.2.service': withFleet('MachineOf=replace.1.service'),
          'replace-kick0.service': replacing('replace.0.service'),
        },
        placements: { 'replace.0.service': 'm1', 'replace.1.service': 'm2', 'replace.2.service': 'm2' },
        expected: { 'replace-kick0.service': 'm2', 'replace.0.service': 'm1', 'replace.1.service': 'm2', 'replace.2.service': 'm2' },
      },
      true,
    );
  });
});

describe('global units', () => {
  it('a global unit does not run on the machine of a unit that replaces it', async () => {
    const cluster = await simulate({
      plugins: [globalMarker, ...plugins],
      machines: ['m1', 'm2'],
      units: { 'global-agent.service': service, 'new.service': replacing('global-agent.service') },
      placements: { 'new.service': 'm1' },
    });
    expect(cluster.globalMachines('global-agent.service')).toEqual(['m2']);
    expect(cluster.rounds[0]?.globals[0]?.rejections).toEqual([{ machine: 'm1', plugin: 'replaces', kind: 'filter', message: 'replaced by new.service' }]);
    await expectSettled(cluster);
  });

  it('a glob matching a global unit running everywhere: the replacer goes to the least loaded machine, and the cluster settles', async () => {
    const cluster = await simulate({
      plugins: [globalMarker, ...plugins],
      machines: ['m1', 'm2'],
      units: { 'global-agent.service': service, 'busy.service': service, 'new.service': replacing('global-*') },
      placements: { 'busy.service': 'm1' },
    });
    expect(cluster.placements()).toEqual({ 'busy.service': 'm1', 'new.service': 'm2' });
    expect(cluster.globalMachines('global-agent.service')).toEqual(['m1']);
    await expectSettled(cluster);
  });

  it('with no machine free of units it replaces, the replacer pushes a placed unit (which moves) rather than a global one (which would run on one machine fewer)', async () => {
    const cluster = await simulate({
      plugins: [globalMarker, onlyOn({ 'global-agent.service': ['m1'] }), ...plugins],
      machines: ['m1', 'm2'],
      units: { 'global-agent.service': service, 'x.service': service, 'new.service': replacing('global-*', 'x.service') },
      placements: { 'x.service': 'm2' },
    });
    expect(cluster.placements()).toEqual({ 'new.service': 'm2', 'x.service': 'm1' });
    expect(cluster.globalMachines('global-agent.service')).toEqual(['m1']);
    // As it was decided: both machines ran a unit it replaces.
    const decision = cluster.rounds.flatMap((round) => round.placements).find((placement) => placement.unit === 'new.service');
    expect(decision?.candidates.map(({ machine, byPlugin }) => [machine, byPlugin['replaces']])).toEqual([
      ['m2', -REPLACES_PENALTY],
      ['m1', -2 * REPLACES_PENALTY],
    ]);
  });

  it('a global unit running on some machines only: the replacer prefers the others', async () => {
    const cluster = await simulate({
      plugins: [globalMarker, onlyOn({ 'global-agent.service': ['m1', 'm2'] }), ...plugins],
      machines: ['m1', 'm2', 'm3'],
      units: { 'global-agent.service': service, 'new.service': replacing('global-*') },
    });
    expect(cluster.placements()).toEqual({ 'new.service': 'm3' });
    expect(cluster.globalMachines('global-agent.service')).toEqual(['m1', 'm2']);
  });
});
