// Every unit running on a machine counts against its capacity: placed units, global units,
// MachineOf followers and replaced units while they run; a machine that shrinks keeps its units by name order.
import { describe, expect, it } from 'vitest';
import { fact } from '@fleetd/core';
import { createTestCluster, simulate } from '@fleetd/core/testing';
import { facts, GiB, machine, plugins, service } from './helpers.js';

const twoGiB = facts(4, 2 * GiB);

describe('what counts against capacity', () => {
  it('a global unit counts on every machine it runs on', async () => {
    const cluster = await simulate({
      plugins: plugins(),
      machines: [machine('m1', twoGiB), machine('m2', twoGiB)],
      units: { 'agent.service': service(['Global=true', 'Memory=1G']), 'app.service': service(['Memory=1.5G']) },
    });
    expect(cluster.globalMachines('agent.service')).toEqual(['m1', 'm2']);
    expect(cluster.summary('app.service')).toBe('0/2 machines available: 2 memory: requests 1.5 GiB, 1 GiB free of 2 GiB');
  });

  it('a global unit runs only where it fits, and says why elsewhere', async () => {
    const cluster = await simulate({
      plugins: plugins(),
      machines: [machine('m1', twoGiB), machine('m2', facts(4, GiB))],
      units: { 'agent.service': service(['Global=true', 'Memory=1.5G']) },
    });
    expect(cluster.globalMachines('agent.service')).toEqual(['m1']);
    const global = cluster.rounds.at(-1)?.globals.find((decision) => decision.unit === 'agent.service');
    expect(global?.rejections).toEqual([{ machine: 'm2', plugin: 'resources', kind: 'filter', message: 'memory: requests 1.5 GiB, 1 GiB free of 1 GiB' }]);
  });

  it('between two global units that do not fit together, the first by name runs', async () => {
    const cluster = await simulate({
      plugins: plugins(),
      machines: [machine('m1', twoGiB)],
      units: { 'b-agent.service': service(['Global=true', 'Memory=1.5G']), 'a-agent.service': service(['Global=true', 'Memory=1G']) },
    });
    expect(cluster.globalMachines('a-agent.service')).toEqual(['m1']);
    expect(cluster.globalMachines('b-agent.service')).toEqual([]);
  });

  it('placed units count for global units, decided each round before placing', async () => {
    const cluster = await simulate({ plugins: plugins(), machines: [machine('m1', facts(4, 4 * GiB))], units: { 'app.service': service(['Memory=2G']) } });
    cluster.submit('agent.service', service(['Global=true', 'Memory=1G'])).submit('big-agent.service', service(['Global=true', 'Memory=1.5G']));
    await cluster.settle();
    expect(cluster.unitsOn('m1')).toEqual(['agent.service', 'app.service']);
    // Global units are decided before placed ones each round: once there, they keep their memory from a unit submitted later.
    cluster.submit('late.service', service(['Memory=1.5G']));
    await cluster.settle();
    expect(cluster.summary('late.service')).toBe('0/1 machines available: 1 memory: requests 1.5 GiB, 1 GiB free of 4 GiB');
  });

  it('a MachineOf follower counts on its leader’s machine, and cannot follow where it does not fit', async () => {
    const cluster = await simulate({
      plugins: plugins(),
      machines: [machine('m1', twoGiB), machine('m2', twoGiB)],
      units: {
        'db.service': service(['Memory=1G']),
        'db-backup.service': service(['MachineOf=db.service', 'Memory=512M']),
        'db-metrics.service': service(['MachineOf=db.service', 'Memory=1G']),
      },
    });
    expect(cluster.placementOf('db.service')).toBe('m1');
    expect(cluster.placementOf('db-backup.service')).toBe('m1');
    expect(cluster.placementOf('db-metrics.service')).toBeUndefined();
    expect(cluster.reasons('db-metrics.service')).toEqual([
      { machine: 'm1', plugin: 'resources', kind: 'filter', message: 'memory: requests 1 GiB, 512 MiB free of 2 GiB' },
      { machine: 'm2', plugin: 'machine-of', kind: 'narrow', message: 'not the machine of db.service' },
    ]);
  });

  it('a replaced unit counts while it runs: its replacer does not take its machine without room beside it', async () => {
    const cluster = await simulate({
      plugins: plugins(),
      machines: [machine('m1', twoGiB)],
      units: { 'web-v1.service': service(['Memory=1.5G']) },
    });
    cluster.submit('web-v2.service', service(['Replaces=web-v1.service', 'Memory=1G']));
    await cluster.settle();
    expect(cluster.placements()).toEqual({ 'web-v1.service': 'm1' });
    expect(cluster.summary('web-v2.service')).toBe('0/1 machines available: 1 memory: requests 1 GiB, 512 MiB free of 2 GiB');
    // Once the old version is gone, its memory is free for the new one.
    cluster.destroy('web-v1.service');
    await cluster.settle();
    expect(cluster.placements()).toEqual({ 'web-v2.service': 'm1' });
  });

  it('an inactive unit counts nowhere', async () => {
    const cluster = await simulate({
      plugins: plugins(),
      machines: [machine('m1', twoGiB)],
      units: { 'a.service': service(['Memory=1.5G']), 'b.service': { contents: service(['Memory=1G']), desiredState: 'inactive' } },
    });
    cluster.setDesiredState('a.service', 'inactive');
    cluster.setDesiredState('b.service', 'launched');
    await cluster.settle();
    expect(cluster.placements()).toEqual({ 'b.service': 'm1' });
  });
});

