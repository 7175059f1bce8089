// Invariants of fleet's rules over random clusters, with every first-party plugin.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulate } from '@fleetd/core/testing';
import { fleetPreset } from '../src/index.js';

const zones = ['a', 'b', 'c'] as const;
const machineIds: readonly string[] = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'];

type UnitSpec =
  | { kind: 'plain'; zone: string | undefined }
  | { kind: 'pinned'; machine: string }
  | { kind: 'follower'; peer: number; zone: string | undefined }
  | { kind: 'conflicting'; pattern: string; zone: string | undefined };

const zoneArb = fc.option(fc.constantFrom(...zones), { nil: undefined });
const unitArb: fc.Arbitrary<UnitSpec> = fc.oneof(
  fc.record({ kind: fc.constant('plain' as const), zone: zoneArb }),
  fc.record({ kind: fc.constant('pinned' as const), machine: fc.constantFrom(...machineIds, 'gone') }),
  fc.record({ kind: fc.constant('follower' as const), peer: fc.nat(15), zone: zoneArb }),
  fc.record({ kind: fc.constant('conflicting' as const), pattern: fc.constantFrom('u0*', 'u1?.service', 'u[2-4].service', 'u*'), zone: zoneArb }),
);
const clusterArb = fc.record({
  machines: fc.uniqueArray(fc.record({ id: fc.constantFrom(...machineIds), zone: fc.constantFrom(...zones) }), { selector: (m) => m.id, minLength: 1 }),
  units: fc.array(unitArb, { maxLength: 16 }),
});

const name = (index: number) => `u${index}.service`;

function unitFile(spec: UnitSpec, index: number): string {
  const options: string[] = [];
  if (spec.kind === 'pinned') options.push(`MachineID=${spec.machine}`);
  if (spec.kind === 'follower' && spec.peer !== index) options.push(`MachineOf=${name(spec.peer)}`);
  if (spec.kind === 'conflicting') options.push(`Conflicts=${spec.pattern}`);
  if (spec.kind !== 'pinned' && spec.zone !== undefined) options.push(`MachineMetadata=zone=${spec.zone}`);
  return `[Service]\nExecStart=/bin/true\n${options.length > 0 ? `\n[X-Fleet]\n${options.join('\n')}\n` : ''}`;
}

/** Go path.Match for the few patterns generated above. */
function patternMatches(pattern: string, unit: string): boolean {
  const source = pattern.replace(/\./g, '\\.').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${source}$`).test(unit);
}

describe('fleet invariants over random clusters', () => {
  it('placements satisfy MachineID, metadata and MachineOf; conflicting units never share; every unschedulable unit has a reason per machine', async () => {
    await fc.assert(
      fc.asyncProperty(clusterArb, async ({ machines, units }) => {
        const cluster = await simulate({
          plugins: fleetPreset(),
          machines: machines.map(({ id, zone }) => ({ id, metadata: { zone } })),
          units: Object.fromEntries(units.map((spec, index) => [name(index), unitFile(spec, index)])),
        });
        const zoneOf = new Map(machines.map((m) => [m.id, m.zone]));
        const placements = cluster.placements();
        units.forEach((spec, index) => {
          const machine = placements[name(index)];
          if (machine === undefined) {
            expect(cluster.reasons(name(index)).map((r) => r.machine)).toEqual(machines.map((m) => m.id).sort());
            return;
          }
          if (spec.kind === 'pinned') expect(machine).toBe(spec.machine);
          if (spec.kind !== 'pinned' && spec.zone !== undefined) expect(zoneOf.get(machine)).toBe(spec.zone);
          if (spec.kind === 'follower' && spec.peer !== index) expect(placements[name(spec.peer)]).toBe(machine);
          if (spec.kind === 'conflicting') {
            for (const other of cluster.unitsOn(machine)) {
              if (other !== name(index)) expect(patternMatches(spec.pattern, other), `${name(index)} shares ${machine} with ${other}`).toBe(false);
            }
          }
        });
      }),
      { numRuns: 200 },
    );
  });

  it('with least-loaded scoring, no feasible machine with fewer units is passed over', async () => {
    await fc.assert(
      fc.asyncProperty(clusterArb, async ({ machines, units }) => {
        const cluster = await simulate({
          plugins: fleetPreset(),
          machines: machines.map(({ id, zone }) => ({ id, metadata: { zone } })),
          units: Object.fromEntries(units.map((spec, index) => [name(index), unitFile(spec, index)])),
          keepCandidates: machineIds.length,
        });
        const loads = new Map(machines.map((m) => [m.id, 0]));
        for (const placement of cluster.rounds[0]?.placements ?? []) {
          // Every feasible machine is a candidate; its score must be minus its load at decision time.
          for (const candidate of placement.candidates) {
            expect(candidate.byPlugin['least-loaded'] ?? 0).toBe(-(loads.get(candidate.machine) ?? 0) || 0);
          }
          const fewest = Math.min(...placement.candidates.map((candidate) => loads.get(candidate.machine) ?? 0));
          expect(loads.get(placement.machine)).toBe(fewest);
          const tied = placement.candidates.filter((c) => loads.get(c.machine) === fewest).map((c) => c.machine).sort();
          expect(placement.machine).toBe(tied[0]);
          loads.set(placement.machine, (loads.get(placement.machine) ?? 0) + 1);
        }
      }),
      { numRuns: 200 },
    );
  });
});
