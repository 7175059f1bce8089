import { describe, expect, it } from 'vitest';
import { simulate, testPlugin } from '@fleetd/core/testing';
import { withGlobal } from '@fleetd/core';
import leastLoaded from './index.js';

const service = '[Service]\nExecStart=/bin/true\n';
const globalMarker = testPlugin('global-marker', (hooks) => hooks.resolveUnit.tap((unit) => withGlobal(unit, unit.name.startsWith('global'))));

describe('least-loaded', () => {
  it.each([
    { name: 'empty machines, ties by ID', machines: ['m3', 'm1', 'm2'], placed: {}, expected: 'm1' },
    { name: 'the machine with fewest units', machines: ['m1', 'm2', 'm3'], placed: { 'a.service': 'm1', 'b.service': 'm2' }, expected: 'm3' },
    { name: 'ties among the least loaded by ID', machines: ['m1', 'm2', 'm3'], placed: { 'a.service': 'm2' }, expected: 'm1' },
  ])('picks $name', async ({ machines, placed, expected }) => {
    const units = Object.fromEntries([...Object.keys(placed), 'new.service'].map((name) => [name, service]));
    const cluster = await simulate({ plugins: [leastLoaded], machines, units, placements: placed });
    expect(cluster.placementOf('new.service')).toBe(expected);
  });

  it('counts loaded units but not inactive ones', async () => {
    const cluster = await simulate({
      plugins: [leastLoaded],
      machines: ['m1', 'm2'],
      units: { 'loaded.service': { contents: service, desiredState: 'loaded' }, 'new.service': service },
      placements: { 'loaded.service': 'm1' },
    });
    expect(cluster.placementOf('new.service')).toBe('m2');
  });

  it('counts global units running on a machine', async () => {
    const cluster = await simulate({
      plugins: [globalMarker, leastLoaded],
      machines: ['m1', 'm2'],
      units: { 'global-agent.service': service, 'a.service': service, 'b.service': service, 'c.service': service },
    });
    expect(cluster.unitsOn('m1')).toEqual(['a.service', 'c.service', 'global-agent.service']);
    expect(cluster.unitsOn('m2')).toEqual(['b.service', 'global-agent.service']);
  });

  it('spreads a batch evenly within one round', async () => {
    const units = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`u${i}.service`, service]));
    const cluster = await simulate({ plugins: [leastLoaded], machines: ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'], units });
    const loads = cluster.state.machines.map((machine) => machine.load);
    expect(Math.max(...loads) - Math.min(...loads)).toBe(1);
  });

  it('owns no [X-Fleet] option', async () => {
    const cluster = await simulate({ plugins: [leastLoaded] });
    expect(cluster.host.unitOptions.options).toEqual([]);
  });

  it('reports its score per candidate', async () => {
    const cluster = await simulate({ plugins: [leastLoaded], machines: ['m1', 'm2'], units: { 'a.service': service, 'b.service': service } });
    expect(cluster.rounds[0]?.placements[1]?.candidates).toEqual([
      { machine: 'm2', total: 0, byPlugin: {} },
      { machine: 'm1', total: -1, byPlugin: { 'least-loaded': -1 } },
    ]);
  });
});