describe('a machine that shrinks moves its last units by name, not all of them', () => {
  const units = Object.fromEntries(['a', 'b', 'c', 'd'].map((name) => [`${name}.service`, service(['Memory=1G'])]));

  it.each([
    { name: 'its capacity shrank', after: facts(4, 2.5 * GiB), kept: ['a.service', 'b.service'], reason: 'memory: requests 1 GiB, 512 MiB free of 2.5 GiB' },
    {
      name: 'it reserves more',
      after: facts(4, 4 * GiB, { 'memory.reserved': fact.bytes(1.5 * GiB) }),
      kept: ['a.service', 'b.service'],
      reason: 'memory: requests 1 GiB, 512 MiB free of 4 GiB (1.5 GiB reserved)',
    },
    {
      name: 'it shrank by one unit',
      after: facts(4, 3 * GiB),
      kept: ['a.service', 'b.service', 'c.service'],
      reason: 'memory: requests 1 GiB, 0 B free of 3 GiB',
    },
  ])('$name', async ({ after, kept, reason }) => {
    const cluster = await simulate({ plugins: plugins(), machines: [machine('m1', facts(4, 4 * GiB))], units });
    expect(cluster.unitsOn('m1')).toEqual(['a.service', 'b.service', 'c.service', 'd.service']);
    cluster.addMachine(machine('m1', after));
    const round = await cluster.schedule();
    expect(round.revocations.map((revocation) => [revocation.unit, revocation.plugin]).sort()).toEqual(
      ['a.service', 'b.service', 'c.service', 'd.service'].filter((unit) => !kept.includes(unit)).map((unit) => [unit, 'resources']),
    );
    await cluster.settle();
    expect(cluster.unitsOn('m1')).toEqual(kept);
    expect(cluster.summary('d.service')).toBe(`0/1 machines available: 1 ${reason}`);
  });

  it('units placed over capacity (an older engine, a plan) keep the first by name; the rest move where they fit', async () => {
    const cluster = await createTestCluster({
      plugins: plugins(),
      machines: [machine('m1', facts(4, 2 * GiB)), machine('m2', facts(4, 8 * GiB))],
      units,
      placements: { 'd.service': 'm1', 'c.service': 'm1', 'b.service': 'm1', 'a.service': 'm1' },
    });
    await cluster.settle();
    expect(cluster.placements()).toEqual({ 'a.service': 'm1', 'b.service': 'm1', 'c.service': 'm2', 'd.service': 'm2' });
  });

  it('a unit replaced by a bigger version keeps its place when it fits after the units before it; later units move', async () => {
    const cluster = await simulate({ plugins: plugins(), machines: [machine('m1', facts(4, 3 * GiB))], units });
    expect(cluster.unitsOn('m1')).toEqual(['a.service', 'b.service', 'c.service']);
    cluster.addMachine(machine('m2', facts(4, 3 * GiB)));
    // A new version of b (fleetctl start --replace): 2 GiB.
    cluster.store('b.service', service(['Memory=2G']));
    await cluster.settle();
    expect(cluster.placements()).toEqual({ 'a.service': 'm1', 'b.service': 'm1', 'c.service': 'm2', 'd.service': 'm2' });
  });
});
