import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fleetOptionValues, withGlobal } from '@fleetd/core';
import type { DesiredState, PluginEntry, ResolvedUnit } from '@fleetd/core';
import { createTestCluster, simulate, testPlugin } from '@fleetd/core/testing';
import type { TestCluster, TestMachine, TestUnit } from '@fleetd/core/testing';
import machineOf, { MACHINE_OF_OPTION, machineOfCycle, machineOfPeers, machineOfProblem, machineOfReasons } from './index.js';

const service = '[Service]\nExecStart=/bin/true\n';
const withFleet = (...lines: string[]): string => `${service}\n[X-Fleet]\n${lines.join('\n')}\n`;
/** A unit that must run on the machine of every `peer`. */
const follower = (...peers: string[]): string => withFleet(...peers.map((peer) => `MachineOf=${peer}`));

/** Units named `global*` are global (what the global plugin would decide). */
const globalMarker = testPlugin('global-marker', (hooks) => hooks.resolveUnit.tap((unit) => withGlobal(unit, unit.name.startsWith('global'))));
/** A unit with `Zone=z` runs only on machines whose metadata has zone=z: a requirement that can stop holding. */
const zone = testPlugin(
  'zone',
  (hooks) =>
    hooks.filter.tap((unit, machine) => {
      const [wanted] = fleetOptionValues(unit, 'Zone');
      return wanted === undefined || machine.metadata['zone'] === wanted ? undefined : `zone ${wanted} not matched`;
    }),
  { unitOptions: [{ name: 'Zone', description: 'run only on machines of this zone' }] },
);
/** Global units run only on machines with `agents=yes`. */
const agentsOnly = testPlugin('agents-only', (hooks) =>
  hooks.filter.tap((unit, machine) => (!unit.global || machine.metadata['agents'] === 'yes' ? undefined : 'no agents here')),
);
/** A narrow tap that throws: the core drops all narrowing for the unit, so every machine goes through filter. */
const noNarrowing = testPlugin('no-narrowing', (hooks) =>
  hooks.narrow.tap(() => {
    throw new Error('narrowing disabled for this test');
  }),
);

/** fleet's least-loaded rule (what @fleetd/plugin-least-loaded scores), so units spread as they would in fleet. */
const spread = testPlugin('spread', (hooks) => hooks.score.tap((_unit, machine) => -machine.load));

const plugins: PluginEntry[] = [machineOf, spread];

/** Every placement of the cluster grouped by machine: `{ m1: ['a.service', 'b.service'] }`. */
function byMachine(cluster: TestCluster): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const [unit, machine] of Object.entries(cluster.placements())) (groups[machine] ??= []).push(unit);
  return groups;
}

describe('declared [X-Fleet] options', () => {
  it('owns MachineOf under both spellings', async () => {
    const cluster = await createTestCluster({ plugins });
    for (const spelling of ['MachineOf', 'X-ConditionMachineOf']) {
      expect(cluster.host.unitOptions.get(spelling)).toMatchObject({ plugin: 'machine-of', name: 'MachineOf', aliases: ['X-ConditionMachineOf'] });
    }
    expect(machineOf.meta.unitOptions).toEqual([MACHINE_OF_OPTION]);
    // fleet's combinations with MachineOf are declared by the options that exclude it (MachineID, Global).
    expect(MACHINE_OF_OPTION).not.toHaveProperty('excludes');
  });
});

