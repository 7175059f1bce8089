// The core's side of `narrowing.scoreOrder`: when it walks a promised order instead of scoring
// every candidate, and that a walk never leaves the candidates plugins narrowed the unit to.
import { describe, expect, it } from 'vitest';
import { assemblePlugins, createUnit } from '../index.js';
import type { Machine, PluginEntry } from '../index.js';
import { testPlugin } from '../testing/index.js';
import { Scheduler } from './scheduler.js';

/** Scores by load and promises the core's load order, as least-loaded does. */
const orderedByLoad = testPlugin('ordered-by-load', (hooks) => {
  hooks.narrow.tap((_unit, cluster, narrowing) => {
    if (cluster.machinesByLoad !== undefined) narrowing.scoreOrder?.(cluster.machinesByLoad());
  });
  hooks.score.tap((_unit, machine) => -machine.load);
});

/** Narrows `even` units to the even machines and has no filter: the restriction alone keeps them there. */
const evenOnly = testPlugin('even-only', (hooks) => {
  hooks.narrow.tap((unit, cluster, narrowing) => {
    if (unit.name.startsWith('even'))
      narrowing.restrict(
        cluster.machines.filter((_machine, i) => i % 2 === 0),
        'even machines only',
      );
  });
});

/** A second scorer: with it the order of one plugin says nothing of the total. */
const preferLast = testPlugin('prefer-last', (hooks) => {
  hooks.score.tap((_unit, machine, cluster) => (machine.id === cluster.machines.at(-1)?.id ? 100 : 0));
});

const machines: Machine[] = Array.from({ length: 16 }, (_, i) => ({ id: `m${String(i).padStart(2, '0')}`, metadata: {} }));
const unit = (name: string) => createUnit({ name, contents: '[Service]\nExecStart=/bin/true\n', desiredState: 'launched' });

async function decide(plugins: PluginEntry[], names: readonly string[]) {
  const scheduler = new Scheduler(await assemblePlugins(plugins));
  return scheduler.decide(scheduler.createState({ machines, units: names.map(unit) }));
}

describe('walking a promised score order', () => {
  it.each([
    { name: 'the only scorer, nothing narrowed: three machines per unit', plugins: [orderedByLoad], evaluations: 4 * 3, placed: ['m00', 'm01', 'm02', 'm03'] },
    // Every total is 0: ties go by ID, which the load order does not follow.
    {
      name: 'a weight of 0: every machine is scored',
      plugins: [{ plugin: orderedByLoad, weight: 0 }],
      evaluations: 4 * 16,
      placed: ['m00', 'm00', 'm00', 'm00'],
    },
    {
      name: 'another plugin scoring too: every machine is scored',
      plugins: [orderedByLoad, preferLast],
      evaluations: 4 * 16,
      placed: ['m15', 'm15', 'm15', 'm15'],
    },
    {
      name: 'no promise: every machine is scored',
      plugins: [testPlugin('unordered', (hooks) => hooks.score.tap((_unit, machine) => -machine.load))],
      evaluations: 4 * 16,
      placed: ['m00', 'm01', 'm02', 'm03'],
    },
  ])('$name', async ({ plugins, evaluations, placed }) => {
    const plan = await decide(plugins, ['a.service', 'b.service', 'c.service', 'd.service']);
    expect(plan.evaluations).toBe(evaluations);
    expect(plan.placements.map((placement) => placement.machine)).toEqual(placed);
  });

  it('regression: a narrowed unit walked in load order stays among its candidates, though no filter would reject the others', async () => {
    const plan = await decide([evenOnly, orderedByLoad], ['even1.service', 'even2.service', 'even3.service', 'odd.service']);
    expect(plan.placements.map((p) => [p.unit, p.machine])).toEqual([
      ['even1.service', 'm00'],
      ['even2.service', 'm02'],
      ['even3.service', 'm04'],
      ['odd.service', 'm01'],
    ]);
    expect(plan.placements[0]?.candidates.map((c) => c.machine)).toEqual(['m00', 'm02', 'm04']);
  });

  it('a unit narrowed to a few machines is scanned, not walked', async () => {
    const few = testPlugin('few', (hooks) => {
      hooks.narrow.tap((_unit, cluster, narrowing) => narrowing.restrict(cluster.machines.slice(15), 'the last one'));
    });
    const plan = await decide([few, orderedByLoad], ['x.service']);
    expect(plan.evaluations).toBe(1);
    expect(plan.placements[0]?.machine).toBe('m15');
  });
});
