// Properties of the rules over random Replaces graphs: exact names, globs, pairs replacing each other, cycles.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulate } from '@fleetd/core/testing';
import { expectSettled, followPeers, plugins, service, sharingPairs, withFleet } from './helpers.js';

const names = Array.from({ length: 8 }, (_, i) => `${i % 2 === 0 ? 'v' : 'u'}${i}.service`);
const patterns = [...names, 'missing.service', 'u*', 'v*', '*', 'u[1-5]*', '?[0-3]*', '?[4-7]*'];

const clusterArb = fc.record({
  units: fc.uniqueArray(
    fc.record({
      name: fc.constantFrom(...names),
      replaces: fc.array(fc.constantFrom(...patterns), { maxLength: 3 }),
      peer: fc.option(fc.constantFrom(...names), { nil: undefined }),
    }),
    {
      selector: (unit) => unit.name,
      minLength: 1,
      maxLength: 8,
    },
  ),
  machines: fc.integer({ min: 1, max: 6 }),
  initial: fc.array(fc.tuple(fc.nat(7), fc.nat(5)), { maxLength: 6 }),
});
type Input = { units: { name: string; replaces: string[]; peer?: string | undefined }[]; machines: number; initial: [number, number][] };

/** A unit's file: its Replaces and, sometimes, a MachineOf peer (stored as is: a peer its own globs match is refused at submit only). */
function unitFile(unit: Input['units'][number]): string {
  const lines = [
    ...(unit.replaces.length === 0 ? [] : [`Replaces=${unit.replaces.join(' ')}`]),
    ...(unit.peer === undefined || unit.peer === unit.name ? [] : [`MachineOf=${unit.peer}`]),
  ];
  return lines.length === 0 ? service : withFleet(...lines);
}

function run({ units, machines, initial }: Input, machineCount = machines) {
  const ids = Array.from({ length: machineCount }, (_, i) => `m${i + 1}`);
  const contents = Object.fromEntries(units.map((u) => [u.name, unitFile(u)]));
  const placements = Object.fromEntries(
    initial.flatMap(([unit, machine]) => {
      const name = units[unit % units.length]?.name;
      return name === undefined ? [] : [[name, ids[machine % machineCount] as string]];
    }),
  );
  return simulate({ plugins: [followPeers, ...plugins], machines: ids, stored: contents, placements });
}

describe('properties on random Replaces graphs', () => {
  it('the cluster settles, and no unit runs next to a unit replacing it one way (on a cycle or not)', async () => {
    await fc.assert(
      fc.asyncProperty(clusterArb, async (input) => {
        const cluster = await run(input);
        expect(sharingPairs(cluster)).toEqual([]);
        await expectSettled(cluster);
        for (const unit of input.units) {
          if (cluster.placementOf(unit.name) === undefined) expect(cluster.reasons(unit.name)).toHaveLength(input.machines);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('with at least as many machines as units and no MachineOf, every unit runs: no rule strands a unit that has a free machine', async () => {
    await fc.assert(
      fc.asyncProperty(clusterArb, async (input) => {
        const cluster = await run({ ...input, units: input.units.map((unit) => ({ ...unit, peer: undefined })) }, Math.max(input.machines, input.units.length));
        expect(Object.keys(cluster.placements()).sort()).toEqual(input.units.map((unit) => unit.name).sort());
      }),
      { numRuns: 1000 },
    );
  });
});
