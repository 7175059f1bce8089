import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conflicts, leastLoaded, metadata, pin } from '../__fixtures__/plugins.js';
import { simulate } from '../testing/index.js';

const zones = ['a', 'b', 'c'] as const;

const clusterArbitrary = fc.record({
  machines: fc.uniqueArray(fc.record({ id: fc.stringMatching(/^m[0-9]{1,3}$/), zone: fc.constantFrom(...zones) }), {
    selector: (machine) => machine.id,
    minLength: 1,
    maxLength: 12,
  }),
  units: fc.array(
    fc.record({
      zone: fc.option(fc.constantFrom(...zones), { nil: undefined }),
      conflictsWith: fc.option(fc.nat(30), { nil: undefined }),
      pinTo: fc.option(fc.stringMatching(/^m[0-9]{1,3}$/), { nil: undefined, freq: 8 }),
    }),
    { maxLength: 30 },
  ),
});

type Generated = typeof clusterArbitrary extends fc.Arbitrary<infer T> ? T : never;

const unitName = (index: number) => `u${String(index).padStart(2, '0')}.service`;

function unitFile(unit: Generated['units'][number]): string {
  const options = [
    unit.zone && `MachineMetadata=zone=${unit.zone}`,
    unit.conflictsWith !== undefined && `Conflicts=${unitName(unit.conflictsWith)}`,
    unit.pinTo && `MachineID=${unit.pinTo}`,
  ].filter(Boolean);
  return `[Service]\nExecStart=/bin/true\n${options.length ? `[X-Fleet]\n${options.join('\n')}\n` : ''}`;
}

describe('scheduling invariants over random clusters', () => {
  it('every placement satisfies its unit, conflicting units never share a machine, every unschedulable unit has a reason per machine', async () => {
    await fc.assert(
      fc.asyncProperty(clusterArbitrary, async ({ machines, units }) => {
        const cluster = await simulate({
          plugins: [pin, metadata, conflicts, leastLoaded],
          machines: machines.map(({ id, zone }) => ({ id, metadata: { zone } })),
          units: Object.fromEntries(units.map((unit, index) => [unitName(index), unitFile(unit)])),
        });
        const zoneOf = new Map(machines.map((m) => [m.id, m.zone]));
        units.forEach((unit, index) => {
          const name = unitName(index);
          const machine = cluster.placementOf(name);
          if (machine === undefined) {
            const reasons = cluster.reasons(name);
            expect(reasons.map((r) => r.machine)).toEqual(machines.map((m) => m.id).sort());
            return;
          }
          if (unit.zone) expect(zoneOf.get(machine)).toBe(unit.zone);
          if (unit.pinTo) expect(machine).toBe(unit.pinTo);
          if (unit.conflictsWith !== undefined && unit.conflictsWith !== index) {
            expect(cluster.placementOf(unitName(unit.conflictsWith))).not.toBe(machine);
          }
        });
      }),
      { numRuns: 150 },
    );
  });

  it('with only least-loaded scoring and no requirements, loads differ by at most one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 80 }), async (machineCount, unitCount) => {
        const cluster = await simulate({
          plugins: [leastLoaded],
          machines: Array.from({ length: machineCount }, (_, i) => `m${i}`),
          units: Object.fromEntries(
            Array.from({ length: unitCount }, (_, i) => [unitName(i), unitFile({ zone: undefined, conflictsWith: undefined, pinTo: undefined })]),
          ),
        });
        const loads = cluster.state.machines.map((machine) => machine.load);
        expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
        expect(Object.keys(cluster.placements())).toHaveLength(unitCount);
      }),
      { numRuns: 60 },
    );
  });
});
