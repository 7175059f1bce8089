import { describe, expect, it } from 'vitest';
import { conflicts, fleetLike, global, leastLoaded, machineOf, metadata, pin, preferFast } from '../__fixtures__/plugins.js';
import { createUnit, ErrorCodes } from '../index.js';
import { createTestCluster, simulate, testPlugin } from '../testing/index.js';
import type { TestCluster } from '../testing/index.js';
import { testClusterInternals } from '../testing/test-cluster.js';
import { Scheduler } from './scheduler.js';

const service = (xfleet = '') => `[Service]\nExecStart=/bin/true\n${xfleet ? `\n[X-Fleet]\n${xfleet}\n` : ''}`;
const units = (count: number, xfleet = '') =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`u${String(i).padStart(3, '0')}.service`, service(xfleet)]));

describe('placement', () => {
  it('spreads units evenly because each decision sees the earlier ones of the round', async () => {
    const cluster = await createTestCluster({ plugins: [leastLoaded], machines: ['m1', 'm2', 'm3'], units: units(10) });
    const round = await cluster.schedule();
    expect(round.placements).toHaveLength(10);
    expect(['m1', 'm2', 'm3'].map((m) => cluster.unitsOn(m).length)).toEqual([4, 3, 3]);
  });

  it('breaks ties by machine ID', async () => {
    const cluster = await simulate({ plugins: [leastLoaded], machines: ['c', 'a', 'b'], units: units(1) });
    expect(cluster.placementOf('u000.service')).toBe('a');
  });

  it('keeps the per-plugin scores of the best candidates', async () => {
    const cluster = await createTestCluster({
      plugins: [leastLoaded, { plugin: preferFast, weight: 10 }],
      machines: ['m1', { id: 'm2', metadata: { tier: 'fast' } }, 'm3'],
      units: units(1),
      placements: {},
    });
    const [placement] = (await cluster.schedule()).placements;
    expect(placement).toEqual({
      unit: 'u000.service',
      machine: 'm2',
      previousMachine: undefined,
      candidates: [
        { machine: 'm2', total: 10, byPlugin: { 'prefer-fast': 1 } },
        { machine: 'm1', total: 0, byPlugin: {} },
        { machine: 'm3', total: 0, byPlugin: {} },
      ],
    });
  });

  it('is deterministic: the same cluster gives the same placements', async () => {
    const build = () => simulate({ plugins: [...fleetLike], machines: ['m4', 'm1', 'm3', 'm2'], units: units(25, 'Conflicts=u001.service') });
    expect((await build()).placements()).toEqual((await build()).placements());
  });
});