describe('machineOfPeers', () => {
  it.each([
    { name: 'no MachineOf', lines: [], peers: [] },
    { name: 'one peer', lines: ['MachineOf=db.service'], peers: ['db.service'] },
    { name: 'legacy spelling', lines: ['X-ConditionMachineOf=db.service'], peers: ['db.service'] },
    { name: 'both spellings, MachineOf first', lines: ['X-ConditionMachineOf=a.service', 'MachineOf=b.service'], peers: ['b.service', 'a.service'] },
    { name: 'several lines', lines: ['MachineOf=a.service', 'MachineOf=b.service'], peers: ['a.service', 'b.service'] },
    { name: 'quoted values on one line', lines: ['MachineOf="a.service" "b.service"'], peers: ['a.service', 'b.service'] },
    { name: 'unquoted words on one line', lines: ['MachineOf=a.service  b.service'], peers: ['a.service', 'b.service'] },
    { name: 'an empty quoted value between two', lines: ['MachineOf="a.service"  "b.service"'], peers: ['a.service', 'b.service'] },
    { name: 'the same peer twice', lines: ['MachineOf=a.service', 'X-ConditionMachineOf=a.service'], peers: ['a.service'] },
  ])('$name', async ({ lines, peers }) => {
    // Through the core's [X-Fleet] parsing, which splits quoted multi-values as fleet did.
    const cluster = await createTestCluster({ plugins, units: { 'web.service': lines.length === 0 ? service : withFleet(...lines) } });
    expect(machineOfPeers(cluster.state.unit('web.service') as ResolvedUnit)).toEqual(peers);
  });

  it('is what resolveUnit stores as the requirement, and nothing for a unit without peers', async () => {
    const cluster = await createTestCluster({
      plugins,
      units: { 'web.service': follower('"db.service" "cache.service"'), 'db.service': service },
    });
    expect(cluster.state.unit('web.service')?.requirements['machine-of']).toEqual(['db.service', 'cache.service']);
    expect(cluster.state.unit('db.service')?.requirements).not.toHaveProperty('machine-of');
  });
});

describe('validateUnit', () => {
  it.each([
    {
      name: 'a peer without a type suffix',
      unit: 'web.service',
      lines: ['MachineOf=db'],
      problem:
        'MachineOf: invalid unit name "db": it has no type suffix (one of .automount, .busname, .device, .mount, .path, .scope, .service, .slice, .snapshot, .socket, .swap, .target, .timer)',
    },
    {
      name: 'an unexpanded specifier (no specifiers plugin)',
      unit: 'web.service',
      lines: ['X-ConditionMachineOf=%p.socket'],
      problem: 'X-ConditionMachineOf: invalid unit name "%p.socket": character \'%\' at position 1 is not allowed (only A-Z a-z 0-9 : _ . @ - \\)',
    },
    {
      name: 'a template peer',
      unit: 'web.service',
      lines: ['MachineOf=db@.service'],
      problem: 'MachineOf peer db@.service is a template, which is never placed',
    },
    { name: 'the unit itself', unit: 'web.service', lines: ['MachineOf=db.service web.service'], problem: 'MachineOf names the unit itself' },
    { name: 'a template unit (values mean something once %i expands)', unit: 'web@.service', lines: ['MachineOf=db@%i.service'], problem: undefined },
    { name: 'an instance peer', unit: 'web.service', lines: ['MachineOf=db@1.service'], problem: undefined },
    { name: 'a peer that is not submitted (yet)', unit: 'web.service', lines: ['MachineOf=later.service'], problem: undefined },
  ])('$name', async ({ unit, lines, problem }) => {
    const cluster = await createTestCluster({ plugins });
    // A template can only be submitted inactive.
    const submit = () => cluster.submit(unit, withFleet(...lines), unit.includes('@.') ? 'inactive' : 'launched');
    if (problem === undefined) expect(submit).not.toThrow();
    else expect(submit).toThrow(`unit ${unit}: ${problem}`);
  });

  it('machineOfProblem is the same check, for reuse', () => {
    const unit = { name: 'a.service', nameInfo: { isTemplate: false }, fleetOptions: new Map([['MachineOf', ['a.service']]]) };
    expect(machineOfProblem(unit as never)).toBe('MachineOf names the unit itself');
  });
});

