import { describe, expect, it } from 'vitest';
import { assemblePlugins, createMachine, createUnit, ErrorCodes } from '@fleetd/core';
import type { FleetError } from '@fleetd/core';
import { createTestCluster } from '@fleetd/core/testing';
import { createHookRunner } from '@fleetd/core/unstable';
import disconnect, { graceOf, MAX_GRACE_MS, parseStopAfter, STOP_AFTER_DISCONNECT_OPTION, stopAfterProblem, unitStopAfter } from './index.js';

const withFleet = (xFleet: string): string => `[Service]\nExecStart=/bin/true\n\n[X-Fleet]\n${xFleet}\n`;
const fleetOptions = (entries: [string, string[]][]) => ({ fleetOptions: new Map<string, readonly string[]>(entries) });

describe('parseStopAfter', () => {
  it.each([
    { name: 'seconds', text: '90s', value: 90_000 },
    { name: 'a bare number is seconds', text: '45', value: 45_000 },
    { name: 'minutes', text: '2min', value: 120_000 },
    { name: 'm is minutes, as in systemd', text: '2m', value: 120_000 },
    { name: 'milliseconds', text: '500ms', value: 500 },
    { name: 'hours and minutes together', text: '1h30min', value: 5_400_000 },
    { name: 'spans separated by spaces', text: '1h 30min 15s', value: 5_415_000 },
    { name: 'a fraction', text: '1.5min', value: 90_000 },
    { name: 'long unit names', text: '2 minutes', value: 120_000 },
    { name: 'any case, spaces around', text: '  90S ', value: 90_000 },
    { name: 'days', text: '1d', value: 86_400_000 },
    { name: 'off', text: 'off', value: 'off' },
    { name: 'infinity (systemd)', text: 'infinity', value: 'off' },
    { name: 'zero (systemd: no limit)', text: '0', value: 'off' },
    { name: 'a zero span', text: '0s', value: 'off' },
    { name: 'the longest grace', text: '24d', value: MAX_GRACE_MS },
  ])('$name: $text', ({ text, value }) => {
    expect(parseStopAfter(text)).toEqual({ ok: true, value });
  });

  it.each([
    { name: 'empty', text: '', problem: 'is empty: give a time span such as 90s, 2min or 1h30min, or off' },
    { name: 'a word', text: 'soon', problem: '"soon" is not a time span: use one such as 90s, 2min or 1h30min (units ms, s, min, h, d), or off' },
    { name: 'an unknown unit', text: '3w', problem: '"3w" is not a time span: use one such as 90s, 2min or 1h30min (units ms, s, min, h, d), or off' },
    { name: 'a negative span', text: '-5s', problem: '"-5s" is not a time span: use one such as 90s, 2min or 1h30min (units ms, s, min, h, d), or off' },
    { name: 'garbage after a span', text: '90s!', problem: '"90s!" is not a time span: use one such as 90s, 2min or 1h30min (units ms, s, min, h, d), or off' },
    { name: 'longer than 24 days', text: '25d', problem: '"25d" is longer than 24 days, the most a grace can be; use off for no limit' },
  ])('refuses $name', ({ text, problem }) => {
    expect(parseStopAfter(text)).toEqual({ ok: false, problem });
  });
});

describe('unitStopAfter and graceOf', () => {
  it.each([
    { name: 'no option', options: [], expected: undefined },
    { name: 'a span', options: [['StopAfterDisconnect', ['90s']]], expected: 90_000 },
    { name: 'the last value wins', options: [['StopAfterDisconnect', ['90s', 'off']]], expected: 'off' },
    { name: 'an invalid value counts as none (submit refuses it)', options: [['StopAfterDisconnect', ['soon']]], expected: undefined },
  ] as { name: string; options: [string, string[]][]; expected: unknown }[])('$name', ({ options, expected }) => {
    expect(unitStopAfter(fleetOptions(options))).toEqual(expected);
  });

  it.each([
    { name: 'off everywhere: the previous answer stands', own: [], global: false, machine: 'off', previous: undefined, expected: undefined },
    { name: 'the machine default for a placed unit', own: [], global: false, machine: 60_000, previous: undefined, expected: 60_000 },
    { name: "the unit's own span wins over the machine default", own: ['30s'], global: false, machine: 60_000, previous: undefined, expected: 30_000 },
    { name: "the unit's off wins over the machine default", own: ['off'], global: false, machine: 60_000, previous: 5_000, expected: undefined },
    { name: 'no machine default for a global unit', own: [], global: true, machine: 60_000, previous: undefined, expected: undefined },
    { name: "a global unit's own span applies", own: ['10s'], global: true, machine: 'off', previous: undefined, expected: 10_000 },
    { name: "an earlier plugin's grace stands when nothing is set", own: [], global: false, machine: 'off', previous: 7_000, expected: undefined },
  ] as { name: string; own: string[]; global: boolean; machine: number | 'off'; previous: number | undefined; expected: number | undefined }[])(
    '$name',
    ({ own, global, machine, previous, expected }) => {
      const unit = { ...fleetOptions(own.length === 0 ? [] : [['StopAfterDisconnect', own]]), global };
      expect(graceOf(unit, machine, previous)).toBe(expected);
    },
  );
});