describe('explanations', () => {
  it('summarizes why a unit is unschedulable in one line, most frequent reason first', async () => {
    const cluster = await simulate({
      plugins: [metadata, conflicts, leastLoaded],
      machines: [
        { id: 'm1', metadata: { region: 'us-west-1' } },
        { id: 'm2', metadata: { region: 'us-west-1' } },
        { id: 'm3', metadata: { region: 'us-west-1' } },
        { id: 'm4', metadata: { region: 'us-east-1' } },
        { id: 'm5', metadata: { region: 'us-east-1' } },
      ],
      units: {
        'web@1.service': { contents: service('MachineMetadata=region=us-east-1'), desiredState: 'launched' },
        'web@2.service': service('MachineMetadata=region=us-east-1\nConflicts=web@1.service'),
        'web@3.service': service('MachineMetadata=region=us-east-1\nConflicts=web@1.service\nConflicts=web@2.service'),
      },
    });
    expect(cluster.placements()).toEqual({ 'web@1.service': 'm4', 'web@2.service': 'm5' });
    expect(cluster.summary('web@3.service')).toBe(
      '0/5 machines available: 3 metadata region=us-east-1 not matched, 1 conflict with web@1.service, 1 conflict with web@2.service',
    );
    expect(cluster.reasons('web@3.service')).toEqual([
      { machine: 'm1', plugin: 'metadata', kind: 'filter', message: 'metadata region=us-east-1 not matched' },
      { machine: 'm2', plugin: 'metadata', kind: 'filter', message: 'metadata region=us-east-1 not matched' },
      { machine: 'm3', plugin: 'metadata', kind: 'filter', message: 'metadata region=us-east-1 not matched' },
      { machine: 'm4', plugin: 'conflicts', kind: 'filter', message: 'conflict with web@1.service' },
      { machine: 'm5', plugin: 'conflicts', kind: 'filter', message: 'conflict with web@2.service' },
    ]);
  });

  it('gives machines left out by narrowing the narrowing reason, without evaluating them', async () => {
    const machines = Array.from({ length: 200 }, (_, i) => `m${String(i).padStart(3, '0')}`);
    const cluster = await createTestCluster({
      plugins: [pin, leastLoaded],
      machines,
      units: { 'a.service': service('MachineID=m150'), 'b.service': service('MachineID=gone') },
    });
    const round = await cluster.schedule();
    expect(cluster.placementOf('a.service')).toBe('m150');
    // One evaluation places a.service, none for the other 199 machines; the follow-up cycle re-checks it once.
    expect(round.stats.evaluations).toBe(1);
    expect(round.stats.revalidations).toBe(1);
    expect(cluster.summary('b.service')).toBe('0/200 machines available: 200 unit is pinned to gone');
    expect(cluster.reasons('b.service')[0]).toEqual({ machine: 'm000', plugin: 'pin', kind: 'narrow', message: 'unit is pinned to gone' });
  });

  it('explains every plugin on every machine, feasible machines first by score', async () => {
    const cluster = await simulate({
      plugins: [metadata, conflicts, leastLoaded],
      machines: [{ id: 'm1', metadata: { disk: 'ssd' } }, { id: 'm2', metadata: { disk: 'ssd' } }, 'm3'],
      units: { 'db.service': service('MachineMetadata=disk=ssd'), 'other.service': service('MachineMetadata=disk=ssd') },
    });
    const explanation = cluster.explain('db.service');
    expect(explanation).toMatchObject({
      unit: 'db.service',
      placedOn: 'm1',
      bestMachine: 'm1',
      summary: '2/3 machines available: 1 metadata disk=ssd not matched',
    });
    expect(explanation.machines.map((machine) => [machine.machine, machine.feasible, machine.total])).toEqual([
      ['m1', true, 0],
      ['m2', true, -1],
      ['m3', false, undefined],
    ]);
    expect(explanation.machines[2]?.verdicts).toEqual([
      { plugin: 'metadata', verdict: 'filter', message: 'metadata disk=ssd not matched' },
      { plugin: 'conflicts', verdict: 'pass' },
    ]);
    expect(cluster.placementOf('db.service')).toBe('m1');
  });

  it('explains an unknown unit with UNIT_NOT_FOUND', async () => {
    const cluster = await createTestCluster({ plugins: [leastLoaded] });
    expect(() => cluster.explain('nope.service')).toThrow(expect.objectContaining({ code: ErrorCodes.UNIT_NOT_FOUND }));
  });
});