describe('placing followers', () => {
  interface Scenario {
    readonly name: string;
    readonly machines: readonly TestMachine[];
    readonly units: Readonly<Record<string, TestUnit>>;
    readonly placements?: Readonly<Record<string, string>>;
    readonly extraPlugins?: readonly PluginEntry[];
    readonly together: Readonly<Record<string, readonly string[]>>;
    readonly unschedulable?: Readonly<Record<string, string>>;
  }

  const three = ['m1', 'm2', 'm3'];
  const scenarios: Scenario[] = [
    {
      name: 'three MachineOf pairs on several machines land pairwise together',
      machines: ['m1', 'm2', 'm3', 'm4'],
      units: {
        'db1.service': service,
        'db2.service': service,
        'db3.service': service,
        'web1.service': follower('db1.service'),
        'web2.service': follower('db2.service'),
        'web3.service': follower('db3.service'),
      },
      together: { m1: ['db1.service', 'web1.service'], m2: ['db2.service', 'web2.service'], m3: ['db3.service', 'web3.service'] },
    },
    {
      name: 'a follower listed before its leader',
      machines: three,
      units: { 'a-web.service': follower('z-db.service'), 'b.service': service, 'z-db.service': service },
      together: { m1: ['b.service'], m2: ['a-web.service', 'z-db.service'] },
    },
    {
      name: 'a chain: c follows b follows a',
      machines: three,
      units: { 'a.service': service, 'b.service': follower('a.service'), 'c.service': follower('b.service'), 'x.service': service },
      together: { m1: ['a.service', 'b.service', 'c.service'], m2: ['x.service'] },
    },
    {
      name: 'several peers all on one machine',
      machines: three,
      units: { 'db.service': service, 'cache.service': service, 'app.service': follower('db.service', 'cache.service') },
      placements: { 'db.service': 'm2', 'cache.service': 'm2' },
      together: { m2: ['app.service', 'cache.service', 'db.service'] },
    },
    {
      name: 'several peers on different machines',
      machines: three,
      units: { 'db.service': service, 'cache.service': service, 'app.service': follower('db.service', 'cache.service') },
      placements: { 'db.service': 'm1', 'cache.service': 'm2' },
      together: { m1: ['db.service'], m2: ['cache.service'] },
      unschedulable: { 'app.service': '0/3 machines available: 2 not the machine of db.service, 1 not the machine of cache.service' },
    },
    {
      name: 'an inactive peer',
      machines: three,
      units: { 'db.service': { contents: service, desiredState: 'inactive' }, 'web.service': follower('db.service') },
      together: {},
      unschedulable: { 'web.service': '0/3 machines available: 3 waiting for db.service to be placed' },
    },
    {
      name: 'a loaded (not launched) peer',
      machines: three,
      units: { 'a.service': service, 'db.service': { contents: service, desiredState: 'loaded' }, 'web.service': follower('db.service') },
      together: { m1: ['a.service'], m2: ['db.service', 'web.service'] },
    },
    {
      name: 'the legacy spelling',
      machines: three,
      units: { 'a.service': service, 'db.service': service, 'web.service': withFleet('X-ConditionMachineOf=db.service') },
      together: { m1: ['a.service'], m2: ['db.service', 'web.service'] },
    },
    {
      name: 'a peer that is not submitted',
      machines: three,
      units: { 'web.service': follower('db.service') },
      together: {},
      unschedulable: { 'web.service': '0/3 machines available: 3 MachineOf peer db.service is not submitted' },
    },
    {
      name: 'mutual MachineOf',
      machines: three,
      units: { 'a.service': follower('b.service'), 'b.service': follower('a.service'), 'c.service': service },
      together: { m1: ['c.service'] },
      unschedulable: {
        'a.service': '0/3 machines available: 3 MachineOf cycle: a.service → b.service → a.service',
        'b.service': '0/3 machines available: 3 MachineOf cycle: b.service → a.service → b.service',
      },
    },
    {
      name: 'a three-cycle',
      machines: three,
      units: { 'a.service': follower('b.service'), 'b.service': follower('c.service'), 'c.service': follower('a.service') },
      together: {},
      unschedulable: {
        'a.service': '0/3 machines available: 3 MachineOf cycle: a.service → b.service → c.service → a.service',
        'b.service': '0/3 machines available: 3 MachineOf cycle: b.service → c.service → a.service → b.service',
        'c.service': '0/3 machines available: 3 MachineOf cycle: c.service → a.service → b.service → c.service',
      },
    },
    {
      name: 'a follower of a unit on a cycle it is not on',
      machines: three,
      units: { 'a.service': follower('b.service'), 'b.service': follower('a.service'), 'd.service': follower('a.service') },
      together: {},
      unschedulable: {
        'a.service': '0/3 machines available: 3 MachineOf cycle: a.service → b.service → a.service',
        'b.service': '0/3 machines available: 3 MachineOf cycle: b.service → a.service → b.service',
        'd.service': '0/3 machines available: 3 waiting for a.service to be placed',
      },
    },
    {
      name: 'a cycle placed before it became one',
      machines: three,
      units: { 'a.service': follower('b.service'), 'b.service': follower('a.service') },
      placements: { 'a.service': 'm2', 'b.service': 'm2' },
      together: {},
      unschedulable: {
        'a.service': '0/3 machines available: 3 MachineOf cycle: a.service → b.service → a.service',
        'b.service': '0/3 machines available: 3 MachineOf cycle: b.service → a.service → b.service',
      },
    },
    {
      name: 'a global peer (fleet never placed globals; fleetd accepts them)',
      machines: ['m1', { id: 'm2', metadata: { agents: 'yes' } }, 'm3'],
      extraPlugins: [globalMarker, agentsOnly],
      units: { 'global-agent.service': service, 'a.service': service, 'b.service': service, 'web.service': follower('global-agent.service') },
      together: { m1: ['a.service'], m2: ['web.service'], m3: ['b.service'] },
    },
    {
      name: 'a global peer running nowhere',
      machines: three,
      extraPlugins: [globalMarker, agentsOnly],
      units: { 'global-agent.service': service, 'web.service': follower('global-agent.service') },
      together: {},
      unschedulable: { 'web.service': '0/3 machines available: 3 not the machine of global-agent.service' },
    },
    {
      name: 'a placed peer and a global peer: the placed one is named first',
      machines: ['m1', { id: 'm2', metadata: { agents: 'yes' } }, 'm3'],
      extraPlugins: [globalMarker, agentsOnly],
      units: { 'global-agent.service': service, 'db.service': service, 'web.service': follower('global-agent.service', 'db.service') },
      placements: { 'db.service': 'm3' },
      together: { m3: ['db.service'] },
      unschedulable: { 'web.service': '0/3 machines available: 2 not the machine of db.service, 1 not the machine of global-agent.service' },
    },
  ];

  it.each(scenarios)('$name', async ({ machines, units, placements, extraPlugins, together, unschedulable }) => {
    const cluster = await simulate({ plugins: [...(extraPlugins ?? []), ...plugins], machines, units, placements: placements ?? {} });
    expect(byMachine(cluster)).toEqual(together);
    for (const [unit, summary] of Object.entries(unschedulable ?? {})) expect(cluster.summary(unit)).toBe(summary);
  });

  // A restriction is a promise that filter rejects every machine left out for
  // the same reason: without narrowing (a throwing narrow tap drops it), every
  // machine goes through filter and the outcome and reasons must not change.
  it.each(scenarios)('$name: the same outcome and reasons without narrowing', async ({ machines, units, placements, extraPlugins }) => {
    const options = { machines, units, placements: placements ?? {} };
    const narrowed = await simulate({ plugins: [...(extraPlugins ?? []), ...plugins], ...options });
    const filtered = await simulate({ plugins: [noNarrowing, ...(extraPlugins ?? []), ...plugins], ...options });
    expect(filtered.placements()).toEqual(narrowed.placements());
    for (const unit of Object.keys(units)) {
      expect(filtered.reasons(unit).map(({ machine, message }) => ({ machine, message }))).toEqual(
        narrowed.reasons(unit).map(({ machine, message }) => ({ machine, message })),
      );
    }
  });

  it('places a follower listed before its leader in the same round', async () => {
    const cluster = await createTestCluster({
      plugins,
      machines: ['m1', 'm2', 'm3'],
      units: { 'a-web.service': follower('z-db.service'), 'z-db.service': service },
    });
    const round = await cluster.schedule();
    expect(cluster.placements()).toEqual({ 'a-web.service': 'm1', 'z-db.service': 'm1' });
    expect(round.unschedulable).toEqual([]);
    // Pass 1 places the leader (the follower waits), pass 2 the follower, pass 3 changes nothing.
    expect(round.stats.passes).toBe(3);
  });
});

