import { describe, expect, it } from 'vitest';
import { createTestCluster } from '@fleetd/core/testing';
import type { ZoneSpreadOptionsInput } from './index.js';
import { instances, machinesIn, plugins } from './test-support.js';

const machines = machinesIn({ a1: 'a', a2: 'a', b1: 'b', c1: 'c' });

/** web@1 on a1, web@2 on b1, web@3 not placed yet: what does `explain` say about web@3? */
async function explainThird(options?: ZoneSpreadOptionsInput) {
  const cluster = await createTestCluster({
    plugins: plugins(options),
    machines,
    units: instances('web', 3),
    placements: { 'web@1.service': 'a1', 'web@2.service': 'b1' },
  });
  const explanation = cluster.explain('web@3.service');
  return Object.fromEntries(explanation.machines.map((machine) => [machine.machine, machine]));
}

describe('zone-spread in explanations', () => {
  it.each([
    // Zero points are left out of `scores`, as for every plugin.
    { name: 'a machine in an empty zone', machine: 'c1', scores: {}, total: 0 },
    { name: 'an empty machine in a zone with one of the group', machine: 'a2', scores: { 'zone-spread': -1 }, total: -1 },
    { name: 'a machine running one of the group', machine: 'a1', scores: { 'zone-spread': -1, 'least-loaded': -1 }, total: -2 },
    { name: 'the machine of another zone with one', machine: 'b1', scores: { 'zone-spread': -1, 'least-loaded': -1 }, total: -2 },
  ])('scores $name', async ({ machine, scores, total }) => {
    const explained = (await explainThird())[machine];
    expect(explained?.feasible).toBe(true);
    expect(explained?.total).toBe(total);
    expect(explained?.scores).toEqual(scores);
  });

  it.each([
    {
      name: 'the machine running one',
      machine: 'a1',
      verdict: { plugin: 'zone-spread', verdict: 'filter', message: 'zone a already runs 1 of group web (maxPerZone 1)' },
    },
    {
      name: 'an empty machine of a full zone',
      machine: 'a2',
      verdict: { plugin: 'zone-spread', verdict: 'filter', message: 'zone a already runs 1 of group web (maxPerZone 1)' },
    },
    {
      name: 'another full zone',
      machine: 'b1',
      verdict: { plugin: 'zone-spread', verdict: 'filter', message: 'zone b already runs 1 of group web (maxPerZone 1)' },
    },
    { name: 'a zone with room', machine: 'c1', verdict: { plugin: 'zone-spread', verdict: 'pass' } },
  ])('gives the maxPerZone verdict on $name', async ({ machine, verdict }) => {
    const explained = (await explainThird({ maxPerZone: 1 }))[machine];
    expect(explained?.verdicts).toContainEqual(verdict);
    expect(explained?.feasible).toBe(verdict.verdict === 'pass');
  });

  it('names the best machine: the empty zone', async () => {
    const cluster = await createTestCluster({
      plugins: plugins(),
      machines,
      units: instances('web', 3),
      placements: { 'web@1.service': 'a1', 'web@2.service': 'b1' },
    });
    expect(cluster.explain('web@3.service').bestMachine).toBe('c1');
  });

  it('explains a placed unit as if it were not placed: it does not count against its own zone', async () => {
    const cluster = await createTestCluster({
      plugins: plugins({ maxPerZone: 1 }),
      machines,
      units: instances('web', 1),
      placements: { 'web@1.service': 'a1' },
    });
    const explanation = cluster.explain('web@1.service');
    expect(explanation.placedOn).toBe('a1');
    expect(explanation.machines.every((machine) => machine.feasible && machine.scores['zone-spread'] === undefined)).toBe(true);
  });
});
