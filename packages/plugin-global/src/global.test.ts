import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTestCluster, simulate, testPlugin } from '@fleetd/core/testing';
import leastLoaded from '@fleetd/plugin-least-loaded';
import { setsUnitOption } from '@fleetd/core';
import global, { GLOBAL_OPTION, isGlobalUnit, parseGlobal, TRUE_VALUES } from './index.js';

const service = '[Service]\nExecStart=/bin/true\n';
const withFleet = (xFleet: string): string => `${service}\n[X-Fleet]\n${xFleet}\n`;

/** Refuses one machine to one unit (or to every unit), with its own reason. */
const refuse = (id: string, unitName?: string) =>
  testPlugin('refuse', (hooks) => {
    hooks.filter.tap((unit, machine) =>
      machine.id === id && (unitName === undefined || unit.name === unitName) ? `machine ${id} refused by test` : undefined,
    );
  });

describe('parseGlobal', () => {
  it.each([
    ...['true', 'yes', '1', 'on', 't'].map((value) => ({ name: `${value} is true`, values: [value], expected: true })),
    ...['TRUE', 'Yes', 'ON', 'T', 'tRuE'].map((value) => ({ name: `${value} is true (any case)`, values: [value], expected: true })),
    ...['false', 'no', '0', 'off', 'f', 'garbage', '', ' true', 'true ', 'y', '2'].map((value) => ({
      name: `${JSON.stringify(value)} is false`,
      values: [value],
      expected: false,
    })),
    { name: 'no value is false', values: [], expected: false },
    { name: 'the last value wins (true then false)', values: ['true', 'false'], expected: false },
    { name: 'the last value wins (no then yes)', values: ['no', 'yes'], expected: true },
    { name: 'the last value wins over garbage before it', values: ['garbage', 'on'], expected: true },
  ])('$name', ({ values, expected }) => {
    expect(parseGlobal(values)).toBe(expected);
  });

  it('only the last value matters (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), fc.string(), (earlier, last) => {
        expect(parseGlobal([...earlier, last])).toBe(TRUE_VALUES.includes(last.toLowerCase()));
      }),
    );
  });
});

describe('isGlobalUnit', () => {
  it.each([
    { name: 'Global=true', options: [['Global', ['true']]], expected: true },
    { name: 'no Global option', options: [['MachineMetadata', ['a=b']]], expected: false },
    { name: 'Global=false', options: [['Global', ['false']]], expected: false },
    { name: 'no X- spelling: fleet had none', options: [['X-ConditionGlobal', ['true']]], expected: false },
  ] as const)('$name', ({ options, expected }) => {
    const fleetOptions = new Map<string, readonly string[]>(options.map(([key, values]) => [key, [...values]]));
    expect(isGlobalUnit({ fleetOptions })).toBe(expected);
  });
});

describe('GLOBAL_OPTION', () => {
  it.each([
    { name: 'Global=true sets it', options: [['Global', ['true']]], expected: true },
    { name: 'Global=false sets nothing', options: [['Global', ['false']]], expected: false },
    { name: 'Global=garbage sets nothing', options: [['Global', ['garbage']]], expected: false },
    { name: 'the last value decides (true then no)', options: [['Global', ['true', 'no']]], expected: false },
    { name: 'no Global option sets nothing', options: [], expected: false },
  ] as const)("$name (for fleet's exclusions)", ({ options, expected }) => {
    const fleetOptions = new Map<string, readonly string[]>(options.map(([key, values]) => [key, [...values]]));
    expect(setsUnitOption({ fleetOptions }, GLOBAL_OPTION)).toBe(expected);
  });

  it('is declared by the plugin, excluding MachineOf and Replaces', async () => {
    const cluster = await createTestCluster({ plugins: [global] });
    expect(cluster.host.unitOptions.options).toEqual([{ ...GLOBAL_OPTION, plugin: 'global', spellings: ['Global'] }]);
    expect(GLOBAL_OPTION.excludes).toEqual(['MachineOf', 'Replaces']);
  });
});

