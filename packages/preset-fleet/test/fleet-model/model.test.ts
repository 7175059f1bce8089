// The reference model against fleet's own tests: its engine and agent unit
// tests (engine/reconciler_test.go, scheduler_test.go, state_test.go,
// agent/state_test.go) and the outcome of its functional TestScheduleReplace.
import { describe, expect, it } from 'vitest';
import { parseMultivalueLine, requiredTargetMetadata, requirementWarning, submitRefusal } from './job.js';
import type { FleetOption, FleetUnit } from './job.js';
import { AgentState, agents, calculateClusterTasks, createRegistry, matchId, newClusterState, runToFixedPoint } from './model.js';
import type { FleetMachine, Registry } from './model.js';
import { pathMatch } from './path-match.js';

const unit = (name: string, xFleet: Record<string, string> | FleetOption[] = {}, targetState: FleetUnit['targetState'] = 'launched'): FleetUnit => ({
  name,
  xFleet: Array.isArray(xFleet) ? xFleet : Object.entries(xFleet).map(([key, value]) => ({ name: key, value })),
  targetState,
});
const machine = (id: string, metadata: Record<string, string> = {}): FleetMachine => ({ id, metadata });

function registryWith(machines: FleetMachine[], units: FleetUnit[], targets: Record<string, string> = {}): Registry {
  const registry = createRegistry(machines, units);
  for (const [name, machineId] of Object.entries(targets)) registry.targets.set(name, machineId);
  return registry;
}

const tasksOf = (registry: Registry) =>
  calculateClusterTasks(newClusterState(registry)).map(({ type, unit: u, machineId, reason }) => ({ type, unit: u, machineId, reason }));

describe('engine/reconciler_test.go TestCalculateClusterTasks', () => {
  it.each([
    { name: 'no work to do', machines: [], units: [], targets: {}, tasks: [] },
    {
      name: 'scheduled on a machine that exists: nothing',
      machines: [machine('XXX')],
      units: [unit('foo.service')],
      targets: { 'foo.service': 'XXX' },
      tasks: [],
    },
    {
      name: "reschedule if the job's target machine is gone",
      machines: [machine('XXX')],
      units: [unit('foo.service')],
      targets: { 'foo.service': 'ZZZ' },
      tasks: [
        { type: 'UnscheduleUnit', unit: 'foo.service', machineId: 'ZZZ', reason: 'target Machine(ZZZ) went away' },
        { type: 'AttemptScheduleUnit', unit: 'foo.service', machineId: 'XXX', reason: 'target state launched and unit not scheduled' },
      ],
    },
    {
      name: 'unschedule if the target state is inactive',
      machines: [machine('XXX')],
      units: [unit('foo.service', {}, 'inactive')],
      targets: { 'foo.service': 'XXX' },
      tasks: [{ type: 'UnscheduleUnit', unit: 'foo.service', machineId: 'XXX', reason: 'target state inactive' }],
    },
    {
      name: 'schedule a job if a machine exists',
      machines: [machine('XXX')],
      units: [unit('foo.service')],
      targets: {},
      tasks: [{ type: 'AttemptScheduleUnit', unit: 'foo.service', machineId: 'XXX', reason: 'target state launched and unit not scheduled' }],
    },
  ])('$name', ({ machines, units, targets, tasks }) => {
    expect(tasksOf(registryWith(machines, units, targets))).toEqual(tasks);
  });
});

describe('engine/scheduler_test.go', () => {
  it('TestSchedulerDecisions: no machine, no decision; several, the first by ID', () => {
    expect(tasksOf(registryWith([], [unit('foo.service')]))).toEqual([]);
    expect(tasksOf(registryWith([machine('YYY'), machine('XXX')], [unit('foo.service')]))[0]?.machineId).toBe('XXX');
  });

  it('TestAgentStateSorting: fewest units first, then by machine ID', () => {
    const registry = registryWith(
      [machine('B'), machine('A'), machine('C')],
      [unit('1.service'), unit('2.service'), unit('3.service'), unit('4.service'), unit('5.service'), unit('new.service')],
      { '1.service': 'A', '2.service': 'A', '3.service': 'B', '4.service': 'C', '5.service': 'C' },
    );
    expect(tasksOf(registry)).toEqual([expect.objectContaining({ unit: 'new.service', machineId: 'B' })]);
  });
});