describe('stopAfterProblem', () => {
  it('names the option and the bad value', () => {
    expect(stopAfterProblem(fleetOptions([['StopAfterDisconnect', ['90s', 'soon']]]))).toBe(
      '[X-Fleet] StopAfterDisconnect: "soon" is not a time span: use one such as 90s, 2min or 1h30min (units ms, s, min, h, d), or off',
    );
    expect(stopAfterProblem(fleetOptions([['StopAfterDisconnect', ['2min']]]))).toBeUndefined();
  });
});

describe('disconnect plugin', () => {
  const machine = createMachine({ id: 'm1', metadata: {} });

  async function graceFor(contents: string, options?: unknown) {
    const host = await assemblePlugins([options === undefined ? disconnect : [disconnect, options]]);
    const unit = host.resolveUnit(createUnit({ name: 'web.service', contents }));
    return createHookRunner(host, () => undefined).disconnectGrace(unit, machine);
  }

  it('declares StopAfterDisconnect', async () => {
    const cluster = await createTestCluster({ plugins: [disconnect] });
    expect(cluster.host.unitOptions.options).toEqual([{ ...STOP_AFTER_DISCONNECT_OPTION, plugin: 'disconnect', spellings: ['StopAfterDisconnect'] }]);
  });

  it.each([
    { name: 'off by default: nothing stops', contents: withFleet('MachineMetadata=a=b'), options: undefined, expected: undefined },
    { name: 'the unit option', contents: withFleet('StopAfterDisconnect=90s'), options: undefined, expected: 90_000 },
    { name: 'the machine default', contents: withFleet('MachineMetadata=a=b'), options: { stopAfter: '20s' }, expected: 20_000 },
    { name: 'the unit option over the machine default', contents: withFleet('StopAfterDisconnect=off'), options: { stopAfter: '20s' }, expected: undefined },
  ])('grace: $name', async ({ contents, options, expected }) => {
    expect(await graceFor(contents, options)).toBe(expected);
  });

  it('regression: an invalid StopAfterDisconnect is refused at submit, naming unit, option and plugin', async () => {
    const host = await assemblePlugins([disconnect]);
    let refused: FleetError | undefined;
    try {
      host.validateUnit(createUnit({ name: 'web.service', contents: withFleet('StopAfterDisconnect=soon') }));
    } catch (error) {
      refused = error as FleetError;
    }
    expect(refused).toMatchObject({
      code: ErrorCodes.UNIT_INVALID,
      unit: 'web.service',
      plugin: 'disconnect',
      message:
        'unit web.service: [X-Fleet] StopAfterDisconnect: "soon" is not a time span: use one such as 90s, 2min or 1h30min (units ms, s, min, h, d), or off',
    });
  });

  it.each([
    {
      name: 'a bad span',
      options: { stopAfter: 'soon' },
      message:
        'invalid plugin options:\n  disconnect: stopAfter: "soon" is not a time span: use one such as 90s, 2min or 1h30min (units ms, s, min, h, d), or off',
    },
    {
      name: 'a number',
      options: { stopAfter: 90 },
      message: 'invalid plugin options:\n  disconnect: stopAfter: must be a time span string such as "90s" or "off", got 90',
    },
    {
      name: 'an unknown key',
      options: { stopAfterSeconds: 90 },
      message: 'invalid plugin options:\n  disconnect: options: unknown option stopAfterSeconds; the only option is stopAfter',
    },
  ])('refuses plugin options with $name', async ({ options, message }) => {
    await expect(assemblePlugins([[disconnect, options]])).rejects.toMatchObject({ code: ErrorCodes.PLUGIN_OPTIONS_INVALID, message });
  });
});
