import { describe, expect, it } from 'vitest';
import { assemblePlugins, ErrorCodes } from '@fleetd/core';
import { fleetPreset } from '@fleetd/preset-fleet';
import zoneSpread, { zoneSpreadOptions } from './index.js';

describe('zone-spread options', () => {
  it.each([
    { name: 'no options: zones from `zone`, no limit', options: undefined, expected: { key: 'zone' } },
    { name: 'an empty object', options: {}, expected: { key: 'zone' } },
    { name: 'another key', options: { key: 'rack' }, expected: { key: 'rack' } },
    { name: 'a limit', options: { maxPerZone: 2 }, expected: { key: 'zone', maxPerZone: 2 } },
  ])('accepts $name', async ({ options, expected }) => {
    expect(zoneSpreadOptions.parse(options ?? {})).toEqual(expected);
    await expect(assemblePlugins([{ plugin: zoneSpread, options }])).resolves.toBeDefined();
  });

  it.each([
    { name: 'an empty key', options: { key: '' }, issues: ['zone-spread: key: must be a non-empty metadata key'] },
    { name: 'a key that is not a string', options: { key: 3 }, issues: ['zone-spread: key: must be a metadata key (a string)'] },
    { name: 'a zero limit', options: { maxPerZone: 0 }, issues: ['zone-spread: maxPerZone: must be a positive integer'] },
    { name: 'a fractional limit', options: { maxPerZone: 1.5 }, issues: ['zone-spread: maxPerZone: must be a positive integer'] },
    { name: 'a limit given as text', options: { maxPerZone: '2' }, issues: ['zone-spread: maxPerZone: must be a positive integer'] },
    { name: 'a misspelt option', options: { maxPerzone: 2 }, issues: ['zone-spread: options: Unrecognized key: "maxPerzone"'] },
    {
      name: 'every problem at once',
      options: { key: '', maxPerZone: -1 },
      issues: ['zone-spread: key: must be a non-empty metadata key', 'zone-spread: maxPerZone: must be a positive integer'],
    },
  ])('refuses $name, as `plugin: path: message`', async ({ options, issues }) => {
    const assembling = assemblePlugins([...fleetPreset(), { plugin: zoneSpread, options }]);
    await expect(assembling).rejects.toMatchObject({
      code: ErrorCodes.PLUGIN_OPTIONS_INVALID,
      plugin: 'zone-spread',
      issues,
      message: `invalid plugin options:\n  ${issues.join('\n  ')}`,
    });
  });
});
