/**
 * A dry run must say what the engine will do: for random clusters, the plan
 * of the units against the machines is where a TestCluster running the same
 * plugins, round after round until nothing changes, leaves each unit
 * (its machine, a global unit's machines, or nowhere).
 */
import fc from 'fast-check';
import { assemblePlugins, createUnit } from '@fleetd/core';
import type { PluginHost } from '@fleetd/core';
import { createTestCluster } from '@fleetd/core/testing';
import { fleetPreset } from '@fleetd/preset-fleet';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PlanMachineInput, PlanUnitInput } from '../../src/api/wire.js';
import { planUnits } from '../../src/service/index.js';

let host: PluginHost;
beforeAll(async () => {
  host = await assemblePlugins(fleetPreset());
});

const SERVICE = '[Service]\nExecStart=/bin/true\n';
const MACHINE_IDS = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'];
const METADATA = { region: ['eu', 'us'], disk: ['ssd', 'hdd'] } as const;

const metadataOf = fc.record({ region: fc.constantFrom(...METADATA.region), disk: fc.constantFrom(...METADATA.disk) }, { requiredKeys: [] });

const machinesOf = fc
  .array(metadataOf, { minLength: 2, maxLength: 6 })
  .map((metadata): PlanMachineInput[] => metadata.map((entry, index) => ({ id: MACHINE_IDS[index] as string, metadata: entry })));

/** How a unit is constrained; `leader` is an index among the units generated before it (MachineOf chains and trees). */
interface UnitShape {
  readonly placement: { kind: 'free' } | { kind: 'global' } | { kind: 'pinned'; machine: string } | { kind: 'follower'; leader: number };
  readonly conflicts: string | undefined;
  readonly requirement: string | undefined;
  readonly desiredState: 'launched' | 'loaded' | 'inactive';
}

const placementOf = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'free' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'global' as const }) },
  // m9 is never in the cluster: such a unit stays unplaced.
  { weight: 1, arbitrary: fc.constantFrom('m1', 'm2', 'm3', 'm9').map((machine) => ({ kind: 'pinned' as const, machine })) },
  // The unit generated just before (chains, long ones often), or any earlier one (trees).
  { weight: 4, arbitrary: fc.constant({ kind: 'follower' as const, leader: -1 }) },
  { weight: 2, arbitrary: fc.nat(24).map((leader) => ({ kind: 'follower' as const, leader })) },
);

/** `arbitrary` for one unit in four: constraints on every unit would leave little to place. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });

const shapeOf: fc.Arbitrary<UnitShape> = fc.record({
  placement: placementOf,
  // Globs over the unit names below: one letter, a prefix, or an exact name.
  conflicts: sometimes(fc.constantFrom('a*', 'b*', 'c*.service', '?.service', 'ab.service', 'd?.service')),
  requirement: sometimes(fc.constantFrom('region=eu', 'region=us', 'disk=ssd', 'disk=hdd')),
  desiredState: fc.constantFrom<UnitShape['desiredState']>('launched', 'launched', 'launched', 'loaded', 'inactive'),
});

/**
 * Unit names in random, ascending or descending order: chains (each unit
 * following the one before) then run with, against or across the order in
 * which units are decided (by name). Against it, a round places one link
 * per pass, so only successive rounds place a long chain.
 */
const namesOf = fc
  .tuple(fc.uniqueArray(fc.stringMatching(/^[a-e]{1,2}$/), { minLength: 1, maxLength: 25 }), fc.constantFrom('random', 'ascending', 'descending'))
  .map(([names, order]) => {
    const sorted = order === 'random' ? names : [...names].sort();
    return (order === 'descending' ? sorted.reverse() : sorted).map((name) => `${name}.service`);
  });

const unitsOf = namesOf.chain((names) => fc.array(shapeOf, { minLength: names.length, maxLength: names.length }).map((shapes) => unitInputs(names, shapes)));

/** Unit files from shapes, without the combinations the plugins' `excludes` forbid (MachineID with MachineOf, Conflicts or Global...). */
function unitInputs(names: readonly string[], shapes: readonly UnitShape[]): PlanUnitInput[] {
  return names.map((name, index) => {
    const shape = shapes[index] as UnitShape;
    const lines: string[] = [];
    const { placement } = shape;
    if (placement.kind === 'global') lines.push('Global=true');
    if (placement.kind === 'pinned') lines.push(`MachineID=${placement.machine}`);
    if (placement.kind === 'follower' && index > 0) lines.push(`MachineOf=${names[placement.leader < 0 ? index - 1 : placement.leader % index]}`);
    if (shape.conflicts !== undefined && placement.kind !== 'pinned') lines.push(`Conflicts=${shape.conflicts}`);
    if (shape.requirement !== undefined) lines.push(`MachineMetadata=${shape.requirement}`);
    const contents = lines.length === 0 ? SERVICE : `${SERVICE}[X-Fleet]\n${lines.join('\n')}\n`;
    return { name, contents, desiredState: shape.desiredState };
  });
}

/** The plugins refuse some units at submit (a MachineOf peer its own Conflicts match): neither side would see them. */
function accepted(unit: PlanUnitInput): boolean {
  try {
    host.validateUnit(createUnit({ name: unit.name, contents: unit.contents as string }));
    return true;
  } catch {
    return false;
  }
}

interface Outcome {
  readonly machine: string | undefined;
  readonly machines: readonly string[];
}

async function reachedByRounds(machines: readonly PlanMachineInput[], units: readonly PlanUnitInput[]): Promise<Record<string, Outcome>> {
  const cluster = await createTestCluster({
    plugins: fleetPreset(),
    machines: machines.map((machine) => ({ id: machine.id, metadata: machine.metadata ?? {} })),
    units: Object.fromEntries(units.map((unit) => [unit.name, { contents: unit.contents as string, desiredState: unit.desiredState ?? 'launched' }])),
  });
  await cluster.settle();
  return Object.fromEntries(units.map((unit) => [unit.name, { machine: cluster.placementOf(unit.name), machines: cluster.globalMachines(unit.name) }]));
}

function planned(machines: readonly PlanMachineInput[], units: readonly PlanUnitInput[]): Record<string, Outcome> {
  const result = planUnits(host, { machines: [], units: [] }, { units, machines });
  return Object.fromEntries(result.units.map((unit) => [unit.unit, { machine: unit.machine, machines: [...(unit.machines ?? [])].sort() }]));
}

describe("planUnits against the engine's rounds (property)", () => {
  it('plans every unit where rounds until nothing changes leave it, unplaced ones included', async () => {
    await fc.assert(
      fc.asyncProperty(machinesOf, unitsOf, async (machines, generated) => {
        const units = generated.filter(accepted);
        expect(planned(machines, units)).toEqual(await reachedByRounds(machines, units));
      }),
      { numRuns: 600 },
    );
  });
});