describe('plugin failures never crash scheduling', () => {
  const flaky = testPlugin('flaky', (hooks) => {
    hooks.filter.tap((_unit, machine) => {
      if (machine.id === 'm1') throw new Error('metadata service down');
      return undefined;
    });
    hooks.score.tap((_unit, machine) => (machine.id === 'm2' ? Number.NaN : 0));
  });

  it('rejects the candidate with an error reason and places the unit elsewhere', async () => {
    const cluster = await createTestCluster({ plugins: [flaky, leastLoaded], machines: ['m1', 'm2', 'm3'], units: units(1) });
    const round = await cluster.schedule();
    expect(cluster.placementOf('u000.service')).toBe('m3');
    expect(round.pluginErrors.map((error) => error.message)).toEqual([
      'plugin "flaky" failed in hook "filter": metadata service down',
      'plugin "flaky" failed in hook "score": score returned NaN, expected a finite number',
    ]);
    expect(cluster.explain('u000.service').machines.find((m) => m.machine === 'm1')?.verdicts[0]).toEqual({
      plugin: 'flaky',
      verdict: 'error',
      message: 'plugin "flaky" failed in hook "filter": metadata service down',
    });
  });

  it('marks a unit whose resolution throws unschedulable with the error on every machine', async () => {
    const broken = testPlugin('broken', (hooks) =>
      hooks.resolveUnit.tap(() => {
        throw new Error('cannot parse');
      }),
    );
    const cluster = await createTestCluster({ plugins: [broken, leastLoaded], machines: ['m1', 'm2'] });
    expect(() => cluster.submit('u000.service', service())).toThrow('plugin "broken" failed in hook "resolveUnit": cannot parse');
    // A unit stored before the plugin broke reaches the engine anyway.
    cluster.store('u000.service', service());
    await cluster.settle();
    expect(cluster.summary('u000.service')).toBe('0/2 machines available: 2 plugin "broken" failed in hook "resolveUnit": cannot parse');
    expect(cluster.reasons('u000.service')[0]?.kind).toBe('error');
  });

  it('keeps an existing placement when a plugin errors while re-checking it (no reschedule storm)', async () => {
    let failing = false;
    const flakyCheck = testPlugin('flaky-check', (hooks) =>
      hooks.filter.tap(() => {
        if (failing) throw new Error('timeout');
        return undefined;
      }),
    );
    const cluster = await simulate({ plugins: [flakyCheck, leastLoaded], machines: ['m1', 'm2'], units: units(2) });
    failing = true;
    const round = await cluster.schedule();
    expect(round.revocations).toEqual([]);
    expect(cluster.placements()).toEqual({ 'u000.service': 'm1', 'u001.service': 'm2' });
  });
});

describe('rescheduling', () => {
  it('moves the units of a machine that is gone', async () => {
    const cluster = await simulate({ plugins: [leastLoaded], machines: ['m1', 'm2', 'm3'], units: units(3) });
    cluster.removeMachine('m2');
    const round = await cluster.schedule();
    expect(round.revocations).toEqual([{ unit: 'u001.service', machine: 'm2', plugin: undefined, reason: 'machine m2 is gone' }]);
    expect(round.placements).toMatchObject([{ unit: 'u001.service', machine: 'm1', previousMachine: 'm2' }]);
  });

  it('moves a unit whose requirement no longer holds after a metadata change', async () => {
    const cluster = await simulate({
      plugins: [metadata, leastLoaded],
      machines: [
        { id: 'm1', metadata: { az: 'a' } },
        { id: 'm2', metadata: { az: 'b' } },
      ],
      units: { 'x.service': service('MachineMetadata=az=a') },
    });
    expect(cluster.placementOf('x.service')).toBe('m1');
    cluster.setMetadata('m1', { az: 'b' }).setMetadata('m2', { az: 'a' });
    const round = await cluster.schedule();
    expect(round.revocations).toEqual([{ unit: 'x.service', machine: 'm1', plugin: 'metadata', reason: 'metadata az=a not matched' }]);
    expect(cluster.placementOf('x.service')).toBe('m2');
  });

  it('revokes the placement of a unit whose desired state became inactive, and of a destroyed unit', async () => {
    const cluster = await simulate({ plugins: [leastLoaded], machines: ['m1'], units: units(2) });
    cluster.setDesiredState('u000.service', 'inactive').destroy('u001.service');
    testClusterInternals(cluster).state.setPlacement('u001.service', 'm1');
    const round = await cluster.schedule();
    expect(round.revocations.map((r) => [r.unit, r.reason])).toEqual([
      ['u000.service', 'desired state is inactive'],
      ['u001.service', 'unit was destroyed'],
    ]);
    expect(cluster.unitsOn('m1')).toEqual([]);
  });

  it('places a MachineOf follower in the same round as its leader, in a later cycle', async () => {
    const cluster = await createTestCluster({
      plugins: [machineOf, leastLoaded],
      machines: ['m1', 'm2', 'm3'],
      units: { 'a-follower.service': service('MachineOf=z-leader.service'), 'z-leader.service': service(), 'b.service': service() },
    });
    const round = await cluster.schedule();
    expect(round.placements.map((p) => p.unit).sort()).toEqual(['a-follower.service', 'b.service', 'z-leader.service']);
    expect(round.unschedulable).toEqual([]);
    expect(cluster.placementOf('a-follower.service')).toBe(cluster.placementOf('z-leader.service'));
  });

  it('moves a follower with its leader in the same round when the leader must move', async () => {
    const cluster = await simulate({
      plugins: [metadata, machineOf, leastLoaded],
      machines: [
        { id: 'm1', metadata: { az: 'a' } },
        { id: 'm2', metadata: { az: 'a' } },
      ],
      units: { 'leader.service': service('MachineMetadata=az=a'), 'follower.service': service('MachineOf=leader.service') },
    });
    expect(cluster.placementOf('follower.service')).toBe('m1');
    cluster.setMetadata('m1', { az: 'b' });
    const round = await cluster.schedule();
    expect(round.placements.map((p) => [p.unit, p.machine, p.previousMachine])).toEqual([
      ['leader.service', 'm2', 'm1'],
      ['follower.service', 'm2', 'm1'],
    ]);
    expect(round.revocations.map((r) => [r.unit, r.plugin])).toEqual([
      ['leader.service', 'metadata'],
      ['follower.service', 'machine-of'],
    ]);
  });

  it('leaves a unit unschedulable while its peer is not placed', async () => {
    const cluster = await simulate({ plugins: [machineOf, leastLoaded], machines: ['m1', 'm2'], units: { 'f.service': service('MachineOf=missing.service') } });
    expect(cluster.summary('f.service')).toBe('0/2 machines available: 2 waiting for missing.service to be placed');
  });
});

