import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTestCluster, simulate, testPlugin } from '@fleetd/core/testing';
import type { TestCluster } from '@fleetd/core/testing';
import machineId, { MACHINE_ID_OPTION, machineIdRequirement, resolveMachineId, SHORT_ID_LENGTH } from './index.js';

const A = '113f2ab5c6d7e8f90123456789abcdef';
const B = '22aa33bb44cc55dd66ee77ff88990011';
const C1 = 'c0ffee00aaaaaaaaaaaaaaaaaaaaaaaa';
const C2 = 'c0ffee00bbbbbbbbbbbbbbbbbbbbbbbb';

const unit = (xFleet: string): string => `[Service]\nExecStart=/bin/true\n\n[X-Fleet]\n${xFleet}\n`;
const plain = '[Service]\nExecStart=/bin/true\n';

/** Rejects one machine, to see the pinned machine refused by someone else. */
const refuse = (id: string) =>
  testPlugin('refuse', (hooks) => {
    hooks.filter.tap((_unit, machine) => (machine.id === id ? 'refused by test' : undefined));
  });

/** Its narrow tap throws, so the core drops narrowing and runs every filter on every machine. */
const noNarrowing = testPlugin('no-narrowing', (hooks) => {
  hooks.narrow.tap(() => {
    throw new Error('narrowing disabled for this test');
  });
});

describe('machineIdRequirement', () => {
  it.each([
    { name: 'no option', options: [], expected: undefined },
    { name: 'MachineID', options: [['MachineID', [A]]], expected: { id: A, option: 'MachineID' } },
    { name: 'legacy spelling', options: [['X-ConditionMachineID', [B]]], expected: { id: B, option: 'X-ConditionMachineID' } },
    { name: 'legacy boot ID spelling', options: [['X-ConditionMachineBootID', [B]]], expected: { id: B, option: 'X-ConditionMachineBootID' } },
    { name: 'first value counts', options: [['MachineID', [A, B]]], expected: { id: A, option: 'MachineID' } },
    {
      name: 'MachineID before the legacy spelling, whatever the file order',
      options: [
        ['X-ConditionMachineID', [B]],
        ['MachineID', [A]],
      ],
      expected: { id: A, option: 'MachineID' },
    },
    {
      name: 'X-ConditionMachineID before the boot ID spelling, whatever the file order',
      options: [
        ['X-ConditionMachineBootID', [A]],
        ['X-ConditionMachineID', [B]],
      ],
      expected: { id: B, option: 'X-ConditionMachineID' },
    },
    {
      name: 'MachineID before both legacy spellings',
      options: [
        ['X-ConditionMachineBootID', [B]],
        ['X-ConditionMachineID', [B]],
        ['MachineID', [A]],
      ],
      expected: { id: A, option: 'MachineID' },
    },
    { name: 'empty value is kept (validateUnit refuses it)', options: [['MachineID', ['']]], expected: { id: '', option: 'MachineID' } },
  ] as const)('$name', ({ options, expected }) => {
    const fleetOptions = new Map<string, readonly string[]>(options.map(([key, values]) => [key, [...values]]));
    expect(machineIdRequirement({ fleetOptions })).toEqual(expected);
  });
});

