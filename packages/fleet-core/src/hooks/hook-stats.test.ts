import { describe, expect, it } from 'vitest';
import { leastLoaded, metadata } from '../__fixtures__/plugins.js';
import { simulate, testPlugin } from '../testing/index.js';
import { SAMPLE_EVERY } from '../index.js';

const slowBind = testPlugin('slow-bind', (hooks) => {
  hooks.bind.tap(() => new Promise((resolve) => setTimeout(resolve, 20)));
});

describe('hook statistics', () => {
  it('counts every filter and score call exactly and times the async hooks', async () => {
    const machines = Array.from({ length: 10 }, (_, index) => `m${index}`);
    const cluster = await simulate({
      plugins: [metadata, leastLoaded, slowBind],
      machines,
      units: { 'a.service': '[Service]\nExecStart=/bin/true\n', 'b.service': '[Service]\nExecStart=/bin/true\n' },
    });
    const stats = Object.fromEntries(cluster.host.hookStats().map((stat) => [`${stat.plugin} ${stat.hook}`, stat]));
    // Placing evaluates each machine; revalidation re-checks each placement once per cycle.
    const filterCalls = cluster.rounds.reduce((sum, round) => sum + round.stats.evaluations + round.stats.revalidations, 0);
    expect(stats['metadata filter']?.calls).toBe(filterCalls);
    expect(stats['least-loaded score']?.calls).toBe(20);
    expect(stats['slow-bind bind']?.calls).toBe(cluster.rounds.length);
    expect(stats['slow-bind bind']?.seconds).toBeGreaterThanOrEqual(0.015);
    // Sampled hooks still report time: the first call of every SAMPLE_EVERY is timed.
    expect(stats['metadata filter']?.seconds).toBeGreaterThan(0);
    expect(SAMPLE_EVERY).toBeGreaterThan(1);
  });

  it('regression: times resolveUnit and validateUnit taps, which were counted with no time at all', async () => {
    const checking = testPlugin('checking', (hooks) => hooks.validateUnit.tap(() => undefined));
    const cluster = await simulate({
      plugins: [metadata, checking, leastLoaded],
      machines: ['m1'],
      units: { 'a.service': '[Service]\nExecStart=/bin/true\n' },
    });
    const stats = Object.fromEntries(cluster.host.hookStats().map((stat) => [`${stat.plugin} ${stat.hook}`, stat]));
    for (const key of ['metadata resolveUnit', 'checking validateUnit']) {
      expect(stats[key]?.calls, key).toBeGreaterThanOrEqual(1);
      expect(stats[key]?.seconds, key).toBeGreaterThan(0);
    }
  });
});