describe('followers move with their leader', () => {
  const zoned = (id: string, zoneName: string): TestMachine => ({ id, metadata: { zone: zoneName } });
  const db = withFleet('Zone=a');
  const web = follower('db.service');

  it.each([
    {
      name: "the leader's machine is removed",
      placements: { 'db.service': 'm1', 'web.service': 'm1' },
      change: (cluster: TestCluster) => cluster.removeMachine('m1'),
      revocations: [
        { unit: 'db.service', machine: 'm1', plugin: undefined, reason: 'machine m1 is gone' },
        { unit: 'web.service', machine: 'm1', plugin: undefined, reason: 'machine m1 is gone' },
      ],
    },
    {
      name: 'the leader is revoked by a metadata change, leader re-checked first',
      placements: { 'db.service': 'm1', 'web.service': 'm1' },
      change: (cluster: TestCluster) => cluster.setMetadata('m1', { zone: 'b' }),
      revocations: [
        { unit: 'db.service', machine: 'm1', plugin: 'zone', reason: 'zone a not matched' },
        { unit: 'web.service', machine: 'm1', plugin: 'machine-of', reason: 'waiting for db.service to be placed' },
      ],
    },
    {
      name: 'the leader is revoked by a metadata change, follower re-checked first',
      placements: { 'web.service': 'm1', 'db.service': 'm1' },
      change: (cluster: TestCluster) => cluster.setMetadata('m1', { zone: 'b' }),
      revocations: [
        { unit: 'db.service', machine: 'm1', plugin: 'zone', reason: 'zone a not matched' },
        { unit: 'web.service', machine: 'm1', plugin: 'machine-of', reason: 'not the machine of db.service' },
      ],
    },
  ])('$name: both move together in one round', async ({ placements, change, revocations }) => {
    const cluster = await createTestCluster({
      plugins: [zone, ...plugins],
      machines: [zoned('m1', 'a'), zoned('m2', 'b'), zoned('m3', 'a'), zoned('m4', 'a')],
      units: { 'db.service': db, 'web.service': web, 'other.service': service },
      placements: { ...placements, 'other.service': 'm3' },
    });
    change(cluster);
    const round = await cluster.schedule();
    expect(cluster.placements()).toEqual({ 'db.service': 'm4', 'web.service': 'm4', 'other.service': 'm3' });
    expect([...round.revocations].sort((a, b) => (a.unit < b.unit ? -1 : 1))).toEqual(revocations);
    expect(
      round.placements.map(({ unit, machine, previousMachine }) => ({ unit, machine, previousMachine })).sort((a, b) => (a.unit < b.unit ? -1 : 1)),
    ).toEqual([
      { unit: 'db.service', machine: 'm4', previousMachine: 'm1' },
      { unit: 'web.service', machine: 'm4', previousMachine: 'm1' },
    ]);
    expect(round.unschedulable).toEqual([]);
  });

  it.each([
    {
      name: 'the leader is destroyed',
      change: (cluster: TestCluster) => cluster.destroy('db.service'),
      reason: 'MachineOf peer db.service is not submitted',
    },
    {
      name: 'the leader is unloaded',
      change: (cluster: TestCluster) => cluster.setDesiredState('db.service', 'inactive'),
      reason: 'waiting for db.service to be placed',
    },
  ])('$name: the follower is revoked and unschedulable', async ({ change, reason }) => {
    const cluster = await createTestCluster({
      plugins,
      machines: ['m1', 'm2', 'm3'],
      units: { 'db.service': service, 'web.service': web },
      placements: { 'db.service': 'm1', 'web.service': 'm1' },
    });
    change(cluster);
    const round = await cluster.schedule();
    expect(round.revocations.find((revocation) => revocation.unit === 'web.service')).toEqual({
      unit: 'web.service',
      machine: 'm1',
      plugin: 'machine-of',
      reason,
    });
    expect(cluster.placementOf('web.service')).toBeUndefined();
    expect(cluster.summary('web.service')).toBe(`0/3 machines available: 3 ${reason}`);
  });

  it('the follower comes back once the leader is submitted again', async () => {
    const cluster = await simulate({ plugins, machines: ['m1', 'm2'], units: { 'web.service': web, 'x.service': service } });
    expect(cluster.summary('web.service')).toBe('0/2 machines available: 2 MachineOf peer db.service is not submitted');
    cluster.submit('db.service', service);
    await cluster.schedule();
    expect(cluster.placements()).toEqual({ 'db.service': 'm2', 'web.service': 'm2', 'x.service': 'm1' });
  });
});

