import { describe, expect, it } from 'vitest';
import { HookStatsRecorder } from './hook-stats.js';
import { compileFilterRun, compileScoreRun } from './compile.js';
import type { HotHelpers } from './compile.js';
import { HotPaths } from './hot-paths.js';
import type { CompiledHooks, CompiledTap } from './taps.js';

const stats = new HookStatsRecorder();
const tap = (pluginIndex: number, fn: (...args: never[]) => unknown, weight = 1): CompiledTap => ({
  plugin: `p${pluginIndex}`,
  pluginIndex,
  weight,
  hook: 'filter',
  fn,
  slot: stats.slot(`p${pluginIndex}`, 'filter'),
});
const failed: unknown[] = [];
const thrown = (error: unknown) => ({ thrown: error });
const helpers: HotHelpers = {
  // Like the runner's: the first call of a new slot, and one in SAMPLE_EVERY after it, goes through here.
  timed(t, a, b, c) {
    try {
      return (t.fn as (a: unknown, b: unknown, c: unknown) => unknown)(a, b, c);
    } catch (error) {
      return thrown(error);
    }
  },
  thrown,
  filterRejected: (t, _machine, verdict) => void failed.push([t.plugin, verdict]),
  scoreFailed: (t, _machine, value) => (failed.push([t.plugin, value]), Number.NaN),
  narrowAnswered: () => {},
};
const machine = { index: 0 } as never;

describe('compiled filter runs', () => {
  const filters = [tap(0, () => undefined), tap(1, () => 'full'), tap(2, () => 'also full')];
  const run = compileFilterRun(filters);

  it.each([
    { name: 'from the first tap, the first rejection', from: 0, expected: 1, rejectedBy: 'p1' },
    { name: 'resumed after a rejection, the next one', from: 2, expected: 2, rejectedBy: 'p2' },
    { name: 'past the last tap, a pass', from: 3, expected: -1, rejectedBy: undefined },
  ])('$name', ({ from, expected, rejectedBy }) => {
    failed.length = 0;
    expect(run({} as never, machine, {} as never, from, undefined, helpers)).toBe(expected);
    expect(failed[0]?.[0 as never]).toBe(rejectedBy);
  });

  it('passes every machine with no taps', () => {
    expect(compileFilterRun([])({} as never, machine, {} as never, 0, undefined, helpers)).toBe(-1);
  });

  it('hands a throw to the helpers as a rejection, not as an escape', () => {
    failed.length = 0;
    const throwing = compileFilterRun([
      tap(0, () => {
        throw new Error('down');
      }),
    ]);
    // Twice: the first call is the timed one, the second the plain one.
    expect(throwing({} as never, machine, {} as never, 0, undefined, helpers)).toBe(0);
    expect(throwing({} as never, machine, {} as never, 0, undefined, helpers)).toBe(0);
    expect(failed).toEqual([
      ['p0', { thrown: new Error('down') }],
      ['p0', { thrown: new Error('down') }],
    ]);
  });
});

describe('compiled score runs', () => {
  it("sums points times weights, adding a plugin's second tap to its first", () => {
    const taps = [tap(0, () => 2, 10), tap(1, () => 1), tap(0, () => 3, 10)];
    const points = new Float64Array([99, 99]);
    const total = compileScoreRun(taps, Uint8Array.from([1, 1, 0]))({} as never, machine, {} as never, points, undefined, helpers);
    expect(total).toBe(2 * 10 + 1 + 3 * 10);
    expect([...points]).toEqual([5, 1]);
  });

  it.each([
    { name: 'NaN', value: Number.NaN },
    { name: 'a string', value: '3' },
    { name: 'Infinity', value: Number.POSITIVE_INFINITY },
  ])('stops at a tap answering $name: the total is NaN', ({ value }) => {
    failed.length = 0;
    const run = compileScoreRun([tap(0, () => value), tap(1, () => 1)], Uint8Array.from([1, 1]));
    expect(run({} as never, machine, {} as never, new Float64Array(2), undefined, helpers)).toBeNaN();
    expect(failed).toEqual([['p0', value]]);
  });
});

describe('filter plans of a host', () => {
  // One filter tap per plugin: 40 plugins, past what a 32-bit mask of plugins holds.
  const filterTaps = Array.from({ length: 40 }, (_, index) => tap(index, () => undefined));
  const hot = new HotPaths({ filter: filterTaps, score: [], narrow: [] } as unknown as CompiledHooks);

  it.each([
    {
      name: 'regression: plugins that fit a mask, in a host past 31 (1 << 33 is 2: plugin 33 was left out with plugin 1)',
      passing: [1, 5],
      also: 3,
      leftOut: [1, 3, 5],
    },
    { name: 'regression: plugins past 31, once compiled each call', passing: [35, 2], also: 33, leftOut: [2, 33, 35] },
  ])('leaves out the passing plugins and the extra one, and gives the same plan again: $name', ({ passing, also, leftOut }) => {
    const plan = hot.filterPlan(passing, also);
    expect(plan.taps.map((planned) => planned.pluginIndex)).toEqual(filterTaps.map((_, index) => index).filter((index) => !leftOut.includes(index)));
    expect(hot.filterPlan([...passing].reverse(), also)).toBe(plan);
  });
});

describe('score plans of a host', () => {
  // One score tap per plugin (points = its index + 1), 40 plugins: past what a 32-bit mask of plugins holds.
  const scoreTaps = Array.from({ length: 40 }, (_, index) => tap(index, () => index + 1));
  const hot = new HotPaths({ filter: [], score: scoreTaps, narrow: [] } as unknown as CompiledHooks);

  it.each([
    { name: 'plugins that fit a mask', leftOut: [1, 5] },
    { name: 'plugins past 31, in a host past 31', leftOut: [35, 2, 33] },
  ])('leaves out $name, sets their points to 0, and gives the same plan again', ({ leftOut }) => {
    const plan = hot.scorePlan(leftOut);
    expect(plan.taps.map((planned) => planned.pluginIndex)).toEqual(scoreTaps.map((_, index) => index).filter((index) => !leftOut.includes(index)));
    const points = new Float64Array(40).fill(99);
    const total = plan.run({} as never, machine, {} as never, points, undefined, helpers);
    const kept = scoreTaps.map((_, index) => index).filter((index) => !leftOut.includes(index));
    expect(total).toBe(kept.reduce((sum, index) => sum + index + 1, 0));
    expect([...points]).toEqual(scoreTaps.map((_, index) => (leftOut.includes(index) ? 0 : index + 1)));
    expect(hot.scorePlan([...leftOut].reverse())).toBe(plan);
  });

  it('with nothing left out, every score tap', () => {
    expect(hot.scorePlan([])).toBe(hot.everyScore);
    expect(hot.everyScore.taps).toHaveLength(40);
  });
});
