import { describe, expect, it } from 'vitest';
import { ErrorCodes, parseUnitName } from '@fleetd/core';
import { createTestCluster } from '@fleetd/core/testing';
import { fleetPreset } from '@fleetd/preset-fleet';
import zoneSpread, { GROUP_OPTION, groupOf } from './index.js';
import { instances, machinesIn, plugins, service, unitWith } from './test-support.js';

function unit(name: string, groups: readonly string[] = []) {
  return { nameInfo: parseUnitName(name), fleetOptions: new Map(groups.length === 0 ? [] : [['Group', groups]]) };
}

describe("a unit's group", () => {
  it.each([
    { name: 'a plain unit has none', unit: unit('api.service'), expected: undefined },
    { name: 'an instance is grouped by its template', unit: unit('web@1.service'), expected: { group: 'web', source: 'template' } },
    { name: 'Group= names it', unit: unit('api.service', ['api']), expected: { group: 'api', source: 'option' } },
    { name: 'Group= wins over the template', unit: unit('blue@1.service', ['web']), expected: { group: 'web', source: 'option' } },
    { name: 'the last Group= wins, trimmed', unit: unit('api.service', ['old', ' new ']), expected: { group: 'new', source: 'option' } },
    { name: 'a template itself is never placed, so has none', unit: unit('web@.service', ['web']), expected: undefined },
  ])('$name', ({ unit, expected }) => {
    expect(groupOf(unit)).toEqual(expected);
  });

  it('expands specifiers first: Group=%p on a template groups its instances by prefix', async () => {
    const cluster = await createTestCluster({ plugins: plugins(), machines: machinesIn({ a1: 'a' }), units: instances('web', 1, unitWith('Group=%p-tier')) });
    expect(cluster.state.unit('web@1.service')?.requirements['zone-spread']).toEqual({ group: 'web-tier', source: 'option' });
  });
});

describe('Group= at submit', () => {
  it.each([
    {
      name: 'unknown to the validation plugin without zone-spread, which declares it',
      plugins: fleetPreset(),
      contents: unitWith('Group=api'),
      problem: 'unrecognized [X-Fleet] option Group',
    },
    { name: 'refused when empty', plugins: plugins(), contents: unitWith('Group='), problem: 'Group= needs a group name' },
  ])('is $name', async ({ plugins: entries, contents, problem }) => {
    const cluster = await createTestCluster({ plugins: entries, machines: ['m1'] });
    expect(() => cluster.submit('api.service', contents)).toThrow(
      expect.objectContaining({ code: ErrorCodes.UNIT_INVALID, message: expect.stringContaining(problem) }),
    );
  });

  it.each([
    { name: "Group= next to fleet's plugins, no validation option needed", contents: unitWith('Group=api') },
    { name: 'a unit without Group=', contents: service },
  ])('accepts $name', async ({ contents }) => {
    const cluster = await createTestCluster({ plugins: plugins(), machines: ['m1'] });
    expect(() => cluster.submit('api.service', contents)).not.toThrow();
  });

  it('declares Group as its own [X-Fleet] option', async () => {
    const cluster = await createTestCluster({ plugins: plugins() });
    expect(cluster.host.unitOptions.get('Group')).toEqual({ ...GROUP_OPTION, plugin: 'zone-spread', spellings: ['Group'] });
    expect(zoneSpread.meta.unitOptions).toEqual([GROUP_OPTION]);
  });

  it.each([
    {
      name: 'warns about Group= on a global unit, where it does nothing',
      units: { 'agent.service': unitWith('Global=true', 'Group=agents') },
      logged: [
        {
          plugin: 'zone-spread',
          level: 'warn',
          message: 'unit agent.service: Group=agents has no effect on a global unit, which runs on every eligible machine',
          fields: { unit: 'agent.service', group: 'agents' },
        },
      ],
    },
    { name: 'says nothing about Group= on a unit it spreads', units: { 'api.service': unitWith('Group=api') }, logged: [] },
    {
      name: 'says nothing about Group= on a unit that is not global (Global=false)',
      units: { 'api.service': unitWith('Global=false', 'Group=api') },
      logged: [],
    },
    { name: 'says nothing about a global instance grouped by its template only', units: instances('agent', 1, unitWith('Global=true')), logged: [] },
  ])('$name', async ({ units, logged }) => {
    const cluster = await createTestCluster({ plugins: plugins(), machines: machinesIn({ a1: 'a' }), units });
    expect(cluster.logs).toEqual(logged);
  });
});
