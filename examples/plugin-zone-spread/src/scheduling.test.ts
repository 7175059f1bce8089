import { describe, expect, it } from 'vitest';
import { simulate } from '@fleetd/core/testing';
import type { TestUnit } from '@fleetd/core/testing';
import type { ZoneSpreadOptionsInput } from './index.js';
import { instances, machinesIn, plugins, service, unitWith } from './test-support.js';

const threeZones = machinesIn({ a1: 'a', a2: 'a', b1: 'b', c1: 'c' });

interface PlacementCase {
  readonly name: string;
  readonly machines: ReturnType<typeof machinesIn>;
  readonly units: Record<string, TestUnit>;
  readonly placements?: Record<string, string>;
  readonly options?: ZoneSpreadOptionsInput;
  readonly weight?: number;
  readonly expected: Record<string, string>;
}

describe('zone-spread placement (with fleet plugins)', () => {
  it.each<PlacementCase>([
    {
      name: '3 instances of a template land in 3 zones',
      machines: threeZones,
      units: instances('web', 3),
      expected: { 'web@1.service': 'a1', 'web@2.service': 'b1', 'web@3.service': 'c1' },
    },
    {
      name: 'a 4th instance doubles up in a zone only once every zone has one',
      machines: threeZones,
      units: instances('web', 4),
      expected: { 'web@1.service': 'a1', 'web@2.service': 'b1', 'web@3.service': 'c1', 'web@4.service': 'a2' },
    },
    {
      name: 'Group= groups units that are not instances',
      machines: threeZones,
      units: { 'api-1.service': unitWith('Group=api'), 'api-2.service': unitWith('Group=api'), 'api-3.service': unitWith('Group=api') },
      expected: { 'api-1.service': 'a1', 'api-2.service': 'b1', 'api-3.service': 'c1' },
    },
    {
      name: 'Group= overrides the template prefix: two templates, one group',
      machines: machinesIn({ a1: 'a', a2: 'a', b1: 'b' }),
      units: { ...instances('blue', 1, unitWith('Group=web')), ...instances('green', 1, unitWith('Group=web')) },
      expected: { 'blue@1.service': 'a1', 'green@1.service': 'b1' },
    },
    {
      name: 'groups do not count against each other',
      machines: machinesIn({ a1: 'a', b1: 'b' }),
      units: { ...instances('web', 1), ...instances('db', 1), 'x1.service': service, 'x2.service': service },
      placements: { 'web@1.service': 'a1', 'x1.service': 'b1', 'x2.service': 'b1' },
      // Were web counted for db, zone a would cost 3 points at weight 3 and db would go to the busier b1.
      weight: 3,
      expected: { 'db@1.service': 'a1', 'web@1.service': 'a1', 'x1.service': 'b1', 'x2.service': 'b1' },
    },
    {
      name: 'another metadata key (rack)',
      machines: machinesIn({ m1: 'r1', m2: 'r1', m3: 'r2' }, 'rack'),
      units: instances('web', 2),
      options: { key: 'rack' },
      expected: { 'web@1.service': 'm1', 'web@2.service': 'm3' },
    },
    {
      name: 'machines without the key are one zone of their own',
      machines: machinesIn({ a1: 'a', n1: undefined, n2: undefined }),
      units: instances('web', 4),
      // The 4th goes back to zone a: n1 and n2 together already run two.
      expected: { 'web@1.service': 'a1', 'web@2.service': 'n1', 'web@3.service': 'n2', 'web@4.service': 'a1' },
    },
    {
      name: 'at weight 1, least-loaded can outvote the spread (a busy zone b)',
      machines: machinesIn({ a1: 'a', b1: 'b' }),
      units: { ...instances('web', 2), 'x1.service': service, 'x2.service': service, 'x3.service': service },
      placements: { 'web@1.service': 'a1', 'x1.service': 'b1', 'x2.service': 'b1', 'x3.service': 'b1' },
      expected: { 'web@1.service': 'a1', 'web@2.service': 'a1', 'x1.service': 'b1', 'x2.service': 'b1', 'x3.service': 'b1' },
    },
    {
      name: 'at weight 3, the spread wins over load',
      machines: machinesIn({ a1: 'a', b1: 'b' }),
      units: { ...instances('web', 2), 'x1.service': service, 'x2.service': service, 'x3.service': service },
      placements: { 'web@1.service': 'a1', 'x1.service': 'b1', 'x2.service': 'b1', 'x3.service': 'b1' },
      weight: 3,
      expected: { 'web@1.service': 'a1', 'web@2.service': 'b1', 'x1.service': 'b1', 'x2.service': 'b1', 'x3.service': 'b1' },
    },
    {
      name: 'units without a group are left to least-loaded',
      machines: machinesIn({ a1: 'a', a2: 'a', b1: 'b' }),
      units: { 'p.service': service, 'q.service': service, 'r.service': service },
      expected: { 'p.service': 'a1', 'q.service': 'a2', 'r.service': 'b1' },
    },
  ])('$name', async ({ machines, units, placements = {}, options, weight, expected }) => {
    const cluster = await simulate({ plugins: plugins(options, weight), machines, units, placements });
    expect(cluster.placements()).toEqual(expected);
  });
});