describe('global units', () => {
  it('run on every machine that passes the filters and count toward load', async () => {
    const cluster = await simulate({
      plugins: [global, metadata, leastLoaded],
      machines: [{ id: 'm1', metadata: { role: 'edge' } }, { id: 'm2', metadata: { role: 'edge' } }, 'm3'],
      units: { 'agent.service': service('Global=true\nMachineMetadata=role=edge'), ...units(2) },
    });
    expect(cluster.globalMachines('agent.service')).toEqual(['m1', 'm2']);
    expect(cluster.placements()).toEqual({ 'u000.service': 'm3', 'u001.service': 'm1' });
    expect(cluster.runningCount()).toBe(4);
    const decision = cluster.rounds[0]?.globals[0];
    expect(decision?.rejections).toEqual([{ machine: 'm3', plugin: 'metadata', kind: 'filter', message: 'metadata role=edge not matched' }]);
  });

  it('between two conflicting global units, the first by name wins', async () => {
    const cluster = await simulate({
      plugins: [global, conflicts, leastLoaded],
      machines: ['m1', 'm2'],
      units: { 'b.service': service('Global=true\nConflicts=a.service'), 'a.service': service('Global=true') },
    });
    expect(cluster.globalMachines('a.service')).toEqual(['m1', 'm2']);
    expect(cluster.globalMachines('b.service')).toEqual([]);
  });
});

