// fleet's scheduling scenarios (its functional tests), on a simulated cluster
// running every first-party plugin.
import { describe, expect, it } from 'vitest';
import { createTestCluster, simulate } from '@fleetd/core/testing';
import type { TestClusterOptions } from '@fleetd/core/testing';
import { fleetPreset } from '../src/index.js';

const unit = (xfleet = '') => `[Unit]\nDescription=test\n\n[Service]\nExecStart=/bin/sleep infinity\n${xfleet ? `\n[X-Fleet]\n${xfleet}\n` : ''}`;
const fleet = (options: Omit<TestClusterOptions, 'plugins'>) => simulate({ plugins: fleetPreset(), ...options });
const three = ['m1', 'm2', 'm3'];

describe('fleet scheduling scenarios', () => {
  it('three MachineOf pairs land pairwise together', async () => {
    const cluster = await fleet({
      machines: three,
      units: {
        'ping.0.service': unit(),
        'ping.1.service': unit(),
        'ping.2.service': unit(),
        'pong.0.service': unit('MachineOf=ping.0.service'),
        'pong.1.service': unit('MachineOf=ping.1.service'),
        'pong.2.service': unit('MachineOf=ping.2.service'),
      },
    });
    for (const i of [0, 1, 2]) expect(cluster.placementOf(`pong.${i}.service`)).toBe(cluster.placementOf(`ping.${i}.service`));
    expect(new Set([0, 1, 2].map((i) => cluster.placementOf(`ping.${i}.service`))).size).toBe(3);
  });

  it('5 mutually conflicting units on 3 machines: 3 placed, 2 unschedulable with reasons', async () => {
    const units = Object.fromEntries([0, 1, 2, 3, 4].map((i) => [`conflict.${i}.service`, unit('Conflicts=conflict*')]));
    const cluster = await fleet({ machines: three, units });
    expect(Object.keys(cluster.placements())).toEqual(['conflict.0.service', 'conflict.1.service', 'conflict.2.service']);
    expect(cluster.summary('conflict.3.service')).toBe(
      '0/3 machines available: 1 conflict with conflict.0.service, 1 conflict with conflict.1.service, 1 conflict with conflict.2.service',
    );
    expect(cluster.reasons('conflict.4.service').map((reason) => [reason.machine, reason.plugin])).toEqual([
      ['m1', 'conflicts'],
      ['m2', 'conflicts'],
      ['m3', 'conflicts'],
    ]);
  });

  it('one-way conflict: only one is placed, and destroying it lets the other in', async () => {
    const cluster = await fleet({ machines: ['m1'], units: { 'a.service': unit('Conflicts=b.service'), 'b.service': unit() } });
    expect(cluster.placements()).toEqual({ 'a.service': 'm1' });
    expect(cluster.summary('b.service')).toBe('0/1 machines available: 1 conflict with a.service');
    cluster.destroy('a.service');
    await cluster.settle();
    expect(cluster.placements()).toEqual({ 'b.service': 'm1' });
  });

  it('several conflict globs on one line', async () => {
    const cluster = await fleet({
      machines: ['m1', 'm2'],
      units: { 'db.service': unit(), 'cache.service': unit(), 'web.service': unit('Conflicts=db* cache.service') },
    });
    expect(cluster.placements()).toEqual({ 'cache.service': 'm1', 'db.service': 'm2' });
    expect(cluster.summary('web.service')).toBe('0/2 machines available: 1 conflict with cache.service, 1 conflict with db.service');
  });

  it('Replaces: the new unit runs on another machine while one is free, and the old one keeps running', async () => {
    const cluster = await fleet({ machines: ['m1', 'm2'], units: { 'old.service': unit() } });
    expect(cluster.placementOf('old.service')).toBe('m1');
    cluster.submit('new.service', unit('Replaces=old.service'));
    const round = await cluster.schedule();
    expect(cluster.placements()).toEqual({ 'new.service': 'm2', 'old.service': 'm1' });
    expect(round.revocations).toEqual([]);
  });

  it('Replaces: the old unit moves when its machine is the only one the new unit can use', async () => {
    const cluster = await fleet({ machines: [{ id: 'm1', metadata: { region: 'us' } }, 'm2'], units: { 'old.service': unit() } });
    cluster.submit('new.service', unit('Replaces=old.service\nMachineMetadata=region=us'));
    const round = await cluster.schedule();
    expect(cluster.placements()).toEqual({ 'new.service': 'm1', 'old.service': 'm2' });
    expect(round.revocations).toEqual([{ unit: 'old.service', machine: 'm1', plugin: 'replaces', reason: 'replaced by new.service' }]);
    expect(round.placements.map(({ unit: name, machine, previousMachine }) => [name, machine, previousMachine])).toEqual([
      ['new.service', 'm1', undefined],
      ['old.service', 'm2', 'm1'],
    ]);
  });

  it('circular Replaces across three units on three machines: all three run, apart', async () => {
    const cluster = await fleet({
      machines: three,
      units: { 'a.service': unit('Replaces=b.service'), 'b.service': unit('Replaces=c.service'), 'c.service': unit('Replaces=a.service') },
    });
    expect(cluster.placements()).toEqual({ 'a.service': 'm1', 'b.service': 'm2', 'c.service': 'm3' });
  });

  it('mutual Replaces: both run, as fleet ignores such a pair', async () => {
    const cluster = await fleet({ machines: three, units: { 'a.service': unit('Replaces=b.service'), 'b.service': unit('Replaces=a.service') } });
    expect(cluster.placements()).toEqual({ 'a.service': 'm1', 'b.service': 'm2' });
  });

  it('MachineID pins a unit to its machine, by full or short ID', async () => {
    const machines = ['0123456789abcdef0123456789abcdef', 'fedcba9876543210fedcba9876543210', '1111111111111111aaaaaaaaaaaaaaaa'];
    const cluster = await fleet({
      machines,
      units: { 'full.service': unit(`MachineID=${machines[1]}`), 'short.service': unit('MachineID=11111111'), 'free.service': unit() },
    });
    expect(cluster.placementOf('full.service')).toBe(machines[1]);
    expect(cluster.placementOf('short.service')).toBe(machines[2]);
  });

  it('2 normal and 1 global unit on 3 machines: 5 running', async () => {
    const cluster = await fleet({ machines: three, units: { 'a.service': unit(), 'b.service': unit(), 'g.service': unit('Global=true') } });
    expect(cluster.globalMachines('g.service')).toEqual(three);
    expect(cluster.runningCount()).toBe(5);
  });

  it('two conflicting global units: only the first by name runs', async () => {
    const cluster = await fleet({
      machines: three,
      units: { 'global-b.service': unit('Global=true\nConflicts=global-a.service'), 'global-a.service': unit('Global=true') },
    });
    expect(cluster.globalMachines('global-a.service')).toEqual(three);
    expect(cluster.globalMachines('global-b.service')).toEqual([]);
    const decision = cluster.rounds.at(-1)?.globals.find((g) => g.unit === 'global-b.service');
    expect(decision?.rejections.map((r) => r.message)).toEqual(Array(3).fill('conflict with global-a.service'));
  });

  it('a template with MachineMetadata=hostname=%i places each instance on its host', async () => {
    const cluster = await createTestCluster({
      plugins: fleetPreset(),
      machines: ['alpha', 'beta', 'gamma'].map((hostname) => ({ id: `m-${hostname}`, metadata: { hostname } })),
    });
    cluster.submit('hello@.service', unit('MachineMetadata=hostname=%i'), 'inactive');
    for (const host of ['alpha', 'beta', 'gamma', 'delta']) cluster.submitInstance(`hello@${host}.service`);
    await cluster.settle();
    expect(cluster.placements()).toEqual({ 'hello@alpha.service': 'm-alpha', 'hello@beta.service': 'm-beta', 'hello@gamma.service': 'm-gamma' });
    expect(cluster.unschedulable('hello@delta.service')?.rejections.map((r) => r.plugin)).toEqual(['metadata', 'metadata', 'metadata']);
  });
});