describe('cost', () => {
  const machines = Array.from({ length: 1000 }, (_, i) => `m${String(i).padStart(4, '0')}`);

  it.each([
    // Placing web.service evaluates the one machine narrowing leaves, however
    // many machines there are. Re-checks: db.service in pass 1, both placements
    // in pass 2 (pass 1 changed something), then nothing changes: 3.
    { name: 'narrowed to the leader’s machine', extra: [], evaluations: 1, revalidations: 3 },
    // The same round with narrowing dropped: the follower is filtered on all 1,000 machines.
    { name: 'without narrowing (for comparison)', extra: [noNarrowing], evaluations: 1000, revalidations: 3 },
  ])('placing a follower in a 1,000-machine cluster: $name', async ({ extra, evaluations, revalidations }) => {
    const cluster = await createTestCluster({
      plugins: [...extra, ...plugins],
      machines,
      units: { 'db.service': service, 'web.service': follower('db.service') },
      placements: { 'db.service': 'm0500' },
    });
    const round = await cluster.schedule();
    expect(cluster.placementOf('web.service')).toBe('m0500');
    expect(round.stats.evaluations).toBe(evaluations);
    expect(round.stats.revalidations).toBe(revalidations);
  });
});

describe('machineOfCycle', () => {
  const lookup = (graph: Record<string, readonly string[]>) => ({
    unit: (name: string) => {
      const peers = graph[name];
      if (peers === undefined) return undefined;
      return { requirements: peers.length > 0 ? { 'machine-of': peers } : {} };
    },
  });
  const unit = (name: string, graph: Record<string, readonly string[]>) => ({ name, requirements: { 'machine-of': graph[name] ?? [] } });

  it.each([
    { name: 'no cycle', graph: { 'a.service': ['b.service'], 'b.service': [] }, cycle: undefined },
    { name: 'a self-reference', graph: { 'a.service': ['a.service'] }, cycle: ['a.service', 'a.service'] },
    { name: 'mutual', graph: { 'a.service': ['b.service'], 'b.service': ['a.service'] }, cycle: ['a.service', 'b.service', 'a.service'] },
    {
      name: 'the shortest of two cycles',
      graph: { 'a.service': ['b.service', 'c.service'], 'b.service': ['d.service'], 'd.service': ['a.service'], 'c.service': ['a.service'] },
      cycle: ['a.service', 'c.service', 'a.service'],
    },
    { name: 'a cycle the unit is not on', graph: { 'a.service': ['b.service'], 'b.service': ['c.service'], 'c.service': ['b.service'] }, cycle: undefined },
    { name: 'a peer that is not submitted', graph: { 'a.service': ['ghost.service'] }, cycle: undefined },
  ])('$name', ({ graph, cycle }) => {
    expect(machineOfCycle(unit('a.service', graph), lookup(graph))).toEqual(cycle);
  });

  it.each([
    { name: 'a ring of 1,000 units is found', size: 1000, cycleLength: 1001 },
    { name: 'a ring longer than the search stops without a cycle', size: 5000, cycleLength: undefined },
  ])('is bounded: $name', ({ size, cycleLength }) => {
    const graph: Record<string, readonly string[]> = {};
    for (let i = 0; i < size; i++) graph[`u${i}.service`] = [`u${(i + 1) % size}.service`];
    expect(machineOfCycle(unit('u0.service', graph), lookup(graph))?.length).toBe(cycleLength);
  });

  it('formats as one phrase', () => {
    expect(machineOfReasons.cycle(['a.service', 'b.service', 'a.service'])).toBe('MachineOf cycle: a.service → b.service → a.service');
  });
});