describe('zone-spread maxPerZone', () => {
  it.each([
    {
      name: 'a zone at the limit is refused with its count',
      machines: threeZones,
      units: instances('web', 4),
      maxPerZone: 1,
      unplaced: 'web@4.service',
      summary:
        '0/4 machines available: 2 zone a already runs 1 of group web (maxPerZone 1), 1 zone b already runs 1 of group web (maxPerZone 1), 1 zone c already runs 1 of group web (maxPerZone 1)',
    },
    {
      name: 'a limit of 2 lets each zone take two',
      machines: machinesIn({ a1: 'a', a2: 'a', b1: 'b', b2: 'b' }),
      units: instances('web', 5),
      maxPerZone: 2,
      unplaced: 'web@5.service',
      summary: '0/4 machines available: 2 zone a already runs 2 of group web (maxPerZone 2), 2 zone b already runs 2 of group web (maxPerZone 2)',
    },
    {
      name: 'machines without the key are limited together',
      machines: machinesIn({ n1: undefined, n2: undefined }),
      units: instances('web', 2),
      maxPerZone: 1,
      unplaced: 'web@2.service',
      summary: '0/2 machines available: 2 machines without zone already run 1 of group web (maxPerZone 1)',
    },
  ])('$name', async ({ machines, units, maxPerZone, unplaced, summary }) => {
    const cluster = await simulate({ plugins: plugins({ maxPerZone }), machines, units });
    expect(cluster.placementOf(unplaced)).toBeUndefined();
    expect(cluster.summary(unplaced)).toBe(summary);
  });

  it('gives each refused machine its own reason', async () => {
    const cluster = await simulate({ plugins: plugins({ maxPerZone: 1 }), machines: threeZones, units: instances('web', 4) });
    expect(cluster.reasons('web@4.service')).toEqual([
      { machine: 'a1', plugin: 'zone-spread', kind: 'filter', message: 'zone a already runs 1 of group web (maxPerZone 1)' },
      { machine: 'a2', plugin: 'zone-spread', kind: 'filter', message: 'zone a already runs 1 of group web (maxPerZone 1)' },
      { machine: 'b1', plugin: 'zone-spread', kind: 'filter', message: 'zone b already runs 1 of group web (maxPerZone 1)' },
      { machine: 'c1', plugin: 'zone-spread', kind: 'filter', message: 'zone c already runs 1 of group web (maxPerZone 1)' },
    ]);
  });

  it('moves a unit off a zone that is over the limit, and keeps the other', async () => {
    const cluster = await simulate({
      plugins: plugins({ maxPerZone: 1 }),
      machines: threeZones,
      units: instances('web', 2),
      placements: { 'web@1.service': 'a1', 'web@2.service': 'a2' },
    });
    const zones = Object.values(cluster.placements()).map((machine) => machine[0]);
    expect(zones.sort()).toEqual(['a', 'b']);
    expect(cluster.rounds[0]?.revocations).toHaveLength(1);
    expect(cluster.rounds[0]?.revocations[0]).toMatchObject({ plugin: 'zone-spread', reason: 'zone a already runs 1 of group web (maxPerZone 1)' });
  });

  it('does not count a placed unit against itself when re-checking it', async () => {
    const cluster = await simulate({
      plugins: plugins({ maxPerZone: 1 }),
      machines: threeZones,
      units: instances('web', 1),
      placements: { 'web@1.service': 'a2' },
    });
    expect(cluster.placements()).toEqual({ 'web@1.service': 'a2' });
    expect(cluster.rounds[0]?.revocations).toEqual([]);
  });

  it('frees a zone when a unit of the group is destroyed', async () => {
    const cluster = await simulate({ plugins: plugins({ maxPerZone: 1 }), machines: machinesIn({ a1: 'a' }), units: instances('web', 2) });
    expect(cluster.placementOf('web@2.service')).toBeUndefined();
    cluster.destroy('web@1.service');
    await cluster.settle();
    expect(cluster.placements()).toEqual({ 'web@2.service': 'a1' });
  });

  it('does not limit global units', async () => {
    const cluster = await simulate({
      plugins: plugins({ maxPerZone: 1 }),
      machines: threeZones,
      units: { 'agent-1.service': unitWith('Global=true', 'Group=agents'), 'agent-2.service': unitWith('Global=true', 'Group=agents') },
    });
    expect(cluster.globalMachines('agent-1.service')).toEqual(['a1', 'a2', 'b1', 'c1']);
    expect(cluster.globalMachines('agent-2.service')).toEqual(['a1', 'a2', 'b1', 'c1']);
  });
});