describe('resolveMachineId', () => {
  const lookup = (ids: readonly string[]) => {
    const machines = [...ids].sort().map((id) => ({ id }));
    return {
      machine: (id: string) => machines.find((machine) => machine.id === id),
      machinesByIdPrefix: (prefix: string) => machines.filter((machine) => machine.id.startsWith(prefix)),
    };
  };

  it.each([
    { name: 'full ID', ids: [A, B], value: A, expected: { kind: 'exact', machine: { id: A }, reason: `pinned to machine ${A}` } },
    { name: 'short ID', ids: [A, B], value: A.slice(0, 8), expected: { kind: 'short', machine: { id: A }, reason: `pinned to machine ${A}` } },
    {
      name: 'exact match wins over a longer ID with that prefix',
      ids: ['abcdef12', 'abcdef12ffff'],
      value: 'abcdef12',
      expected: { kind: 'exact', machine: { id: 'abcdef12' }, reason: 'pinned to machine abcdef12' },
    },
    {
      name: 'ambiguous short ID',
      ids: [A, C1, C2],
      value: 'c0ffee00',
      expected: { kind: 'ambiguous', matches: 2, reason: 'short machine ID c0ffee00 is ambiguous: 2 machines match' },
    },
    { name: 'unknown machine', ids: [A, B], value: 'deadbeef', expected: { kind: 'unknown', reason: 'machine deadbeef is not in the cluster' } },
    {
      name: '7-character prefix is no short ID',
      ids: [A],
      value: A.slice(0, 7),
      expected: { kind: 'unknown', reason: `machine ${A.slice(0, 7)} is not in the cluster` },
    },
    {
      name: '9-character prefix is no short ID',
      ids: [A],
      value: A.slice(0, 9),
      expected: { kind: 'unknown', reason: `machine ${A.slice(0, 9)} is not in the cluster` },
    },
    { name: 'empty value', ids: [A], value: '', expected: { kind: 'unknown', reason: 'MachineID is empty' } },
  ])('$name', ({ ids, value, expected }) => {
    expect(resolveMachineId(value, lookup(ids))).toEqual(expected);
  });

  it('short IDs are 8 characters, as fleet', () => {
    expect(SHORT_ID_LENGTH).toBe(8);
  });
});