/** Issue 16, items 9–11, and the cases where fleet never settles: every fleet plugin, to a fixed point. */
describe('Replaces, compared with fleet (issue 16)', () => {
  const us = { id: 'm1', metadata: { region: 'us' } };
  it.each([
    {
      name: 'item 9: a replacer that cannot run on the replaced unit’s machine runs where it can, and both run',
      machines: [us, 'm2'],
      units: { 'a-old.service': unit('MachineID=m2'), 'b-new.service': unit('Replaces=a-old.service\nMachineMetadata=region=us') },
      expected: { 'a-old.service': 'm2', 'b-new.service': 'm1' },
    },
    {
      name: 'item 10: a pinned unit replaced by an unconstrained one keeps its machine, the replacer runs on the other',
      machines: ['m1', 'm2'],
      units: { 'a-old.service': unit('MachineID=m1'), 'a-filler.service': unit('MachineID=m2'), 'b-new.service': unit('Replaces=a-old.service') },
      expected: { 'a-filler.service': 'm2', 'a-old.service': 'm1', 'b-new.service': 'm2' },
    },
    {
      name: 'item 10: a replaced unit that can only run where its replacer would go runs there, the replacer on another machine',
      machines: [us, 'm2', 'm3'],
      units: { 'new.service': unit('Replaces=old.service'), 'old.service': unit('MachineMetadata=region=us') },
      expected: { 'new.service': 'm2', 'old.service': 'm1' },
    },
    {
      name: 'item 11: a Replaces cycle through globs runs every unit apart when machines allow',
      machines: three,
      units: Object.fromEntries(['x1', 'x2', 'x3', 'x4', 'x5', 'x6'].map((x, i, all) => [`${x}.service`, unit(`Replaces=${all[(i + 1) % all.length]}*`)])),
      expected: { 'x1.service': 'm1', 'x2.service': 'm2', 'x3.service': 'm3', 'x4.service': 'm1', 'x5.service': 'm2', 'x6.service': 'm3' },
    },
    {
      name: 'a mutual pair shares a single machine',
      machines: ['m1'],
      units: { 'a.service': unit('Replaces=b.service'), 'b.service': unit('Replaces=a.service') },
      expected: { 'a.service': 'm1', 'b.service': 'm1' },
    },
    {
      name: 'two replacers of one unit on two machines share one, and all three run',
      machines: ['m1', 'm2'],
      units: { 'a.service': unit('Replaces=z.service'), 'b.service': unit('Replaces=z.service'), 'z.service': unit() },
      expected: { 'a.service': 'm2', 'b.service': 'm2', 'z.service': 'm1' },
    },
    {
      name: 'a replaced unit with its own constraints, on the only machine its replacer can use: it waits, and fleetd settles (fleet moves it off and back every round)',
      machines: [us, 'm2'],
      units: { 'new.service': unit('Replaces=old.service\nMachineMetadata=region=us'), 'old.service': unit('MachineMetadata=region=us') },
      expected: { 'new.service': 'm1' },
      summaries: { 'old.service': '0/2 machines available: 1 replaced by new.service, 1 metadata region=us not matched' },
    },
    {
      name: 'a replacer whose MachineOf chain leads to the unit it replaces never runs (it would push a unit whose move leads back to it), and fleetd settles (fleet moves the replaced unit every round)',
      machines: ['m1', 'm2'],
      units: {
        'web-1.service': unit(),
        'web-2.service': unit('MachineOf=web-1.service'),
        'web-3.service': unit('Replaces=web-1.service\nMachineOf=web-2.service'),
      },
      expected: { 'web-1.service': 'm1', 'web-2.service': 'm1' },
      summaries: {
        'web-3.service':
          '0/2 machines available: 1 would push web-1.service, whose move leads back to it (web-1.service → web-2.service → web-3.service), 1 not the machine of web-2.service',
      },
    },
  ])('$name', async ({ machines, units, expected, summaries }) => {
    const cluster = await fleet({ machines, units });
    expect(cluster.placements()).toEqual(expected);
    for (const [name, summary] of Object.entries(summaries ?? {})) expect(cluster.summary(name)).toBe(summary);
    const again = await cluster.schedule();
    expect([again.placements, again.revocations]).toEqual([[], []]);
  });

  it('a Replaces glob matching a global unit: the global unit runs everywhere but on the replacer’s machine, and fleetd settles (fleet writes tasks every round)', async () => {
    const cluster = await fleet({ machines: three, units: { 'g.service': unit('Global=true'), 'new.service': unit('Replaces=g*') } });
    expect(cluster.placements()).toEqual({ 'new.service': 'm1' });
    expect(cluster.globalMachines('g.service')).toEqual(['m2', 'm3']);
    const again = await cluster.schedule();
    expect([again.placements, again.revocations, again.globals.map((g) => g.machines)]).toEqual([[], [], [['m2', 'm3']]]);
  });

  it("differs from fleet's TestScheduleReplace: the replacer runs on the other machine and the replaced unit stays (fleet moves it)", async () => {
    const cluster = await fleet({ machines: ['m1', 'm2'], units: { 'replace.0.service': unit(), 'replace.1.service': unit() } });
    cluster.submit('replace.2.service', unit('MachineOf=replace.1.service'));
    await cluster.settle();
    expect(cluster.placements()).toEqual({ 'replace.0.service': 'm1', 'replace.1.service': 'm2', 'replace.2.service': 'm2' });
    cluster.submit('replace-kick0.service', unit('Replaces=replace.0.service'));
    await cluster.settle();
    expect(cluster.placements()).toEqual({ 'replace-kick0.service': 'm2', 'replace.0.service': 'm1', 'replace.1.service': 'm2', 'replace.2.service': 'm2' });
  });
});