describe('engine/state_test.go TestClusterStateAgents', () => {
  const unitsOn = (registry: Registry) =>
    Object.fromEntries([...agents(newClusterState(registry))].map(([id, agent]) => [id, agent.unitsInNameOrder().map((u) => u.name)]));

  it('a job on a machine that does not exist is ignored; an agent exists without jobs', () => {
    expect(unitsOn(registryWith([machine('XXX')], [unit('foo.service')], { 'foo.service': 'YYY' }))).toEqual({ XXX: [] });
  });

  it('only inactive jobs are ignored', () => {
    const registry = registryWith([machine('XXX')], [unit('foo.service', {}, 'inactive'), unit('bar.service', {}, 'loaded'), unit('baz.service')], {
      'foo.service': 'XXX',
      'bar.service': 'XXX',
      'baz.service': 'XXX',
    });
    expect(unitsOn(registry)).toEqual({ XXX: ['bar.service', 'baz.service'] });
  });

  it('global units go to every machine with their metadata, whatever their target state', () => {
    const registry = registryWith(
      [machine('XXX', { region: 'us' }), machine('YYY', { region: 'eu' })],
      [unit('g1.service', { Global: 'true' }), unit('g2.service', { Global: 'true', MachineMetadata: 'region=us' }, 'inactive')],
    );
    expect(unitsOn(registry)).toEqual({ XXX: ['g1.service', 'g2.service'], YYY: ['g1.service'] });
  });
});

describe('agent/state_test.go', () => {
  const agentWith = (...units: FleetUnit[]) => {
    const agent = new AgentState(machine('XXX'));
    for (const u of units) agent.units.set(u.name, u);
    return agent;
  };

  it.each([
    { name: 'empty state: no replace', here: [], replaces: ['bar.service'], found: undefined },
    {
      name: 'a unit here replaces the new one: that unit is returned',
      here: [unit('bar.service', { Replaces: 'foo.service' })],
      replaces: [],
      found: 'bar.service',
    },
    { name: 'the new unit replaces one here', here: [unit('bar.service')], replaces: ['bar.service'], found: 'bar.service' },
    { name: 'both replace each other: ignored', here: [unit('bar.service', { Replaces: 'foo.service' })], replaces: ['bar.service'], found: undefined },
  ])('TestHasReplaces: $name', ({ here, replaces, found }) => {
    expect(agentWith(...here).hasReplace('foo.service', replaces)).toBe(found);
  });

  it.each([
    { name: 'empty state: no conflict', here: [], conflicts: ['bar.service'], found: undefined },
    { name: 'a unit here conflicts with the new one', here: [unit('bar.service', { Conflicts: 'foo.service' })], conflicts: [], found: 'foo.service' },
    { name: 'the new unit conflicts with one here', here: [unit('bar.service')], conflicts: ['bar.service'], found: 'bar.service' },
    { name: 'one of several globs on one line', here: [unit('bar.service', { Conflicts: 'baz.service foo.service' })], conflicts: [], found: 'foo.service' },
    {
      name: 'one of several globs over several lines',
      here: [
        unit('bar.service', [
          { name: 'Conflicts', value: 'baz.service' },
          { name: 'Conflicts', value: 'foo.service' },
        ]),
      ],
      conflicts: [],
      found: 'foo.service',
    },
  ])('TestHasConflicts: $name', ({ here, conflicts, found }) => {
    expect(agentWith(...here).hasConflict('foo.service', conflicts)).toBe(found);
  });

  it.each([
    { pattern: '*', name: 'foo.service', matches: true },
    { pattern: 'foo.*', name: 'foo.socket', matches: true },
    { pattern: 'foo@*.service', name: 'foo@12.service', matches: true },
    { pattern: 'foo@[abc].service', name: 'foo@a.service', matches: true },
    { pattern: 'foo@?.service', name: 'foo@1.service', matches: true },
    { pattern: 'foo.service', name: 'bar.service', matches: false },
    { pattern: 'foo@[abc].service', name: 'foo@d.service', matches: false },
    // Beyond fleet's table: negated classes, ranges, escapes, ']' first in a class.
    { pattern: '[^w]*-3.service', name: 'db-3.service', matches: true },
    { pattern: '[^w]*-3.service', name: 'web-3.service', matches: false },
    { pattern: 'api-[0-2].service', name: 'api-2.service', matches: true },
    { pattern: 'cache\\-4.service', name: 'cache-4.service', matches: true },
    { pattern: '[]a]x', name: ']x', matches: true },
    { pattern: '*', name: 'a/b', matches: false },
  ])('TestGlobMatches: $pattern against $name is $matches', ({ pattern, name, matches }) => {
    expect(pathMatch(pattern, name)).toBe(matches);
  });
});

