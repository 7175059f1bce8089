// Properties over random clusters, with every first-party plugin next to zone-spread.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulate } from '@fleetd/core/testing';
import type { TestCluster } from '@fleetd/core/testing';
import { instances, machinesIn, plugins, service } from './test-support.js';

const NO_ZONE = '(none)';

const clusterArb = fc.record({
  // Machine index → zone; undefined = a machine without the key.
  zones: fc.array(fc.option(fc.constantFrom('a', 'b', 'c', 'd'), { nil: undefined }), { minLength: 1, maxLength: 7 }),
  web: fc.nat(12),
  api: fc.nat(6),
  // Ungrouped units, so machine loads differ and least-loaded pulls the other way.
  others: fc.nat(6),
});

type Shape = typeof clusterArb extends fc.Arbitrary<infer T> ? T : never;

function build({ zones, web, api, others }: Shape) {
  const machines = machinesIn(Object.fromEntries(zones.map((zone, index) => [`m${index}`, zone])));
  const units = { ...instances('web', web), ...instances('api', api) };
  for (let i = 0; i < others; i++) units[`other${i}.service`] = service;
  return { machines, units, zoneCount: new Set(zones.map((zone) => zone ?? NO_ZONE)).size };
}

/** Group → zone → how many of the group's units run there. */
function perZone(cluster: TestCluster): Map<string, Map<string, number>> {
  const counts = new Map<string, Map<string, number>>();
  for (const [unit, machine] of Object.entries(cluster.placements())) {
    const group = /^(\w+)@/.exec(unit)?.[1];
    if (group === undefined) continue;
    const zone = cluster.state.machine(machine)?.metadata['zone'] ?? NO_ZONE;
    const zones = counts.get(group) ?? new Map<string, number>();
    zones.set(zone, (zones.get(zone) ?? 0) + 1);
    counts.set(group, zones);
  }
  return counts;
}

const placedOf = (cluster: TestCluster, group: string) => Object.keys(cluster.placements()).filter((unit) => unit.startsWith(`${group}@`)).length;

describe('zone-spread properties', () => {
  it('with maxPerZone, no zone ever runs more than the limit of a group, and every unit that fits is placed', async () => {
    await fc.assert(
      fc.asyncProperty(clusterArb, fc.integer({ min: 1, max: 3 }), async (shape, maxPerZone) => {
        const { machines, units, zoneCount } = build(shape);
        const cluster = await simulate({ plugins: plugins({ maxPerZone }), machines, units });
        for (const zones of perZone(cluster).values()) {
          for (const count of zones.values()) expect(count).toBeLessThanOrEqual(maxPerZone);
        }
        expect(placedOf(cluster, 'web')).toBe(Math.min(shape.web, zoneCount * maxPerZone));
        expect(placedOf(cluster, 'api')).toBe(Math.min(shape.api, zoneCount * maxPerZone));
      }),
      { numRuns: 80 },
    );
  });

  it('with a weight above any load difference, the zones of a group differ by at most one unit', async () => {
    await fc.assert(
      fc.asyncProperty(clusterArb, async (shape) => {
        const { machines, units, zoneCount } = build(shape);
        const cluster = await simulate({ plugins: plugins({}, 100), machines, units });
        for (const [group, zones] of perZone(cluster)) {
          const counts = [...zones.values()];
          // Zones the group never reached count as zero.
          if (zones.size < zoneCount) counts.push(0);
          expect(Math.max(...counts) - Math.min(...counts), group).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 80 },
    );
  });
});