describe('global decisions while nothing changed', () => {
  /** Counts filter calls, so a test can tell a remembered decision from a new one. */
  const counting = () => {
    const calls = { filter: 0 };
    const plugin = testPlugin('counting', (hooks) =>
      hooks.filter.tap(() => {
        calls.filter++;
        return undefined;
      }),
    );
    return { calls, plugin };
  };
  const edgeMachines = [{ id: 'm1', metadata: { role: 'edge' } }, { id: 'm2', metadata: { role: 'edge' } }, 'm3'];
  const edgeAgent = { 'agent.service': service('Global=true\nMachineMetadata=role=edge') };
  /** What placeGlobals must return: a scheduler that remembers nothing decides afresh. */
  const decidedAfresh = (cluster: TestCluster) => new Scheduler(cluster.host).placeGlobals(testClusterInternals(cluster).state);
  const placeGlobals = (cluster: TestCluster) => testClusterInternals(cluster).scheduler.placeGlobals(testClusterInternals(cluster).state);

  it('an idle round calls no filter, for global units nor placements, and reports the same globals', async () => {
    const { calls, plugin } = counting();
    const cluster = await simulate({ plugins: [plugin, global, metadata, leastLoaded], machines: edgeMachines, units: { ...edgeAgent, ...units(4) } });
    const settled = cluster.rounds.at(-1);
    calls.filter = 0;
    const version = testClusterInternals(cluster).state.version;
    const idle = await cluster.schedule();
    expect(calls.filter).toBe(0);
    expect(testClusterInternals(cluster).state.version).toBe(version);
    expect(idle.globals).toEqual(settled?.globals);
    expect(idle.stats.kept).toBe(4);
  });

  it.each([
    { name: 'a machine joins', change: (cluster: TestCluster) => cluster.addMachine({ id: 'm4', metadata: { role: 'edge' } }) },
    { name: 'a machine leaves', change: (cluster: TestCluster) => cluster.removeMachine('m2') },
    { name: "a machine's metadata changes", change: (cluster: TestCluster) => cluster.setMetadata('m3', { role: 'edge' }) },
    {
      name: 'a unit that conflicts with it is placed',
      change: (cluster: TestCluster) =>
        testClusterInternals(cluster.submit('web.service', service('Conflicts=agent.service'))).state.setPlacement('web.service', 'm1'),
    },
    { name: 'it is stopped', change: (cluster: TestCluster) => cluster.setDesiredState('agent.service', 'inactive') },
    { name: 'it is destroyed', change: (cluster: TestCluster) => cluster.destroy('agent.service') },
    {
      name: 'an earlier global unit conflicting with it arrives',
      change: (cluster: TestCluster) => cluster.submit('a-first.service', service('Global=true\nConflicts=agent.service')),
    },
  ])('are decided again when $name', async ({ change }) => {
    const cluster = await simulate({ plugins: [global, metadata, conflicts, leastLoaded], machines: edgeMachines, units: edgeAgent });
    const before = placeGlobals(cluster);
    expect(placeGlobals(cluster)).toEqual(before);
    change(cluster);
    const after = placeGlobals(cluster);
    // The change matters, so decisions remembered from before it would fail here.
    expect(after).not.toEqual(before);
    expect(after).toEqual(decidedAfresh(cluster));
  });

  it.each([
    {
      hook: 'filter',
      flaky: testPlugin('flaky', (hooks) =>
        hooks.filter.tap((_unit, machine) => {
          if (machine.id === 'm1') throw new Error('inventory service down');
          return undefined;
        }),
      ),
      machines: ['m2'],
    },
    {
      hook: 'narrow',
      flaky: testPlugin('flaky', (hooks) =>
        hooks.narrow.tap(() => {
          throw new Error('inventory service down');
        }),
      ),
      machines: ['m1', 'm2'],
    },
  ])('are decided again while a $hook tap fails on them, which reports its error each round', async ({ hook, flaky, machines }) => {
    const cluster = await createTestCluster({ plugins: [flaky, global], machines: ['m1', 'm2'], units: { 'agent.service': service('Global=true') } });
    for (let round = 0; round < 2; round++) {
      const result = await cluster.schedule();
      expect(result.pluginErrors.map((error) => error.message)).toEqual([`plugin "flaky" failed in hook "${hook}": inventory service down`]);
      expect(result.globals[0]?.machines).toEqual(machines);
    }
  });

  it('are decided again for a global unit that still holds a placement, which clearing it takes away', async () => {
    // b.service was placed on m1 before it became global; a.service, earlier by name, conflicts with it.
    const cluster = await createTestCluster({
      plugins: [global, conflicts, leastLoaded],
      machines: ['m1', 'm2'],
      units: { 'a.service': service('Global=true\nConflicts=b.service'), 'b.service': service('Global=true') },
      placements: { 'b.service': 'm1' },
    });
    placeGlobals(cluster);
    expect(placeGlobals(cluster)).toEqual(decidedAfresh(cluster));
  });
});

