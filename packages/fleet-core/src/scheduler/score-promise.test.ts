// narrowing.scoresNothing(): a plugin's promise that its score is 0 everywhere for a unit.
import { describe, expect, it } from 'vitest';
import { leastLoaded } from '../__fixtures__/plugins.js';
import type { PluginEntry } from '../index.js';
import { createTestCluster, testPlugin } from '../testing/index.js';

const service = '[Service]\nExecStart=/bin/true\n';

/** Scores only units named `fast*` (5 on m2, 3 elsewhere), and promises 0 for the others unless told not to. */
function fastScorer(options: { promise: boolean; throwAfterPromise?: boolean }): PluginEntry {
  return testPlugin('fast', (hooks) => {
    hooks.narrow.tap((unit, _cluster, narrowing) => {
      if (unit.name.startsWith('fast') || !options.promise) return;
      narrowing.scoresNothing?.();
      if (options.throwAfterPromise === true) throw new Error('narrow broke after promising');
    });
    // Answers 7 for units it promised 0 for: the test sees at once whether the core called it anyway.
    hooks.score.tap((unit, machine) => (unit.name.startsWith('fast') ? (machine.id === 'm2' ? 5 : 3) : 7));
  });
}

const scoreCalls = (cluster: Awaited<ReturnType<typeof createTestCluster>>): number =>
  cluster.host.hookStats().find((stat) => stat.plugin === 'fast' && stat.hook === 'score')?.calls ?? 0;

describe('scoresNothing', () => {
  it.each([
    { name: 'a promised plugin is not called and counts 0 points', promise: true, throwAfterPromise: false, calls: 3, others: {} },
    { name: 'without the promise it is called on every machine', promise: false, throwAfterPromise: false, calls: 6, others: { fast: 7 } },
    { name: 'a narrow tap that throws keeps no promise', promise: true, throwAfterPromise: true, calls: 6, others: { fast: 7 } },
  ])('$name', async ({ promise, throwAfterPromise, calls, others }) => {
    const plugins = [fastScorer({ promise, throwAfterPromise }), leastLoaded];
    // fast.service is decided first (name order) and leaves its 3 points of m3 in the shared score vector.
    const cluster = await createTestCluster({ plugins, machines: ['m1', 'm2', 'm3'], units: { 'fast.service': service, 'plain.service': service } });
    const round = await cluster.schedule();
    expect(scoreCalls(cluster)).toBe(calls);
    expect(round.placements.map(({ unit, machine }) => [unit, machine])).toEqual([
      ['fast.service', 'm2'],
      ['plain.service', 'm1'],
    ]);
    // No stale points: the plain unit's candidates carry the plugin's points only when it was called.
    const plain = round.placements.find((placement) => placement.unit === 'plain.service');
    expect(plain?.candidates).toEqual([
      { machine: 'm1', total: others.fast ?? 0, byPlugin: { ...others } },
      { machine: 'm3', total: others.fast ?? 0, byPlugin: { ...others } },
      { machine: 'm2', total: (others.fast ?? 0) - 1, byPlugin: { ...others, 'least-loaded': -1 } },
    ]);
  });

  it('is kept by explanations too', async () => {
    const cluster = await createTestCluster({
      plugins: [fastScorer({ promise: true }), leastLoaded],
      machines: ['m1', 'm2'],
      units: { 'plain.service': service },
    });
    const explanation = cluster.explain('plain.service');
    expect(scoreCalls(cluster)).toBe(0);
    expect(explanation.machines.map(({ machine, scores, total }) => ({ machine, scores, total }))).toEqual([
      { machine: 'm1', scores: {}, total: 0 },
      { machine: 'm2', scores: {}, total: 0 },
    ]);
  });

  it('holds for one decision only: the next unit is scored again', async () => {
    const cluster = await createTestCluster({
      plugins: [fastScorer({ promise: true }), leastLoaded],
      machines: ['m1', 'm2'],
      units: { 'a.service': service, 'fast.service': service },
    });
    const round = await cluster.schedule();
    expect(scoreCalls(cluster)).toBe(2);
    expect(round.placements.find((placement) => placement.unit === 'fast.service')?.machine).toBe('m2');
  });
});