describe('how fleet reads options (job/job.go, unit/unit.go, machine/)', () => {
  it.each([
    { line: '"foo=bar" "baz=qux"', values: ['foo=bar', 'baz=qux'] },
    { line: 'foo=bar baz=qux', values: ['foo=bar baz=qux'] },
    { line: '"foo=bar"  "baz=qux"', values: ['foo=bar', '', 'baz=qux'] },
    { line: '"a b" "c"', values: ['a b', 'c'] },
  ])('parseMultivalueLine($line)', ({ line, values }) => {
    expect(parseMultivalueLine(line)).toEqual(values);
  });

  it('RequiredTargetMetadata keeps only values with exactly one "=" and both sides non-empty', () => {
    const metadata = requiredTargetMetadata(
      unit('a.service', [
        { name: 'MachineMetadata', value: '"region=us" "region=eu"' },
        { name: 'X-ConditionMachineMetadata', value: 'disk=ssd' },
        { name: 'MachineMetadata', value: 'a=b=c' },
        { name: 'MachineMetadata', value: 'region=ap disk=hdd' },
        { name: 'MachineMetadata', value: 'empty=' },
      ]),
    );
    expect(Object.fromEntries([...metadata].map(([key, values]) => [key, [...values]]))).toEqual({ disk: ['ssd'], region: ['us', 'eu'] });
  });

  it('MatchID: the full ID or the first eight characters, nothing shorter', () => {
    const m = machine('0123456789abcdef');
    expect([matchId(m, '0123456789abcdef'), matchId(m, '01234567'), matchId(m, '0123'), matchId(m, '012345678')]).toEqual([true, true, false, false]);
  });

  it('ValidateRequirements: fleetctl warns about an unknown key, and submits the unit anyway', () => {
    expect(requirementWarning(unit('web.service', { Zone: 'a' }))).toBe('unrecognized requirement in [X-Fleet] section: "Zone"');
    expect(requirementWarning(unit('web.service', { 'X-ConditionMachineBootID': 'a' }))).toBeUndefined();
  });

  it.each([
    { name: 'MachineID with MachineOf', xFleet: { MachineID: 'm1', MachineOf: 'db.service' }, refusal: 'MachineID cannot be used with Peers' },
    { name: 'legacy MachineBootID with Global', xFleet: { 'X-ConditionMachineBootID': 'm1', Global: 'yes' }, refusal: 'MachineID cannot be used with Global' },
    { name: 'Global with MachineOf', xFleet: { Global: 'true', MachineOf: 'db.service' }, refusal: 'Global cannot be used with Peers' },
    { name: 'Global with Replaces', xFleet: { Global: 'true', Replaces: 'db.service' }, refusal: 'Global cannot be used with Replaces' },
    { name: 'Conflicts with Replaces', xFleet: { Conflicts: 'x*', Replaces: 'db.service' }, refusal: 'Conflicts cannot be used with Replaces' },
    {
      name: 'a peer matching its own Conflicts',
      xFleet: { MachineOf: 'db.service', Conflicts: 'db*' },
      refusal: 'unresolvable requirements: peer "db.service" matches conflict "db*"',
    },
    { name: 'an unknown key (fleetctl only warns)', xFleet: { Zone: 'a' }, refusal: undefined },
    { name: 'Global=false with MachineID', xFleet: { Global: 'false', MachineID: 'm1' }, refusal: undefined },
    { name: 'Global with Conflicts and metadata', xFleet: { Global: 'true', Conflicts: 'x*', MachineMetadata: 'a=b' }, refusal: undefined },
  ])('submitRefusal: $name', ({ xFleet, refusal }) => {
    expect(submitRefusal(unit('web.service', xFleet), pathMatch)).toBe(refusal);
  });
});

describe('fleet functional/scheduling_test.go', () => {
  it('TestScheduleReplace: the replacing unit takes the least-loaded machine, where replace.0 runs, which then moves', () => {
    // replace.0 on m0; replace.1 and replace.2 (MachineOf replace.1) on m1; then replace-kick0 (Replaces=replace.0).
    const registry = registryWith(
      [machine('m0'), machine('m1')],
      [unit('replace.0.service'), unit('replace.1.service'), unit('replace.2.service', { MachineOf: 'replace.1.service' })],
      { 'replace.0.service': 'm0', 'replace.1.service': 'm1', 'replace.2.service': 'm1' },
    );
    registry.units.set('replace-kick0.service', unit('replace-kick0.service', { Replaces: 'replace.0.service' }));
    const end = runToFixedPoint(registry);
    expect(end).toMatchObject({ settled: true, placements: { 'replace-kick0.service': 'm0', 'replace.0.service': 'm1' } });
  });

  it('TestScheduleCircularReplace: a mutual pair is ignored, so both run', () => {
    const registry = registryWith(
      [machine('m0'), machine('m1')],
      [unit('replace.0.service', { Replaces: 'replace-kick0.service' }), unit('replace-kick0.service', { Replaces: 'replace.0.service' })],
    );
    expect(runToFixedPoint(registry)).toMatchObject({ settled: true, placements: { 'replace-kick0.service': 'm0', 'replace.0.service': 'm1' } });
  });
});