describe('bind', () => {
  it('sends a refused placement back to the next round', async () => {
    const quota = testPlugin('quota', (hooks) =>
      hooks.bind.tap(async (batch) => {
        for (const placement of batch.placements) if (placement.unit === 'u001.service') batch.refuse(placement.unit, 'quota exceeded');
      }),
    );
    const cluster = await createTestCluster({ plugins: [quota, leastLoaded], machines: ['m1', 'm2'], units: units(2) });
    const round = await cluster.schedule();
    expect(round.refused).toEqual([{ unit: 'u001.service', machine: 'm2', plugin: 'quota', reason: 'quota exceeded' }]);
    expect(round.placements.map((p) => p.unit)).toEqual(['u000.service']);
    expect(cluster.placementOf('u001.service')).toBeUndefined();
  });

  it('rolls the whole round back when bind fails, revoking nothing', async () => {
    let failing = false;
    const store = testPlugin('store', (hooks) =>
      hooks.bind.tap(async () => {
        if (failing) throw new Error('etcd unavailable');
      }),
    );
    const cluster = await simulate({ plugins: [store, leastLoaded], machines: ['m1', 'm2'], units: units(2) });
    failing = true;
    cluster.removeMachine('m2').submit('new.service', service());
    const round = await cluster.schedule();
    expect(round.bindError?.message).toBe('plugin "store" failed in hook "bind": etcd unavailable');
    expect(round.placements).toEqual([]);
    expect(round.revocations).toEqual([]);
    expect(testClusterInternals(cluster).state.placedMachineId('u001.service')).toBe('m2');
    expect(cluster.placementOf('new.service')).toBeUndefined();
  });

  it('tells roundComplete taps what was committed and what was not', async () => {
    const seen: string[] = [];
    const observer = testPlugin('observer', (hooks) => {
      hooks.roundComplete.tap((r) => {
        for (const p of r.placements) seen.push(`placed ${p.unit} on ${p.machine}`);
        for (const u of r.unschedulable) seen.push(`unschedulable ${u.unit}`);
        seen.push(`round ${r.round}`);
      });
    });
    await createTestCluster({
      plugins: [observer, pin, leastLoaded],
      machines: ['m1'],
      units: { 'a.service': service(), 'b.service': service('MachineID=m9') },
    }).then((c) => c.schedule());
    expect(seen).toEqual(['placed a.service on m1', 'unschedulable b.service', 'round 1']);
  });

  it("reports a throwing roundComplete tap to the plugin's logger and goes on", async () => {
    const loud = testPlugin('loud', (hooks) =>
      hooks.roundComplete.tap(() => {
        throw new Error('pager unreachable');
      }),
    );
    const cluster = await createTestCluster({ plugins: [loud, leastLoaded], machines: ['m1'], units: units(1) });
    const round = await cluster.schedule();
    expect(round.placements).toHaveLength(1);
    expect(cluster.logs).toMatchObject([{ plugin: 'loud', level: 'error', message: 'plugin "loud" failed in hook "roundComplete": pager unreachable' }]);
  });
});

describe('submit-time validation', () => {
  const strict = testPlugin('strict', (hooks) =>
    hooks.validateUnit.tap((unit) =>
      unit.fleetOptions.has('MachineID') && unit.fleetOptions.has('Global') ? 'MachineID cannot be combined with Global' : undefined,
    ),
  );

  it('refuses a unit a validateUnit tap rejects, naming unit, plugin and problem', async () => {
    const cluster = await createTestCluster({ plugins: [strict, leastLoaded], machines: ['m1'] });
    expect(() => cluster.submit('bad.service', service('MachineID=m1\nGlobal=true'))).toThrow(
      expect.objectContaining({
        code: ErrorCodes.UNIT_INVALID,
        unit: 'bad.service',
        plugin: 'strict',
        message: 'unit bad.service: MachineID cannot be combined with Global',
      }),
    );
    expect(cluster.state.unit('bad.service')).toBeUndefined();
    expect(() => cluster.submit('good.service', service('MachineID=m1'))).not.toThrow();
  });
});

