// Where a unit fits: capacity minus reservation minus what the machine's units request, with exact reasons.
import { describe, expect, it } from 'vitest';
import { fact } from '@fleetd/core';
import type { MachineFact } from '@fleetd/core';
import { createTestCluster, simulate } from '@fleetd/core/testing';
import { facts, GiB, machine, plugins, service } from './helpers.js';

/** One machine `m1` with these facts, `used` already placed there, then `app.service`: its placement or its one reason. */
async function verdict(machineFacts: Record<string, MachineFact>, request: readonly string[], used: readonly string[][] = []) {
  const units: Record<string, string> = {};
  used.forEach((lines, index) => (units[`a${index}.service`] = service(lines)));
  const cluster = await simulate({ plugins: plugins(), machines: [machine('m1', machineFacts)], units });
  expect(Object.keys(cluster.placements())).toHaveLength(used.length);
  cluster.submit('z-app.service', service(request));
  await cluster.settle();
  return cluster.placementOf('z-app.service') ?? cluster.reasons('z-app.service').map((rejection) => `${rejection.plugin}: ${rejection.message}`)[0];
}

describe('filter reasons', () => {
  it.each([
    { name: 'fits exactly', facts: facts(4, 8 * GiB), request: ['Memory=8G', 'CPU=4'], used: [], expected: 'm1' },
    {
      name: 'memory short, in GiB',
      facts: facts(4, 8 * GiB),
      request: ['Memory=2G'],
      used: [['Memory=6.5G']],
      expected: 'resources: memory: requests 2 GiB, 1.5 GiB free of 8 GiB',
    },
    {
      name: 'cpu short, as plain numbers',
      facts: facts(4, 8 * GiB),
      request: ['CPU=2'],
      used: [['CPU=1.5'], ['CPU=1']],
      expected: 'resources: cpu: requests 2, 1.5 free of 4',
    },
    {
      name: 'the reservation is named',
      facts: facts(4, 8 * GiB, { 'memory.reserved': fact.bytes(GiB) }),
      request: ['Memory=2G'],
      used: [['Memory=5.5G']],
      expected: 'resources: memory: requests 2 GiB, 1.5 GiB free of 8 GiB (1 GiB reserved)',
    },
    {
      name: 'a cpu reservation',
      facts: facts(4, 8 * GiB, { 'cpu.reserved': fact.number(0.5) }),
      request: ['CPU=4'],
      used: [],
      expected: 'resources: cpu: requests 4, 3.5 free of 4 (0.5 reserved)',
    },
    {
      name: 'a declared resource the machine lacks',
      facts: facts(4, 8 * GiB),
      request: ['Resource=gpu:1'],
      used: [],
      expected: 'resources: gpu: requests 1, the machine has none',
    },
    {
      name: 'a declared resource used up',
      facts: facts(4, 8 * GiB, { gpu: fact.number(2) }),
      request: ['Resource=gpu:1'],
      used: [['Resource=gpu:2']],
      expected: 'resources: gpu: requests 1, 0 free of 2',
    },
    {
      name: 'a bytes resource',
      facts: facts(4, 8 * GiB, { 'disk.ssd': fact.bytes(100 * GiB) }),
      request: ['Resource=disk.ssd:80G'],
      used: [['Resource=disk.ssd:30G']],
      expected: 'resources: disk.ssd: requests 80 GiB, 70 GiB free of 100 GiB',
    },
    {
      name: 'a machine announcing no resource facts at all',
      facts: {},
      request: ['Memory=2G'],
      used: [],
      expected: 'resources: memory: requests 2 GiB, the machine announces no capacity (@fleetd/plugin-resources does not run on it)',
    },
    {
      name: 'a capacity fact of the wrong type',
      facts: { cpu: fact.number(4), memory: fact.number(8) },
      request: ['Memory=1G'],
      used: [],
      expected: 'resources: memory: requests 1 GiB, the machine announces memory as number 8, not bytes',
    },
    {
      name: 'a text fact where a count belongs',
      facts: facts(4, 8 * GiB, { gpu: fact.string('two') }),
      request: ['Resource=gpu:1'],
      used: [],
      expected: 'resources: gpu: requests 1, the machine announces gpu as string "two", not number',
    },
    {
      name: 'a reservation fact of the wrong type',
      facts: facts(4, 8 * GiB, { 'memory.reserved': fact.number(1) }),
      request: ['Memory=1G'],
      used: [],
      expected: 'resources: memory: requests 1 GiB, the machine announces memory.reserved as number 1, not bytes',
    },
    {
      name: 'the first failing resource in order cpu, memory, declared by name',
      facts: facts(1, GiB),
      request: ['Resource=gpu:1', 'Resource=disk.ssd:1G', 'Memory=2G', 'CPU=2'],
      used: [],
      expected: 'resources: cpu: requests 2, 1 free of 1',
    },
    {
      name: 'declared resources by name: disk.ssd before gpu',
      facts: facts(4, 8 * GiB),
      request: ['Resource=gpu:1', 'Resource=disk.ssd:1G'],
      used: [],
      expected: 'resources: disk.ssd: requests 1 GiB, the machine has none',
    },
    { name: 'units without requests take nothing', facts: facts(1, GiB), request: ['Memory=1G', 'CPU=1'], used: [[], [], []], expected: 'm1' },
    {
      name: 'fractional cores add up (0.1 + 0.2 is 0.3)',
      facts: facts(0.6, GiB),
      request: ['CPU=0.3'],
      used: [['CPU=0.1'], ['CPU=0.2']],
      expected: 'm1',
    },
    {
      name: 'requests taken from systemd directives count',
      facts: facts(4, 2 * GiB),
      request: ['Memory=1G'],
      used: [[], ['Memory=512M']],
      expected: 'm1',
    },
  ])('$name', async ({ facts: machineFacts, request, used, expected }) => {
    expect(await verdict(machineFacts, request, used)).toBe(expected);
  });

  it('counts what systemd directives request on the machine', async () => {
    const cluster = await simulate({
      plugins: plugins(),
      machines: [machine('m1', facts(4, 2 * GiB))],
      units: { 'a.service': service([], ['MemoryMax=1536M']) },
    });
    cluster.submit('b.service', service(['Memory=1G']));
    await cluster.settle();
    expect(cluster.summary('b.service')).toBe('0/1 machines available: 1 memory: requests 1 GiB, 512 MiB free of 2 GiB');
  });

  it('explain shows the reason on every machine, and the points of those that fit', async () => {
    const cluster = await simulate({
      plugins: plugins(),
      machines: [machine('m1', facts(4, 8 * GiB)), machine('m2', facts(4, 2 * GiB)), machine('m3', {})],
      units: { 'db.service': service(['Memory=6G']) },
    });
    expect(cluster.placementOf('db.service')).toBe('m1');
    const explanation = cluster.explain('db.service');
    expect(explanation.summary).toBe(
      '1/3 machines available: 1 memory: requests 6 GiB, 2 GiB free of 2 GiB, 1 memory: requests 6 GiB, the machine announces no capacity (@fleetd/plugin-resources does not run on it)',
    );
    const byMachine = Object.fromEntries(explanation.machines.map((m) => [m.machine, m]));
    expect(byMachine.m1?.verdicts.find((v) => v.plugin === 'resources')).toEqual({ plugin: 'resources', verdict: 'pass' });
    expect(byMachine.m1?.scores.resources).toBe(2.5);
    expect(byMachine.m2?.verdicts.find((v) => v.plugin === 'resources')).toEqual({
      plugin: 'resources',
      verdict: 'filter',
      message: 'memory: requests 6 GiB, 2 GiB free of 2 GiB',
    });
    expect(byMachine.m3?.verdicts.find((v) => v.plugin === 'resources')).toEqual({
      plugin: 'resources',
      verdict: 'filter',
      message: 'memory: requests 6 GiB, the machine announces no capacity (@fleetd/plugin-resources does not run on it)',
    });
  });

  it('explains a unit too big for any machine', async () => {
    const cluster = await simulate({
      plugins: plugins(),
      machines: [machine('m1', facts(4, 8 * GiB)), machine('m2', facts(8, 16 * GiB)), machine('m3', facts(8, 16 * GiB))],
      units: { 'huge.service': service(['Memory=32G']) },
    });
    expect(cluster.placementOf('huge.service')).toBeUndefined();
    expect(cluster.summary('huge.service')).toBe(
      '0/3 machines available: 2 memory: requests 32 GiB, 16 GiB free of 16 GiB, 1 memory: requests 32 GiB, 8 GiB free of 8 GiB',
    );
    expect(cluster.explain('huge.service').summary).toBe(cluster.summary('huge.service'));
  });

  it('a unit with an unreadable request that reached the engine fits nowhere, with its problem', async () => {
    const cluster = await createTestCluster({
      plugins: plugins(),
      machines: [machine('m1', facts(4, 8 * GiB))],
      stored: { 'bad.service': service(['Memory=lots']) },
    });
    await cluster.settle();
    expect(cluster.summary('bad.service')).toBe(
      '0/1 machines available: 1 Memory=lots: not a byte size (use a number of bytes or a size with K, M, G or T: 512M, 1.5G)',
    );
  });

  it('units land where they fit, never beyond', async () => {
    const cluster = await simulate({
      plugins: plugins(),
      machines: [machine('m1', facts(2, 4 * GiB)), machine('m2', facts(2, 4 * GiB))],
      units: Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`u${i}.service`, service(['Memory=1.5G'])])),
    });
    expect(Object.keys(cluster.placements())).toHaveLength(4);
    expect(cluster.unitsOn('m1')).toHaveLength(2);
    expect(cluster.unitsOn('m2')).toHaveLength(2);
    expect(cluster.summary('u5.service')).toBe('0/2 machines available: 2 memory: requests 1.5 GiB, 1 GiB free of 4 GiB');
  });

  it('a machine gaining capacity takes the units that waited', async () => {
    const cluster = await simulate({
      plugins: plugins(),
      machines: [machine('m1', facts(2, GiB))],
      units: { 'a.service': service(['Memory=768M']), 'b.service': service(['Memory=768M']) },
    });
    expect(cluster.placements()).toEqual({ 'a.service': 'm1' });
    cluster.addMachine(machine('m1', facts(2, 2 * GiB)));
    await cluster.settle();
    expect(cluster.placements()).toEqual({ 'a.service': 'm1', 'b.service': 'm1' });
  });

  it('one round placing many units, with and without requests, never overfills a machine', async () => {
    const sizes = ['Memory=512M', 'Memory=1G', '', 'Memory=256M', 'CPU=1', 'Memory=768M', ''];
    const units = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`u${String(i).padStart(2, '0')}.service`, service(sizes[i % sizes.length] ? [sizes[i % sizes.length]!] : [])]),
    );
    const cluster = await createTestCluster({
      plugins: plugins(),
      machines: [machine('m1', facts(2, 3 * GiB)), machine('m2', facts(2, 2 * GiB)), machine('m3', facts(2, 4 * GiB))],
      units,
    });
    await cluster.schedule();
    const memoryOf = (unit: string) =>
      ({ 'Memory=512M': 0.5, 'Memory=1G': 1, 'Memory=256M': 0.25, 'Memory=768M': 0.75 })[sizes[Number(unit.slice(1, 3)) % sizes.length]!] ?? 0;
    for (const [id, capacity] of [
      ['m1', 3],
      ['m2', 2],
      ['m3', 4],
    ] as const) {
      expect(cluster.unitsOn(id).reduce((sum, unit) => sum + memoryOf(unit), 0)).toBeLessThanOrEqual(capacity);
    }
    expect(Object.keys(cluster.placements()).length).toBeGreaterThan(20);
  });

  it('an explanation between rounds leaves the next decision exact', async () => {
    const cluster = await simulate({ plugins: plugins(), machines: [machine('m1', facts(4, 2 * GiB))], units: { 'a.service': service(['Memory=1.5G']) } });
    expect(cluster.explain('a.service').bestMachine).toBe('m1');
    cluster.submit('b.service', service(['Memory=1G']));
    await cluster.settle();
    expect(cluster.summary('b.service')).toBe('0/1 machines available: 1 memory: requests 1 GiB, 512 MiB free of 2 GiB');
  });
});