describe('machine-id plugin', () => {
  it.each([
    { name: 'full ID', xFleet: `MachineID=${B}`, expected: B },
    { name: 'short ID', xFleet: `MachineID=${B.slice(0, 8)}`, expected: B },
    { name: 'legacy X-ConditionMachineID', xFleet: `X-ConditionMachineID=${B}`, expected: B },
    { name: 'legacy spelling with a short ID', xFleet: `X-ConditionMachineID=${B.slice(0, 8)}`, expected: B },
    { name: 'legacy X-ConditionMachineBootID', xFleet: `X-ConditionMachineBootID=${B}`, expected: B },
    { name: 'X-ConditionMachineID wins over the boot ID spelling', xFleet: `X-ConditionMachineBootID=${A}\nX-ConditionMachineID=${B}`, expected: B },
    { name: 'first value counts over later lines', xFleet: `MachineID=${B}\nMachineID=${A}`, expected: B },
    { name: 'first value counts in a quoted multi-value', xFleet: `MachineID="${B}" "${A}"`, expected: B },
    { name: 'MachineID wins over the legacy spelling', xFleet: `X-ConditionMachineID=${A}\nMachineID=${B}`, expected: B },
    { name: 'a short ID shared with no other machine', xFleet: 'MachineID=c0ffee00', expected: C1, machines: [A, B, C1] },
    {
      name: 'exact short-length ID over a longer one with that prefix',
      xFleet: 'MachineID=abcdef12',
      expected: 'abcdef12',
      machines: ['abcdef12', 'abcdef12ffff'],
    },
  ])('places a unit pinned by $name', async ({ xFleet, expected, machines }) => {
    const cluster = await simulate({ plugins: [machineId], machines: machines ?? [A, B, C1, C2], units: { 'pinned.service': unit(xFleet) } });
    expect(cluster.placementOf('pinned.service')).toBe(expected);
  });

  it('X-ConditionMachineBootID pins the unit instead of being ignored (fleet RequiredTarget)', async () => {
    // fleetd used to ignore the legacy spelling and place the unit anywhere; fleet pins it, preferring
    // "to prevent a job from starting that has a legacy requirement than to ignore it".
    const bootId = 'b007b007b007b007b007b007b007b007';
    const cluster = await simulate({ plugins: [machineId], machines: [A, B], units: { 'legacy.service': unit(`X-ConditionMachineBootID=${bootId}`) } });
    expect(cluster.placementOf('legacy.service')).toBeUndefined();
    expect(cluster.summary('legacy.service')).toBe(`0/2 machines available: 2 machine ${bootId} is not in the cluster`);
  });

  it.each([
    { name: 'the boot ID spelling', xFleet: `X-ConditionMachineBootID=${B}`, warned: true },
    { name: 'MachineID', xFleet: `MachineID=${B}`, warned: false },
    { name: 'X-ConditionMachineID', xFleet: `X-ConditionMachineID=${B}`, warned: false },
    { name: 'the boot ID spelling behind MachineID', xFleet: `MachineID=${B}\nX-ConditionMachineBootID=${A}`, warned: false },
  ])('warns at submit only when $name pins the unit', async ({ xFleet, warned }) => {
    const cluster = await createTestCluster({ plugins: [machineId], machines: [A, B], units: { 'legacy.service': unit(xFleet) } });
    const expected = warned
      ? [
          {
            plugin: 'machine-id',
            level: 'warn',
            message: `unit legacy.service: X-ConditionMachineBootID is read as a machine ID, as fleet did: the unit runs only on a machine with ID ${B} (a boot ID matches none); use MachineID`,
            fields: { unit: 'legacy.service', option: 'X-ConditionMachineBootID', value: B },
          },
        ]
      : [];
    expect(cluster.logs).toEqual(expected);
  });

  it('does not warn about a template, only about its instances', async () => {
    const cluster = await createTestCluster({ plugins: [machineId], machines: [A, B] });
    cluster.submit('pin@.service', unit('X-ConditionMachineBootID=%i'), 'inactive');
    expect(cluster.logs).toEqual([]);
  });

  it("declares MachineID with both legacy spellings and fleet's exclusions", async () => {
    const cluster = await createTestCluster({ plugins: [machineId] });
    const declared = ['MachineID', 'X-ConditionMachineID', 'X-ConditionMachineBootID'].map((spelling) => cluster.host.unitOptions.get(spelling));
    expect(declared.every((option) => option?.plugin === 'machine-id' && option.name === 'MachineID')).toBe(true);
    expect(machineId.meta.unitOptions).toEqual([MACHINE_ID_OPTION]);
    expect(MACHINE_ID_OPTION).toMatchObject({
      aliases: ['X-ConditionMachineID', 'X-ConditionMachineBootID'],
      excludes: ['MachineOf', 'Conflicts', 'Global', 'Replaces'],
    });
  });

  it('leaves a unit without MachineID to the other plugins', async () => {
    const cluster = await simulate({ plugins: [machineId], machines: [B, A], units: { 'free.service': plain } });
    expect(cluster.placementOf('free.service')).toBe(A);
  });

  it.each([
    {
      name: 'ambiguous short ID',
      xFleet: 'MachineID=c0ffee00',
      machines: [A, C1, C2],
      summary: '0/3 machines available: 3 short machine ID c0ffee00 is ambiguous: 2 machines match',
    },
    {
      name: 'unknown machine',
      xFleet: 'MachineID=deadbeefdeadbeefdeadbeefdeadbeef',
      machines: [A, B],
      summary: '0/2 machines available: 2 machine deadbeefdeadbeefdeadbeefdeadbeef is not in the cluster',
    },
    {
      name: 'unknown short ID',
      xFleet: 'MachineID=deadbeef',
      machines: [A, B],
      summary: '0/2 machines available: 2 machine deadbeef is not in the cluster',
    },
    {
      name: 'prefix that is not 8 characters long',
      xFleet: `MachineID=${A.slice(0, 6)}`,
      machines: [A, B],
      summary: `0/2 machines available: 2 machine ${A.slice(0, 6)} is not in the cluster`,
    },
  ])('leaves a unit unschedulable on $name', async ({ xFleet, machines, summary }) => {
    for (const plugins of [[machineId], [noNarrowing, machineId]]) {
      const cluster = await simulate({ plugins, machines, units: { 'pinned.service': unit(xFleet) } });
      expect(cluster.placementOf('pinned.service')).toBeUndefined();
      expect(cluster.summary('pinned.service')).toBe(summary);
      expect(cluster.reasons('pinned.service').every((rejection) => rejection.plugin === 'machine-id')).toBe(true);
    }
  });

  it('names the pinned machine when another plugin refuses it', async () => {
    const cluster = await simulate({ plugins: [machineId, refuse(B)], machines: [A, B, C1], units: { 'pinned.service': unit(`MachineID=${B.slice(0, 8)}`) } });
    expect(cluster.summary('pinned.service')).toBe(`0/3 machines available: 2 pinned to machine ${B}, 1 refused by test`);
    expect(cluster.reasons('pinned.service')).toEqual([
      { machine: A, plugin: 'machine-id', kind: 'narrow', message: `pinned to machine ${B}` },
      { machine: B, plugin: 'refuse', kind: 'filter', message: 'refused by test' },
      { machine: C1, plugin: 'machine-id', kind: 'narrow', message: `pinned to machine ${B}` },
    ]);
  });

  it('gives the same answers from its filter as from narrowing', async () => {
    const cluster = await simulate({ plugins: [noNarrowing, machineId, refuse(B)], machines: [A, B, C1], units: { 'pinned.service': unit(`MachineID=${B}`) } });
    expect(cluster.rounds[0]?.stats.evaluations).toBe(3);
    expect(cluster.reasons('pinned.service')).toEqual([
      { machine: A, plugin: 'machine-id', kind: 'filter', message: `pinned to machine ${B}` },
      { machine: B, plugin: 'refuse', kind: 'filter', message: 'refused by test' },
      { machine: C1, plugin: 'machine-id', kind: 'filter', message: `pinned to machine ${B}` },
    ]);
  });

  it('unschedules a unit whose pinned machine leaves and places it again when it returns', async () => {
    const cluster = await createTestCluster({ plugins: [machineId], machines: [A, B], units: { 'pinned.service': unit(`MachineID=${B.slice(0, 8)}`) } });
    await cluster.settle();
    expect(cluster.placementOf('pinned.service')).toBe(B);

    cluster.removeMachine(B);
    const gone = await cluster.schedule();
    expect(gone.revocations).toEqual([{ unit: 'pinned.service', machine: B, plugin: undefined, reason: `machine ${B} is gone` }]);
    expect(cluster.placementOf('pinned.service')).toBeUndefined();
    expect(cluster.summary('pinned.service')).toBe(`0/1 machines available: 1 machine ${B.slice(0, 8)} is not in the cluster`);

    cluster.addMachine(B);
    const back = await cluster.schedule();
    expect(back.placements.map(({ unit: name, machine }) => ({ unit: name, machine }))).toEqual([{ unit: 'pinned.service', machine: B }]);
    expect(cluster.summary('pinned.service')).toBeUndefined();
  });

  it('keeps a pinned placement without moving it', async () => {
    const cluster = await createTestCluster({
      plugins: [machineId],
      machines: [A, B],
      units: { 'pinned.service': unit(`MachineID=${B}`) },
      placements: { 'pinned.service': B },
    });
    const round = await cluster.schedule();
    expect(round.placements).toEqual([]);
    expect(round.revocations).toEqual([]);
    expect(round.stats.kept).toBe(1);
  });

  it('revokes a placement on another machine and moves the unit to its pinned machine', async () => {
    const cluster = await createTestCluster({
      plugins: [machineId],
      machines: [A, B],
      units: { 'pinned.service': unit(`MachineID=${B}`) },
      placements: { 'pinned.service': A },
    });
    const round = await cluster.schedule();
    expect(round.revocations).toEqual([{ unit: 'pinned.service', machine: A, plugin: 'machine-id', reason: `pinned to machine ${B}` }]);
    expect(cluster.placementOf('pinned.service')).toBe(B);
  });

  const thousand = Array.from({ length: 1000 }, (_, i) => `${i.toString(16).padStart(8, '0')}${'f'.repeat(24)}`);
  it.each([
    // One pass: the placement itself.
    { name: 'full ID, one pass', xFleet: `MachineID=${thousand[737]}`, maxPasses: 1, placed: thousand[737], evaluations: 1 },
    { name: 'short ID, one pass', xFleet: `MachineID=${thousand[737]?.slice(0, 8)}`, maxPasses: 1, placed: thousand[737], evaluations: 1 },
    // Default passes: still one placement evaluation (the follow-up cycle's re-check counts as a revalidation).
    { name: 'full ID, default passes', xFleet: `MachineID=${thousand[737]}`, maxPasses: undefined, placed: thousand[737], evaluations: 1 },
    { name: 'short ID, default passes', xFleet: `MachineID=${thousand[737]?.slice(0, 8)}`, maxPasses: undefined, placed: thousand[737], evaluations: 1 },
    { name: 'unknown ID, one pass', xFleet: 'MachineID=deadbeef', maxPasses: 1, placed: undefined, evaluations: 0 },
    // Control: an unpinned unit is evaluated on every machine.
    { name: 'no MachineID (control)', xFleet: '', maxPasses: 1, placed: thousand[0], evaluations: 1000 },
  ])('costs $evaluations filter evaluations on 1,000 machines: $name', async ({ xFleet, maxPasses, placed, evaluations }) => {
    const cluster = await createTestCluster({
      plugins: [machineId],
      machines: thousand,
      units: { 'pinned.service': unit(xFleet) },
      ...(maxPasses === undefined ? {} : { maxPasses }),
    });
    const round = await cluster.schedule();
    expect(cluster.placementOf('pinned.service')).toBe(placed);
    expect(round.stats.evaluations).toBe(evaluations);
  });

  it.each([
    { name: 'empty MachineID', unitName: 'a.service', xFleet: 'MachineID=', error: 'unit a.service: MachineID is empty' },
    { name: 'empty legacy spelling', unitName: 'a.service', xFleet: 'X-ConditionMachineID=', error: 'unit a.service: X-ConditionMachineID is empty' },
    { name: 'empty boot ID spelling', unitName: 'a.service', xFleet: 'X-ConditionMachineBootID=', error: 'unit a.service: X-ConditionMachineBootID is empty' },
  ])('refuses at submit: $name', async ({ unitName, xFleet, error }) => {
    const cluster = await createTestCluster({ plugins: [machineId], machines: [A] });
    expect(() => cluster.submit(unitName, unit(xFleet))).toThrow(error);
  });

  it('accepts an empty MachineID on a template (MachineID=%i expands to nothing there)', async () => {
    const cluster = await createTestCluster({ plugins: [machineId], machines: [A] });
    expect(() => cluster.submit('pin@.service', unit('MachineID='), 'inactive')).not.toThrow();
  });

  it('agrees with and without narrowing on any cluster and value (property)', async () => {
    const hex = fc.constantFrom(...'0123456789abcdef');
    const machineIdArb = fc
      .tuple(fc.constantFrom('c0ffee00', 'c0ffee01', 'abcdef12'), fc.string({ unit: hex, maxLength: 3 }))
      .map(([head, tail]) => head + tail);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(machineIdArb, { minLength: 1, maxLength: 6 }),
        fc.oneof(machineIdArb, fc.constantFrom('c0ffee00', 'c0ffee0', 'nothere1')),
        async (machines, value) => {
          const outcome = async (narrowed: boolean) => {
            const cluster: TestCluster = await simulate({
              plugins: narrowed ? [machineId] : [noNarrowing, machineId],
              machines,
              units: { 'pinned.service': unit(`MachineID=${value}`) },
            });
            return { placement: cluster.placementOf('pinned.service'), summary: cluster.summary('pinned.service') };
          };
          const withNarrowing = await outcome(true);
          expect(await outcome(false)).toEqual(withNarrowing);
          const exact = machines.includes(value);
          const prefixed = machines.filter((id) => id.startsWith(value));
          const expected = exact ? value : value.length === 8 && prefixed.length === 1 ? prefixed[0] : undefined;
          expect(withNarrowing.placement).toBe(expected);
        },
      ),
      { numRuns: 100 },
    );
  });
});
