import { describe, expect, it } from 'vitest';
import { fleetPreset } from '@fleetd/preset-fleet';
import { createTestCluster, simulate } from '@fleetd/core/testing';
import plugin, { fullReason } from './index.js';

// Tested next to fleet's own plugins, as fleetd runs it.
const plugins = [...fleetPreset(), { plugin, options: { maxUnits: 2 } }];
const machines = ['m1', 'm2'];
const service = '[Service]\nExecStart=/usr/bin/sleep infinity\n';

function units(count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`web${i + 1}.service`, service]));
}

describe('{{pluginName}}', () => {
  it.each([
    { name: 'an empty machine', others: 0, expected: undefined },
    { name: 'a machine below the limit', others: 1, expected: undefined },
    { name: 'a machine at the limit', others: 2, expected: 'full: runs 2 units, the most maxUnits allows' },
  ])('fullReason: $name', ({ others, expected }) => {
    expect(fullReason(others, 2)).toBe(expected);
  });

  it('places units while machines have room', async () => {
    const cluster = await simulate({ plugins, machines, units: units(4) });
    expect(cluster.unitsOn('m1')).toHaveLength(2);
    expect(cluster.unitsOn('m2')).toHaveLength(2);
  });

  it('says why a unit fits nowhere', async () => {
    const cluster = await simulate({ plugins, machines, units: units(5) });
    const [unplaced] = Object.keys(units(5)).filter((unit) => cluster.placementOf(unit) === undefined);
    expect(cluster.summary(unplaced ?? '')).toBe('0/2 machines available: 2 full: runs 2 units, the most maxUnits allows');
  });

  it('keeps placed units where they are', async () => {
    const cluster = await createTestCluster({ plugins, machines, units: units(2), placements: { 'web1.service': 'm1', 'web2.service': 'm1' } });
    await cluster.settle();
    expect(cluster.placements()).toEqual({ 'web1.service': 'm1', 'web2.service': 'm1' });
  });

  it('refuses a misspelt option', async () => {
    await expect(simulate({ plugins: [...fleetPreset(), { plugin, options: { maxUnit: 2 } }] })).rejects.toThrow('maxUnit');
  });
});
