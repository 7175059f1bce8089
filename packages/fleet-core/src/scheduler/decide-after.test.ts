// narrowing.decideAfter(waitsFor): a unit decided after the units it waits for, once per round.
import { describe, expect, it } from 'vitest';
import { leastLoaded } from '../__fixtures__/plugins.js';
import type { PluginEntry } from '../index.js';
import { ErrorCodes } from '../index.js';
import { createTestCluster, testPlugin } from '../testing/index.js';

const service = '[Service]\nExecStart=/bin/true\n';

/** `a.service` waits for the units named in `waitsFor`; `only` keeps units on some machines. */
function plugins(options: {
  waitsFor?: ((unit: string) => boolean) | undefined;
  only?: Readonly<Record<string, string>>;
  peers?: Readonly<Record<string, string>>;
}): PluginEntry[] {
  const asks = testPlugin('asks', (hooks) => {
    hooks.narrow.tap((unit, _cluster, narrowing) => {
      if (unit.name === 'a.service' && options.waitsFor !== undefined) narrowing.decideAfter?.(options.waitsFor);
    });
  });
  const only = testPlugin('only', (hooks) => {
    hooks.filter.tap((unit, machine, cluster) => {
      const pinned = options.only?.[unit.name];
      if (pinned !== undefined && pinned !== machine.id) return `only on ${pinned}`;
      const peer = options.peers?.[unit.name];
      if (peer !== undefined && cluster.placementOf(peer) !== machine) return `not with ${peer}`;
      return undefined;
    });
  });
  return [asks, only, leastLoaded];
}

describe('decideAfter', () => {
  it.each([
    {
      name: 'without a request, name order: a.service takes the least loaded machine first',
      waitsFor: undefined,
      expected: { 'a.service': 'm1', 'z.service': 'm2' },
      order: ['a.service', 'z.service'],
    },
    {
      name: 'waiting for z.service: z.service is decided first',
      waitsFor: (unit: string) => unit === 'z.service',
      expected: { 'a.service': 'm2', 'z.service': 'm1' },
      order: ['z.service', 'a.service'],
    },
    {
      name: 'waiting for a unit that does not wait: decided at once',
      waitsFor: (unit: string) => unit === 'missing.service',
      expected: { 'a.service': 'm1', 'z.service': 'm2' },
      order: ['a.service', 'z.service'],
    },
  ])('$name', async ({ waitsFor, expected, order }) => {
    const cluster = await createTestCluster({ plugins: plugins({ waitsFor }), machines: ['m1', 'm2'], units: { 'a.service': service, 'z.service': service } });
    const round = await cluster.schedule();
    expect(cluster.placements()).toEqual(expected);
    // A round's placements come in the order they were decided.
    expect(round.placements.map((placement) => placement.unit)).toEqual(order);
  });

  it('waits for a unit placed only in the next cycle (it follows a unit decided after it), and is decided after it there', async () => {
    // x.service can only go next to z.service, decided after it: x.service is placed in the second cycle, then a.service.
    const cluster = await createTestCluster({
      plugins: plugins({ waitsFor: (unit) => unit === 'x.service', only: { 'z.service': 'm2' }, peers: { 'x.service': 'z.service' } }),
      machines: ['m1', 'm2'],
      units: { 'a.service': service, 'x.service': service, 'z.service': service },
    });
    const round = await cluster.schedule();
    expect(cluster.placements()).toEqual({ 'a.service': 'm1', 'x.service': 'm2', 'z.service': 'm2' });
    expect(round.placements.map((placement) => placement.unit)).toEqual(['z.service', 'x.service', 'a.service']);
  });

  it('is put off once per round: a unit still waiting at the end of the round is decided anyway', async () => {
    // z.service can never be placed (no machine m9): a.service is decided in the same round all the same.
    const cluster = await createTestCluster({
      plugins: plugins({ waitsFor: (unit) => unit === 'z.service', only: { 'z.service': 'm9' } }),
      machines: ['m1', 'm2'],
      units: { 'a.service': service, 'z.service': service },
    });
    const round = await cluster.schedule();
    expect(cluster.placements()).toEqual({ 'a.service': 'm1' });
    expect(round.unschedulable.map((unit) => unit.unit)).toEqual(['z.service']);
    const again = await cluster.schedule();
    expect([again.placements, again.revocations]).toEqual([[], []]);
  });

  it('a predicate that throws is reported and asks for nothing', async () => {
    const cluster = await createTestCluster({
      plugins: plugins({
        waitsFor: () => {
          throw new Error('predicate broke');
        },
      }),
      machines: ['m1', 'm2'],
      units: { 'a.service': service, 'z.service': service },
    });
    const round = await cluster.schedule();
    expect(cluster.placements()).toEqual({ 'a.service': 'm1', 'z.service': 'm2' });
    expect(round.pluginErrors).toMatchObject([
      { code: ErrorCodes.PLUGIN_ERROR, plugin: 'asks', hook: 'narrow', message: 'plugin "asks" failed in hook "narrow": predicate broke' },
    ]);
  });

  it('explanations do not put a unit off', async () => {
    const cluster = await createTestCluster({
      plugins: plugins({ waitsFor: (unit) => unit === 'z.service' }),
      machines: ['m1', 'm2'],
      units: { 'a.service': service, 'z.service': service },
    });
    expect(cluster.explain('a.service').bestMachine).toBe('m1');
  });
});