describe('cluster view indexes', () => {
  it('finds machines by ID prefix without scanning', async () => {
    const cluster = await createTestCluster({ plugins: [leastLoaded], machines: ['abc1', 'abd2', 'abc3', 'b', 'ab'] });
    expect(cluster.state.machinesByIdPrefix('abc').map((m) => m.id)).toEqual(['abc1', 'abc3']);
    expect(cluster.state.machinesByIdPrefix('ab').map((m) => m.id)).toEqual(['ab', 'abc1', 'abc3', 'abd2']);
    expect(cluster.state.machinesByIdPrefix('zz')).toEqual([]);
  });

  it('finds machines by metadata value and key, and follows metadata changes', async () => {
    const cluster = await createTestCluster({
      plugins: [leastLoaded],
      machines: [{ id: 'm1', metadata: { az: 'a' } }, { id: 'm2', metadata: { az: 'b' } }, 'm3'],
    });
    expect(cluster.state.machinesWithMetadata('az', 'a').map((m) => m.id)).toEqual(['m1']);
    expect(cluster.state.machinesWithMetadataKey('az').map((m) => m.id)).toEqual(['m1', 'm2']);
    cluster.setMetadata('m3', { az: 'a' });
    expect(cluster.state.machinesWithMetadata('az', 'a').map((m) => m.id)).toEqual(['m1', 'm3']);
  });
});

describe('requirement index', () => {
  it('lists the units whose requirements a plugin set, and follows submits and destroys', async () => {
    const cluster = await createTestCluster({
      plugins: [metadata, leastLoaded],
      units: { 'a.service': service('MachineMetadata=x=1'), 'b.service': service() },
    });
    const withMetadata = () =>
      [...cluster.state.unitsWithRequirement('metadata')].filter((name) => (cluster.state.unit(name)?.requirements['metadata'] as unknown[]).length > 0);
    expect(withMetadata()).toEqual(['a.service']);
    cluster.submit('c.service', service('MachineMetadata=y=2')).destroy('a.service');
    expect(withMetadata()).toEqual(['c.service']);
    expect([...cluster.state.unitsWithRequirement('nothing')]).toEqual([]);
  });
});

describe('unit lookups', () => {
  // The state remembers each unit's resolution: a lookup after any of these changes must see the unit as it is now.
  it.each([
    {
      name: 'a new version replaces it',
      change: (cluster: TestCluster) => cluster.submit('a.service', service('MachineMetadata=x=2')),
      expected: [['x', '2']],
    },
    { name: 'it is destroyed', change: (cluster: TestCluster) => cluster.destroy('a.service'), expected: undefined },
    {
      name: 'it is destroyed and submitted again with other contents',
      change: (cluster: TestCluster) => cluster.destroy('a.service').submit('a.service', service('MachineMetadata=y=3')),
      expected: [['y', '3']],
    },
    { name: 'only its desired state changes', change: (cluster: TestCluster) => cluster.setDesiredState('a.service', 'loaded'), expected: [['x', '1']] },
  ])('follow the unit when $name', async ({ change, expected }) => {
    const cluster = await createTestCluster({ plugins: [metadata, leastLoaded], units: { 'a.service': service('MachineMetadata=x=1') } });
    expect(cluster.state.unit('a.service')?.requirements['metadata']).toEqual([['x', '1']]);
    change(cluster);
    expect(cluster.state.unit('a.service')?.requirements['metadata']).toEqual(expected);
  });

  it('keep a resolution per state: two states of one scheduler may hold different versions of a unit', async () => {
    const cluster = await createTestCluster({ plugins: [metadata, leastLoaded], units: { 'a.service': service('MachineMetadata=x=1') } });
    const other = testClusterInternals(cluster).scheduler.createState({
      machines: [],
      units: [createUnit({ name: 'a.service', contents: service('MachineMetadata=x=2'), desiredState: 'launched' })],
    });
    expect(other.unit('a.service')?.requirements['metadata']).toEqual([['x', '2']]);
    expect(cluster.state.unit('a.service')?.requirements['metadata']).toEqual([['x', '1']]);
  });
});

