import { afterEach, describe, expect, it, vi } from 'vitest';
import { assemblePlugins, createMachine, ErrorCodes } from '../index.js';
import type { FleetError } from '../index.js';
import { testPlugin } from '../testing/index.js';
import { createHookRunner } from '../unstable.js';
import { baseResolvedUnit } from '../scheduler/resolve.js';
import { createUnit } from '../model/unit.js';
import { DisconnectStops, disconnectVerdict } from './disconnect.js';
import type { HeldUnit } from './disconnect.js';

describe('disconnectVerdict', () => {
  const graces = new Map([
    ['a.service', 10_000],
    ['b.service', 30_000],
    ['c.service', 0],
  ]);
  it.each([
    { name: 'right after the renewal only a zero grace is due', now: 1_000, due: ['c.service'], nextAt: 11_000 },
    { name: 'one ms before a grace runs out it is not due', now: 10_999, due: ['c.service'], nextAt: 11_000 },
    { name: 'a grace is due when it has run out exactly', now: 11_000, due: ['a.service', 'c.service'], nextAt: 31_000 },
    { name: 'every grace run out: nothing left to wait for', now: 31_000, due: ['a.service', 'b.service', 'c.service'], nextAt: undefined },
  ])('$name', ({ now, due, nextAt }) => {
    expect(disconnectVerdict(graces, 1_000, now)).toEqual({ due, nextAt });
  });

  it('no graces: nothing is ever due (the default: an etcd outage stops nothing)', () => {
    expect(disconnectVerdict(new Map(), 0, Number.MAX_SAFE_INTEGER)).toEqual({ due: [], nextAt: undefined });
  });
});

describe('DisconnectStops', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function stops(graces: Map<string, number>) {
    let now = 0;
    const held: { units: readonly HeldUnit[]; cutOffMs: number }[] = [];
    const released: (readonly string[])[] = [];
    const subject = new DisconnectStops({
      now: () => now,
      graces: () => graces,
      onHeld: (units, cutOffMs) => held.push({ units, cutOffMs }),
      onReleased: (units) => released.push(units),
    });
    return { subject, held, released, at: (ms: number) => (now = ms) };
  }

  it('holds each unit when its grace since the last renewal runs out, and releases all when renewed', () => {
    vi.useFakeTimers();
    const { subject, held, released, at } = stops(
      new Map([
        ['a.service', 10_000],
        ['b.service', 20_000],
      ]),
    );
    at(7_000);
    subject.cutOff(1_000);
    expect(held).toEqual([]);
    at(11_000);
    vi.advanceTimersByTime(4_000);
    expect(held).toEqual([{ units: [{ unit: 'a.service', graceMs: 10_000 }], cutOffMs: 10_000 }]);
    expect(subject.isHeld('a.service')).toBe(true);
    at(21_000);
    vi.advanceTimersByTime(10_000);
    expect(held[1]).toEqual({ units: [{ unit: 'b.service', graceMs: 20_000 }], cutOffMs: 20_000 });
    subject.renewed();
    expect(released).toEqual([['a.service', 'b.service']]);
    expect(subject.heldCount).toBe(0);
  });

  it('renewed before any grace ran out: nothing held, nothing released, no timer left', () => {
    vi.useFakeTimers();
    const { subject, held, released, at } = stops(new Map([['a.service', 10_000]]));
    subject.cutOff(0);
    subject.renewed();
    at(60_000);
    vi.advanceTimersByTime(60_000);
    expect(held).toEqual([]);
    expect(released).toEqual([]);
  });

  it('a unit is held once, however often the deadlines are checked', () => {
    const { subject, held, at } = stops(new Map([['a.service', 0]]));
    subject.cutOff(0);
    at(5);
    subject.check();
    subject.check();
    expect(held).toHaveLength(1);
    subject.stop();
  });

  it('checks do nothing while the presence is renewed', () => {
    const { subject, held, at } = stops(new Map([['a.service', 0]]));
    at(1_000_000);
    subject.check();
    expect(held).toEqual([]);
  });
});

describe('the disconnectGrace hook', () => {
  const unit = baseResolvedUnit(createUnit({ name: 'web.service', contents: '[Service]\nExecStart=/bin/true\n' }));
  const machine = createMachine({ id: 'm1', metadata: {} });

  it('is a waterfall: each tap gets the previous answer, the first gets undefined', async () => {
    const seen: unknown[] = [];
    const host = await assemblePlugins([
      testPlugin('first', (hooks) => hooks.disconnectGrace.tap((grace) => (seen.push(grace), 90_000))),
      testPlugin('second', (hooks) => hooks.disconnectGrace.tap((grace, u, m) => (seen.push(grace, u.name, m.id), (grace ?? 0) / 2))),
    ]);
    expect(createHookRunner(host, () => undefined).disconnectGrace(unit, machine)).toBe(45_000);
    expect(seen).toEqual([undefined, 90_000, 'web.service', 'm1']);
  });

  it('without taps a unit keeps running (undefined)', async () => {
    const host = await assemblePlugins([]);
    expect(createHookRunner(host, () => undefined).disconnectGrace(unit, machine)).toBeUndefined();
  });

  it.each([
    { name: 'a negative grace', answer: -1, message: 'disconnectGrace returned -1, expected milliseconds >= 0 or undefined' },
    { name: 'NaN', answer: Number.NaN, message: 'disconnectGrace returned NaN, expected milliseconds >= 0 or undefined' },
    { name: 'a string', answer: '90s', message: 'disconnectGrace returned 90s, expected milliseconds >= 0 or undefined' },
    {
      name: 'an object (shown as JSON, not [object Object])',
      answer: { ms: 90_000 },
      message: 'disconnectGrace returned {"ms":90000}, expected milliseconds >= 0 or undefined',
    },
  ])("regression: $name is reported as the plugin's error and ignored (the unit keeps its previous grace)", async ({ answer, message }) => {
    const errors: FleetError[] = [];
    const host = await assemblePlugins([
      testPlugin('sane', (hooks) => hooks.disconnectGrace.tap(() => 1_000)),
      testPlugin('broken', (hooks) => hooks.disconnectGrace.tap(() => answer as never)),
    ]);
    expect(createHookRunner(host, (error) => errors.push(error)).disconnectGrace(unit, machine)).toBe(1_000);
    expect(errors).toMatchObject([
      { code: ErrorCodes.PLUGIN_ERROR, plugin: 'broken', hook: 'disconnectGrace', message: `plugin "broken" failed in hook "disconnectGrace": ${message}` },
    ]);
  });

  it('a tap that throws is reported and ignored: a broken plugin never stops units', async () => {
    const errors: FleetError[] = [];
    const host = await assemblePlugins([
      testPlugin('throws', (hooks) =>
        hooks.disconnectGrace.tap(() => {
          throw new Error('boom');
        }),
      ),
    ]);
    expect(createHookRunner(host, (error) => errors.push(error)).disconnectGrace(unit, machine)).toBeUndefined();
    expect(errors).toMatchObject([
      { code: ErrorCodes.PLUGIN_ERROR, plugin: 'throws', hook: 'disconnectGrace', message: 'plugin "throws" failed in hook "disconnectGrace": boom' },
    ]);
  });
});