describe('global plugin', () => {
  it.each([
    { name: 'Global=true', xFleet: 'Global=true' },
    { name: 'Global=yes', xFleet: 'Global=yes' },
    { name: 'Global=1', xFleet: 'Global=1' },
    { name: 'Global=ON', xFleet: 'Global=ON' },
    { name: 'Global=T', xFleet: 'Global=T' },
    { name: 'last line wins', xFleet: 'Global=false\nGlobal=true' },
    { name: 'last of a quoted multi-value wins', xFleet: 'Global="no" "yes"' },
  ])('runs a unit with $name on every machine', async ({ xFleet }) => {
    const cluster = await simulate({ plugins: [global, leastLoaded], machines: ['m1', 'm2', 'm3'], units: { 'agent.service': withFleet(xFleet) } });
    expect(cluster.globalMachines('agent.service')).toEqual(['m1', 'm2', 'm3']);
    expect(cluster.placementOf('agent.service')).toBeUndefined();
    expect(cluster.rounds[0]?.globals).toEqual([{ unit: 'agent.service', machines: ['m1', 'm2', 'm3'], rejections: [] }]);
  });

  it.each([
    { name: 'Global=false', xFleet: 'Global=false' },
    { name: 'Global=no', xFleet: 'Global=no' },
    { name: 'Global=garbage', xFleet: 'Global=garbage' },
    { name: 'Global= (empty)', xFleet: 'Global=' },
    { name: 'last line wins (true then false)', xFleet: 'Global=true\nGlobal=false' },
  ])('places a unit with $name normally', async ({ xFleet }) => {
    const cluster = await simulate({ plugins: [global, leastLoaded], machines: ['m1', 'm2', 'm3'], units: { 'web.service': withFleet(xFleet) } });
    expect(cluster.placementOf('web.service')).toBe('m1');
    expect(cluster.globalMachines('web.service')).toEqual([]);
    expect(cluster.runningCount()).toBe(1);
    expect(cluster.rounds[0]?.globals).toEqual([]);
  });

  it('runs 2 normal units and 1 global unit on 3 machines as 5 units', async () => {
    const cluster = await simulate({
      plugins: [global, leastLoaded],
      machines: ['m1', 'm2', 'm3'],
      units: { 'a.service': service, 'b.service': service, 'agent.service': withFleet('Global=true') },
    });
    expect(cluster.runningCount()).toBe(5);
    expect(cluster.placements()).toEqual({ 'a.service': 'm1', 'b.service': 'm2' });
    expect([cluster.unitsOn('m1'), cluster.unitsOn('m2'), cluster.unitsOn('m3')]).toEqual([
      ['a.service', 'agent.service'],
      ['agent.service', 'b.service'],
      ['agent.service'],
    ]);
  });

  it('counts global units toward least-loaded load', async () => {
    // The global unit is refused on m2, so it runs on m1 and m3 and m2 is the least loaded.
    const cluster = await simulate({
      plugins: [global, refuse('m2', 'agent.service'), leastLoaded],
      machines: ['m1', 'm2', 'm3'],
      units: { 'agent.service': withFleet('Global=true'), 'web.service': service },
    });
    expect(cluster.globalMachines('agent.service')).toEqual(['m1', 'm3']);
    expect(cluster.placementOf('web.service')).toBe('m2');
    expect(cluster.rounds[0]?.placements[0]?.candidates).toEqual([
      { machine: 'm2', total: 0, byPlugin: {} },
      { machine: 'm1', total: -1, byPlugin: { 'least-loaded': -1 } },
      { machine: 'm3', total: -1, byPlugin: { 'least-loaded': -1 } },
    ]);
  });

  it('reports machines other plugins filter out in the round globals with their reason', async () => {
    const cluster = await simulate({
      plugins: [global, refuse('m2'), leastLoaded],
      machines: ['m1', 'm2', 'm3'],
      units: { 'agent.service': withFleet('Global=true') },
    });
    expect(cluster.rounds[0]?.globals).toEqual([
      {
        unit: 'agent.service',
        machines: ['m1', 'm3'],
        rejections: [{ machine: 'm2', plugin: 'refuse', kind: 'filter', message: 'machine m2 refused by test' }],
      },
    ]);
    expect(cluster.runningCount()).toBe(2);
  });

  it('runs a global unit on a machine that joins later', async () => {
    const cluster = await simulate({ plugins: [global, leastLoaded], machines: ['m1'], units: { 'agent.service': withFleet('Global=true') } });
    expect(cluster.globalMachines('agent.service')).toEqual(['m1']);
    cluster.addMachine('m2');
    await cluster.schedule();
    expect(cluster.globalMachines('agent.service')).toEqual(['m1', 'm2']);
  });

  it('marks the resolved unit global and leaves other units untouched', async () => {
    const cluster = await createTestCluster({
      plugins: [global],
      machines: ['m1'],
      units: { 'agent.service': withFleet('Global=true'), 'web.service': withFleet('Global=false') },
    });
    expect(cluster.state.unit('agent.service')?.global).toBe(true);
    expect(cluster.state.unit('web.service')?.global).toBe(false);
  });
});