describe('each caller runs on its own runner', () => {
  const throwsOnExplain = (failing: { on: boolean }) =>
    testPlugin('inventory', (hooks) =>
      hooks.filter.tap(() => {
        if (failing.on) throw new Error('inventory service down');
        return undefined;
      }),
    );

  it("regression: an explanation by another scheduler of the host leaves the engine's returned round as it was", async () => {
    const failing = { on: false };
    const cluster = await createTestCluster({ plugins: [throwsOnExplain(failing), leastLoaded], machines: ['m1', 'm2'], units: units(2) });
    const round = await cluster.schedule();
    expect(round.pluginErrors).toHaveLength(0);
    failing.on = true;
    const { state } = testClusterInternals(cluster);
    const explanation = new Scheduler(cluster.host, { onPluginError: () => {} }).explain(state, 'u000.service');
    expect(explanation.machines.every((machine) => machine.verdicts.some((verdict) => verdict.verdict === 'error'))).toBe(true);
    expect(round.pluginErrors).toHaveLength(0);
  });

  it("regression: an explanation by the engine's own scheduler goes to its error sink, not into its last round", async () => {
    const failing = { on: false };
    const cluster = await createTestCluster({ plugins: [throwsOnExplain(failing), leastLoaded], machines: ['m1'], units: units(1) });
    const round = await cluster.schedule();
    failing.on = true;
    cluster.explain('u000.service');
    expect(round.pluginErrors).toHaveLength(0);
    expect(cluster.logs.map((line) => [line.plugin, line.level, line.message])).toEqual([
      ['inventory', 'error', 'plugin "inventory" failed in hook "filter": inventory service down'],
    ]);
  });
});

describe("dry runs reach the engine's fixed point", () => {
  /** a follows b, b follows c...: names sorted against the chain, so each pass of a round places one more link. */
  const chain = (length: number) =>
    Object.fromEntries(
      Array.from({ length }, (_, i) => {
        const name = `${String.fromCharCode(97 + i)}.service`;
        const leader = i + 1 < length ? `MachineOf=${String.fromCharCode(98 + i)}.service` : '';
        return [name, service(leader)];
      }),
    );

  it('regression: settle() places a MachineOf chain of 5 whose names sort against it, which one round cannot', async () => {
    const decidedOnce = await createTestCluster({ plugins: [machineOf, leastLoaded], machines: ['m1', 'm2'], units: chain(5) });
    const once = testClusterInternals(decidedOnce);
    expect(once.scheduler.decide(once.state).unschedulable.map((unit) => unit.unit)).toEqual(['a.service', 'b.service']);

    const cluster = await createTestCluster({ plugins: [machineOf, leastLoaded], machines: ['m1', 'm2'], units: chain(5) });
    const { scheduler, state } = testClusterInternals(cluster);
    const settled = scheduler.settle(state);
    expect(settled).toMatchObject({ settled: true, rounds: 3 });
    expect(settled.last.unschedulable).toEqual([]);
    expect(new Set(['a', 'b', 'c', 'd', 'e'].map((unit) => cluster.placementOf(`${unit}.service`)))).toEqual(new Set(['m1']));
  });

  it('says when the cluster still changes after the round cap', async () => {
    const cluster = await createTestCluster({ plugins: [machineOf, leastLoaded], machines: ['m1'], units: chain(8), maxPasses: 1 });
    const { scheduler, state } = testClusterInternals(cluster);
    expect(scheduler.settle(state, 3)).toMatchObject({ settled: false, rounds: 3 });
  });
});
