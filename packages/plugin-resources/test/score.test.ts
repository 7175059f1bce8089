// spread and binpack, weighed against least-loaded.
import { describe, expect, it } from 'vitest';
import { fact } from '@fleetd/core';
import { simulate } from '@fleetd/core/testing';
import { facts, GiB, machine, plugins, service, withDeclared } from './helpers.js';

const units = (count: number, lines: readonly string[]) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`u${i}.service`, service(lines)]));
const byMachine = (placements: Record<string, string>) => {
  const counts: Record<string, number> = {};
  for (const machineId of Object.values(placements)) counts[machineId] = (counts[machineId] ?? 0) + 1;
  return counts;
};

describe('spread and binpack', () => {
  it.each([
    {
      name: 'spread, with least-loaded: units share the machines out',
      strategy: 'spread' as const,
      machines: [machine('m1', facts(8, 8 * GiB)), machine('m2', facts(8, 8 * GiB))],
      placed: { m1: 3, m2: 3 },
    },
    {
      name: 'binpack, with least-loaded: one machine fills before the next is used',
      strategy: 'binpack' as const,
      machines: [machine('m1', facts(8, 8 * GiB)), machine('m2', facts(8, 8 * GiB))],
      placed: { m1: 6 },
    },
    {
      name: 'spread prefers the machine with the most room left, whatever the unit count',
      strategy: 'spread' as const,
      machines: [machine('m1', facts(8, 4 * GiB)), machine('m2', facts(8, 32 * GiB))],
      placed: { m1: 1, m2: 5 },
    },
    {
      name: 'binpack prefers the fuller machine while the unit fits',
      strategy: 'binpack' as const,
      machines: [machine('m1', facts(8, 4 * GiB)), machine('m2', facts(8, 32 * GiB))],
      placed: { m1: 4, m2: 2 },
    },
  ])('$name', async ({ strategy, machines, placed }) => {
    const cluster = await simulate({ plugins: plugins(withDeclared({ strategy })), machines, units: units(6, ['Memory=1G']) });
    expect(byMachine(cluster.placements())).toEqual(placed);
  });

  it.each([
    { strategy: 'spread' as const, m1: 7.5, m2: 5 },
    { strategy: 'binpack' as const, m1: 2.5, m2: 5 },
  ])('$strategy: 10 × the mean over requested resources of the fraction left free (spread) or used (binpack) once placed', async ({ strategy, m1, m2 }) => {
    const cluster = await simulate({
      plugins: plugins(withDeclared({ strategy })),
      machines: [machine('m1', facts(4, 16 * GiB)), machine('m2', facts(4, 8 * GiB))],
      units: { 'app.service': service(['Memory=4G']) },
    });
    const scores = Object.fromEntries(cluster.explain('app.service').machines.map((m) => [m.machine, m.scores.resources]));
    expect(scores).toEqual({ m1, m2 });
  });

  it('averages over every requested resource, reservations taken off', async () => {
    const cluster = await simulate({
      plugins: plugins(withDeclared({ strategy: 'spread' })),
      machines: [machine('m1', facts(4, 8 * GiB, { 'cpu.reserved': fact.number(1), 'memory.reserved': fact.bytes(2 * GiB) }))],
      units: { 'app.service': service(['CPU=1', 'Memory=2G']), 'db.service': service(['CPU=1']) },
    });
    // app: cpu (4 - 1 reserved - 1 db - 1)/3 = 1/3 free, memory (8 - 2 reserved - 2)/6 = 2/3 free: 10 × 0.5.
    expect(cluster.explain('app.service').machines[0]?.scores.resources).toBe(5);
  });

  it('regression: points stay exact while units that request the same are placed one after another (points are kept per request)', async () => {
    const cluster = await simulate({
      plugins: plugins(withDeclared({ strategy: 'spread' })),
      machines: [machine('m1', facts(8, 8 * GiB)), machine('m2', facts(8, 16 * GiB)), machine('m3', facts(8, 12 * GiB))],
      units: units(9, ['Memory=2G']),
    });
    cluster.submit('z.service', service(['Memory=2G']));
    await cluster.settle();
    const expected = (id: string, capacity: number) =>
      Math.round(1000 * (1 - (2 * (cluster.unitsOn(id).filter((u) => u !== 'z.service').length + 1)) / capacity)) / 100;
    const scores = Object.fromEntries(cluster.explain('z.service').machines.map((m) => [m.machine, m.scores.resources]));
    expect(scores).toEqual({ m1: expected('m1', 8), m2: expected('m2', 16), m3: expected('m3', 12) });
  });

  it('a unit without requests gets no points from the plugin', async () => {
    const cluster = await simulate({
      plugins: plugins(),
      machines: [machine('m1', facts(4, 8 * GiB))],
      units: { 'a.service': service([]), 'b.service': service([]) },
    });
    expect(cluster.explain('b.service').machines[0]?.scores).toEqual({ 'least-loaded': -1 });
  });
});

describe('weights against least-loaded', () => {
  const machines = [machine('m1', facts(8, 8 * GiB)), machine('m2', facts(8, 8 * GiB))];
  const cluster = (weight: number | undefined, leastLoaded: number | undefined) =>
    simulate({
      plugins: plugins(withDeclared({ strategy: 'binpack' }), weight, leastLoaded === undefined ? {} : { weights: { 'least-loaded': leastLoaded } }),
      machines,
      units: units(6, ['Memory=1G']),
    });

  it.each([
    {
      name: 'equal weights: binpack packs 1 GiB units (10 points for a full machine beat one unit of load)',
      weight: undefined,
      leastLoaded: undefined,
      placed: { m1: 6 },
    },
    { name: 'least-loaded weighted 10: its unit counts win, units spread', weight: undefined, leastLoaded: 10, placed: { m1: 3, m2: 3 } },
    { name: 'resources weighted 0: least-loaded alone', weight: 0, leastLoaded: undefined, placed: { m1: 3, m2: 3 } },
    { name: 'least-loaded weighted 0: resources alone', weight: 1, leastLoaded: 0, placed: { m1: 6 } },
  ])('$name', async ({ weight, leastLoaded, placed }) => {
    expect(byMachine((await cluster(weight, leastLoaded)).placements())).toEqual(placed);
  });
});