describe('properties', () => {
  const names = ['a.service', 'b.service', 'c.service', 'd.service', 'e.service', 'f.service'];
  const states: DesiredState[] = ['launched', 'launched', 'loaded', 'inactive'];
  const clusterArb = fc.record({
    machineCount: fc.integer({ min: 1, max: 5 }),
    units: fc.array(
      fc.record({
        peers: fc.subarray([...names, 'ghost.service'], { maxLength: 2 }),
        state: fc.constantFrom(...states),
        placedOn: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
      }),
      { minLength: names.length, maxLength: names.length },
    ),
  });

  type ClusterInput = typeof clusterArb extends fc.Arbitrary<infer T> ? T : never;

  async function build(input: ClusterInput, extra: readonly PluginEntry[] = []): Promise<TestCluster> {
    const machines = Array.from({ length: input.machineCount }, (_, i) => `m${i + 1}`);
    const units: Record<string, TestUnit> = {};
    const placements: Record<string, string> = {};
    input.units.forEach((unit, i) => {
      const name = names[i] as string;
      const peers = unit.peers.filter((peer) => peer !== name);
      units[name] = { contents: peers.length === 0 ? service : follower(...peers), desiredState: unit.state };
      if (unit.placedOn !== undefined) placements[name] = `m${unit.placedOn}`;
    });
    return createTestCluster({ plugins: [...extra, ...plugins], machines, units, placements });
  }

  it('every placed follower shares its machine with each peer, and no unit on a cycle is placed', async () => {
    await fc.assert(
      fc.asyncProperty(clusterArb, async (input) => {
        const cluster = await build(input);
        await cluster.settle();
        for (const [unit, machine] of Object.entries(cluster.placements())) {
          const resolved = cluster.state.unit(unit);
          for (const peer of resolved?.requirements['machine-of'] ?? []) {
            expect(cluster.placementOf(peer)).toBe(machine);
            expect(cluster.unitsOn(machine)).toContain(peer);
          }
          expect(resolved && machineOfCycle(resolved, cluster.state)).toBeUndefined();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('narrowing never changes the outcome or a reason', async () => {
    await fc.assert(
      fc.asyncProperty(clusterArb, async (input) => {
        const narrowed = await build(input);
        const filtered = await build(input, [noNarrowing]);
        await narrowed.settle();
        await filtered.settle();
        expect(filtered.placements()).toEqual(narrowed.placements());
        for (const name of names) expect(filtered.summary(name)).toBe(narrowed.summary(name));
      }),
      { numRuns: 100 },
    );
  });

  it('in a forest of single-peer chains every unit is placed with its root, also after its machine is removed', async () => {
    // Unit i follows some unit before it in creation order, or nobody: no cycles, every peer active.
    const forestArb = fc.record({
      parents: fc.tuple(...names.map((_, i) => fc.option(fc.integer({ min: 0, max: Math.max(0, i - 1) }), { nil: undefined }))),
      order: fc.shuffledSubarray(names, { minLength: names.length, maxLength: names.length }),
      removed: fc.integer({ min: 1, max: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(forestArb, async ({ parents, order, removed }) => {
        // `order` renames the units, so followers are as often listed before their leader as after.
        const units: Record<string, string> = {};
        const rootOf = (i: number): number => (i === 0 || parents[i] === undefined ? i : rootOf(parents[i]));
        names.forEach((_, i) => {
          const parent = i === 0 ? undefined : parents[i];
          units[order[i] as string] = parent === undefined ? service : follower(order[parent] as string);
        });
        const cluster = await simulate({ plugins, machines: ['m1', 'm2', 'm3', 'm4'], units });
        const check = () =>
          names.forEach((_, i) => {
            expect(cluster.placementOf(order[i] as string)).toBeDefined();
            expect(cluster.placementOf(order[i] as string)).toBe(cluster.placementOf(order[rootOf(i)] as string));
          });
        check();
        cluster.removeMachine(`m${removed}`);
        await cluster.settle();
        check();
      }),
      { numRuns: 100 },
    );
  });
});

describe('the unit itself', () => {
  it('is ignored while its own placement is re-checked, and a self-reference that skipped validation is a cycle', async () => {
    const round = await (
      await createTestCluster({ plugins, machines: ['m1', 'm2'], stored: { 'a.service': follower('a.service') }, placements: { 'a.service': 'm1' } })
    ).schedule();
    expect(round.revocations).toEqual([{ unit: 'a.service', machine: 'm1', plugin: 'machine-of', reason: 'MachineOf cycle: a.service → a.service' }]);
    expect(round.unschedulable.map(({ unit, summary }) => ({ unit, summary }))).toEqual([
      { unit: 'a.service', summary: '0/2 machines available: 2 MachineOf cycle: a.service → a.service' },
    ]);
  });

  it('explains a follower with the same reasons as scheduling gave', async () => {
    const cluster = await simulate({
      plugins,
      machines: ['m1', 'm2', 'm3'],
      units: { 'db.service': service, 'cache.service': service, 'app.service': follower('db.service', 'cache.service') },
      placements: { 'db.service': 'm1', 'cache.service': 'm2' },
    });
    const explanation = cluster.explain('app.service');
    expect(explanation.bestMachine).toBeUndefined();
    expect(explanation.summary).toBe(cluster.summary('app.service'));
  });
});
