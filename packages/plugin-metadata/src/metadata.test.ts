import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ErrorCodes, isFleetError, withGlobal } from '@fleetd/core';
import type { Machine, RoundResult } from '@fleetd/core';
import { createTestCluster, simulate, testPlugin } from '@fleetd/core/testing';
import type { TestCluster } from '@fleetd/core/testing';
import metadata, { METADATA_OPTION, matchesMetadata, metadataRequirement, metadataVerdict, parseMetadataRequirement } from './index.js';

/** A service whose [X-Fleet] section holds `lines`. */
function unitFile(...lines: string[]): string {
  return `[Service]\nExecStart=/bin/true\n\n[X-Fleet]\n${lines.join('\n')}\n`;
}

function machine(id: string, data: Record<string, string> = {}): Machine {
  return { id, metadata: data };
}

/** The error `fn` throws (or fails the test). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/**
 * One engine round over a unit stored before the metadata plugin was installed:
 * the engine schedules what the registry holds, which no validateUnit tap saw.
 */
async function roundWithStoredUnit(contents: string, machines: readonly Machine[], placedOn?: string): Promise<RoundResult> {
  const placements = placedOn === undefined ? {} : { placements: { 'bad.service': placedOn } };
  return (await createTestCluster({ plugins: [metadata], machines, stored: { 'bad.service': contents }, ...placements })).schedule();
}

/** fleet's metadata rule, with the filter only: what the plugin must decide, without its narrowing. */
const scanOnly = testPlugin('metadata', (hooks) => {
  hooks.validateUnit.tap((unit) => metadataRequirement(unit)?.problem);
  hooks.filter.tap((unit, slot, cluster) => {
    const requirement = metadataRequirement(unit);
    return requirement === undefined ? undefined : metadataVerdict(requirement, slot.metadata, cluster);
  });
});

const globalMarker = testPlugin('global-marker', (hooks) => hooks.resolveUnit.tap((unit) => withGlobal(unit, unit.name.startsWith('global'))));

describe('metadata: fleet semantics', () => {
  const fleetMachines = [
    machine('m1', { region: 'us-east-1', diskType: 'SSD' }),
    machine('m2', { region: 'us-east-1', diskType: 'HDD' }),
    machine('m3', { region: 'us-west-1', diskType: 'SSD' }),
    machine('m4', { region: 'eu-west-1', diskType: 'SSD' }),
    machine('m5'),
  ];

  it.each([
    {
      name: 'scheduling.md: quoted multi-value line, different keys = all (legacy spelling)',
      lines: ['X-ConditionMachineMetadata="region=us-east-1" "diskType=SSD"'],
      placed: 'm1',
      candidates: ['m1'],
    },
    {
      name: 'scheduling.md: the same key repeated = any (legacy spelling)',
      lines: ['X-ConditionMachineMetadata=region=us-east-1', 'X-ConditionMachineMetadata=region=us-west-1'],
      placed: 'm1',
      candidates: ['m1', 'm2', 'm3'],
    },
    {
      name: 'MachineMetadata spelling',
      lines: ['MachineMetadata=region=us-west-1'],
      placed: 'm3',
      candidates: ['m3'],
    },
    {
      name: 'both spellings merge: the same key over both = any',
      lines: ['MachineMetadata=region=eu-west-1', 'X-ConditionMachineMetadata=region=us-west-1'],
      placed: 'm3',
      candidates: ['m3', 'm4'],
    },
    {
      name: 'both spellings merge: different keys over both = all',
      lines: ['MachineMetadata=diskType=SSD', 'X-ConditionMachineMetadata=region=us-west-1'],
      placed: 'm3',
      candidates: ['m3'],
    },
    {
      name: 'quoted OR group on one line, AND another key',
      lines: ['MachineMetadata="region=us-east-1" "region=eu-west-1" "diskType=SSD"'],
      placed: 'm1',
      candidates: ['m1', 'm4'],
    },
    {
      name: 'no requirement: every machine',
      lines: [],
      placed: 'm1',
      candidates: ['m1', 'm2', 'm3', 'm4', 'm5'],
    },
    {
      name: 'an empty value between quoted values is skipped (fleet)',
      lines: ['MachineMetadata="region=us-west-1"  "diskType=SSD"'],
      placed: 'm3',
      candidates: ['m3'],
    },
  ])('$name', async ({ lines, placed, candidates }) => {
    const cluster = await simulate({ plugins: [metadata], machines: fleetMachines, units: { 'app.service': unitFile(...lines) } });
    expect(cluster.placementOf('app.service')).toBe(placed);
    const feasible = cluster
      .explain('app.service')
      .machines.filter((m) => m.feasible)
      .map((m) => m.machine);
    expect(feasible.sort()).toEqual(candidates);
  });

  it.each([
    {
      name: 'one value no machine has',
      lines: ['MachineMetadata=region=ap-south-1'],
      summary: '0/5 machines available: 5 metadata region=ap-south-1 not matched',
    },
    {
      name: 'an OR group no machine has',
      lines: ['MachineMetadata=region=ap-south-1', 'MachineMetadata=region=sa-east-1'],
      summary: '0/5 machines available: 5 metadata region=ap-south-1 or region=sa-east-1 not matched',
    },
    {
      name: 'two keys no machine has together',
      lines: ['MachineMetadata="region=us-east-1" "diskType=NVME"'],
      summary: '0/5 machines available: 5 metadata diskType=NVME not matched',
    },
    {
      name: 'two keys, narrowing by the rarer one and filtering the rest',
      lines: ['MachineMetadata="diskType=HDD" "region=us-west-1"'],
      summary: '0/5 machines available: 4 metadata diskType=HDD not matched, 1 metadata region=us-west-1 not matched',
    },
    {
      name: '!= everywhere',
      lines: ['MachineMetadata=diskType!=SSD', 'MachineMetadata=diskType!=HDD', 'MachineMetadata=region=us-east-1'],
      summary: '0/5 machines available: 3 metadata region=us-east-1 not matched, 1 metadata diskType!=SSD not matched, 1 metadata diskType!=HDD not matched',
    },
  ])('explains an unschedulable unit: $name', async ({ lines, summary }) => {
    const cluster = await simulate({ plugins: [metadata], machines: fleetMachines, units: { 'app.service': unitFile(...lines) } });
    expect(cluster.placementOf('app.service')).toBeUndefined();
    expect(cluster.summary('app.service')).toBe(summary);
    expect(cluster.explain('app.service').summary).toBe(summary);
  });
});

describe('metadata: operators in a cluster', () => {
  const machines = [
    machine('m1', { cpus: '2', disk: 'hdd', temp: '-10' }),
    machine('m2', { cpus: '4', disk: 'ssd', temp: '-4.5' }),
    machine('m3', { cpus: '16', temp: '0.5' }),
    machine('m4', { cpus: 'many', disk: 'ssd' }),
  ];

  it.each([
    { name: '!= passes machines without the key', lines: ['MachineMetadata="disk!=hdd" "disk!=ssd"'], candidates: ['m3'] },
    { name: '>= numeric, not string order (16 >= 4)', lines: ['MachineMetadata=cpus>=4'], candidates: ['m2', 'm3'] },
    { name: '> excludes the bound', lines: ['MachineMetadata=cpus>4'], candidates: ['m3'] },
    { name: '<= includes the bound', lines: ['MachineMetadata=cpus<=4'], candidates: ['m1', 'm2'] },
    { name: '< excludes the bound', lines: ['MachineMetadata=cpus<4'], candidates: ['m1'] },
    { name: 'negative and decimal numbers', lines: ['MachineMetadata="temp>-5" "temp<=0.5"'], candidates: ['m2', 'm3'] },
    { name: 'a range on one key is an AND', lines: ['MachineMetadata=cpus>2', 'MachineMetadata=cpus<16'], candidates: ['m2'] },
    { name: 'operators AND an OR group', lines: ['MachineMetadata="disk=ssd" "disk=hdd" "cpus>=3"'], candidates: ['m2'] },
  ])('$name', async ({ lines, candidates }) => {
    const cluster = await simulate({ plugins: [metadata], machines, units: { 'app.service': unitFile(...lines) } });
    const feasible = cluster
      .explain('app.service')
      .machines.filter((m) => m.feasible)
      .map((m) => m.machine);
    expect(feasible.sort()).toEqual(candidates);
    expect(cluster.placementOf('app.service')).toBe(candidates[0]);
  });

  it('names the machine value in numeric reasons, including missing and non-numbers', async () => {
    const cluster = await simulate({
      plugins: [metadata],
      machines: [...machines, machine('m5', { cpus: '1' }), machine('m6', { cpus: '2' })],
      units: { 'big.service': unitFile('MachineMetadata=cpus>=32') },
    });
    expect(cluster.reasons('big.service')).toEqual([
      { machine: 'm1', plugin: 'metadata', kind: 'filter', message: 'metadata cpus>=32 not matched (cpus=2)' },
      { machine: 'm2', plugin: 'metadata', kind: 'filter', message: 'metadata cpus>=32 not matched (cpus=4)' },
      { machine: 'm3', plugin: 'metadata', kind: 'filter', message: 'metadata cpus>=32 not matched (cpus=16)' },
      { machine: 'm4', plugin: 'metadata', kind: 'filter', message: 'metadata cpus>=32 not matched (cpus=many is not a number)' },
      { machine: 'm5', plugin: 'metadata', kind: 'filter', message: 'metadata cpus>=32 not matched (cpus=1)' },
      { machine: 'm6', plugin: 'metadata', kind: 'filter', message: 'metadata cpus>=32 not matched (cpus=2)' },
    ]);
    expect(cluster.summary('big.service')).toBe(
      '0/6 machines available: 2 metadata cpus>=32 not matched (cpus=2), 1 metadata cpus>=32 not matched (cpus=4), ' +
        '1 metadata cpus>=32 not matched (cpus=16), 1 metadata cpus>=32 not matched (cpus=many is not a number), ' +
        '1 metadata cpus>=32 not matched (cpus=1)',
    );
    const withoutCpus = await simulate({ plugins: [metadata], machines: [machine('m1')], units: { 'big.service': unitFile('MachineMetadata=cpus>=32') } });
    expect(withoutCpus.summary('big.service')).toBe('0/1 machines available: 1 metadata cpus>=32 not matched (cpus not set)');
  });
});

describe('metadata: refused at submit', () => {
  it.each([
    { name: 'no operator', line: 'MachineMetadata=region', problem: 'MachineMetadata "region": no operator (use =, !=, >=, >, <= or <)' },
    { name: 'empty key', line: 'MachineMetadata==us-east-1', problem: 'MachineMetadata "=us-east-1": empty key' },
    { name: 'empty key in the legacy spelling', line: 'X-ConditionMachineMetadata=!=hdd', problem: 'MachineMetadata "!=hdd": empty key' },
    { name: 'empty value', line: 'MachineMetadata=region=', problem: 'MachineMetadata "region=": empty value' },
    { name: 'numeric operator with a word', line: 'MachineMetadata=cpus>=four', problem: 'MachineMetadata "cpus>=four": "four" is not a number' },
    { name: 'numeric operator with an exponent', line: 'MachineMetadata=mem<1e9', problem: 'MachineMetadata "mem<1e9": "1e9" is not a number' },
    {
      name: 'every bad value of a quoted line',
      line: 'MachineMetadata="region=us-east-1" "disk" "cpus>x"',
      problem: 'MachineMetadata "disk": no operator (use =, !=, >=, >, <= or <); MachineMetadata "cpus>x": "x" is not a number',
    },
  ])('$name', async ({ line, problem }) => {
    const cluster = await createTestCluster({ plugins: [metadata], machines: ['m1'] });
    const error = thrown(() => cluster.submit('bad.service', unitFile(line)));
    expect(isFleetError(error, ErrorCodes.UNIT_INVALID)).toBe(true);
    expect(error).toMatchObject({ message: `unit bad.service: ${problem}`, plugin: 'metadata', unit: 'bad.service' });
    expect(cluster.state.unit('bad.service')).toBeUndefined();
  });

  it('accepts every operator', async () => {
    const cluster = await createTestCluster({ plugins: [metadata], machines: ['m1'] });
    cluster.submit('ok.service', unitFile('MachineMetadata="a=1" "b!=2" "c>=3" "d>4" "e<=-5" "f<.6" "g=h=i"'));
    expect(cluster.state.unit('ok.service')?.requirements.metadata?.errors).toEqual([]);
  });

  it('makes a unit that reached the engine anyway unschedulable on every machine, evaluating none', async () => {
    const contents = unitFile('MachineMetadata="region=us-east-1" "region"');
    const round = await roundWithStoredUnit(contents, [machine('m1'), machine('m2'), machine('m3', { region: 'us-east-1' })]);
    const reason = 'MachineMetadata "region": no operator (use =, !=, >=, >, <= or <)';
    expect(round.stats.evaluations).toBe(0);
    const [unschedulable] = round.unschedulable;
    expect(unschedulable?.summary).toBe(`0/3 machines available: 3 ${reason}`);
    expect(unschedulable?.rejections).toEqual(['m1', 'm2', 'm3'].map((id) => ({ machine: id, plugin: 'metadata', kind: 'narrow', message: reason })));
  });

  it('revokes a placed unit whose requirement cannot be parsed', async () => {
    const round = await roundWithStoredUnit(unitFile('MachineMetadata=cpus>=lots'), [machine('m1'), machine('m2')], 'm1');
    const reason = 'MachineMetadata "cpus>=lots": "lots" is not a number';
    expect(round.revocations).toEqual([{ unit: 'bad.service', machine: 'm1', plugin: 'metadata', reason }]);
    expect(round.placements).toEqual([]);
    expect(round.unschedulable.map(({ unit, summary }) => ({ unit, summary }))).toEqual([
      { unit: 'bad.service', summary: `0/2 machines available: 2 ${reason}` },
    ]);
  });
});

describe('metadata: narrowing', () => {
  const regions = ['us-east-1', 'us-west-1', 'eu-west-1'];
  /** 300 machines, 100 per region; every tenth has an SSD; cpus 1..8. */
  const machines300 = Array.from({ length: 300 }, (_, i) =>
    machine(`m${String(i).padStart(3, '0')}`, {
      region: regions[i % 3] as string,
      cpus: String((i % 8) + 1),
      ...(i % 10 === 0 ? { disk: 'ssd' } : {}),
    }),
  );

  it.each([
    { name: 'one region: only its 100 machines', lines: ['MachineMetadata=region=us-east-1'], evaluations: 100, placed: 'm000' },
    { name: 'two regions: their 200 machines', lines: ['MachineMetadata="region=us-west-1" "region=eu-west-1"'], evaluations: 200, placed: 'm001' },
    {
      name: 'region and disk: the 30 SSD machines, the rarer group',
      lines: ['MachineMetadata="region=eu-west-1" "disk=ssd"'],
      evaluations: 30,
      placed: 'm020',
    },
    { name: 'a value no machine has: none', lines: ['MachineMetadata="region=us-east-1" "disk=nvme"'], evaluations: 0, placed: undefined },
    { name: 'region and cpus: the region, then the filter', lines: ['MachineMetadata="region=us-east-1" "cpus>=8"'], evaluations: 100, placed: 'm015' },
    { name: 'no = condition: every machine', lines: ['MachineMetadata=disk!=ssd'], evaluations: 300, placed: 'm001' },
  ])('$name', async ({ lines, evaluations, placed }) => {
    // One pass: the default second pass would also re-check the new placement (one more evaluation).
    const cluster = await createTestCluster({
      plugins: [metadata],
      machines: machines300,
      units: { 'app.service': unitFile(...lines) },
      maxPasses: 1,
    });
    const round = await cluster.schedule();
    expect(round.stats.evaluations).toBe(evaluations);
    expect(cluster.placementOf('app.service')).toBe(placed);
  });

  it('reports machines left out by narrowing with the reason the filter gives them', async () => {
    // region=us-east-1 (1 machine) is rarer than disk=ssd (2): narrowing restricts by region.
    const machines = [
      machine('m1', { region: 'us-west-1', disk: 'hdd' }),
      machine('m2', { region: 'us-east-1', disk: 'hdd' }),
      machine('m3', { region: 'us-west-1', disk: 'ssd' }),
      machine('m4', { region: 'eu-west-1', disk: 'ssd' }),
    ];
    const contents = unitFile('MachineMetadata="disk=ssd" "region=us-east-1"');
    const cluster = await simulate({ plugins: [metadata], machines, units: { 'app.service': contents } });
    const region = 'metadata region=us-east-1 not matched';
    const disk = 'metadata disk=ssd not matched';
    expect(cluster.reasons('app.service')).toEqual([
      { machine: 'm1', plugin: 'metadata', kind: 'narrow', message: region },
      { machine: 'm2', plugin: 'metadata', kind: 'filter', message: disk },
      { machine: 'm3', plugin: 'metadata', kind: 'narrow', message: region },
      { machine: 'm4', plugin: 'metadata', kind: 'narrow', message: region },
    ]);
    expect(cluster.summary('app.service')).toBe(`0/4 machines available: 3 ${region}, 1 ${disk}`);
    // Re-checking a placement (filter only) on m1, which fails both groups, gives the same reason.
    const placed = await createTestCluster({ plugins: [metadata], machines, units: { 'app.service': contents }, placements: { 'app.service': 'm1' } });
    const round = await placed.schedule();
    expect(round.revocations).toEqual([{ unit: 'app.service', machine: 'm1', plugin: 'metadata', reason: region }]);
  });

  it('narrows global units too', async () => {
    const cluster = await createTestCluster({
      plugins: [globalMarker, metadata],
      machines: machines300,
      units: { 'global-agent.service': unitFile('MachineMetadata=disk=ssd') },
    });
    const round = await cluster.schedule();
    expect(cluster.globalMachines('global-agent.service')).toEqual(machines300.filter((m) => m.metadata['disk'] === 'ssd').map((m) => m.id));
    expect(round.globals[0]?.rejections).toHaveLength(270);
    expect(round.globals[0]?.rejections[0]).toEqual({ machine: 'm001', plugin: 'metadata', kind: 'narrow', message: 'metadata disk=ssd not matched' });
  });
});

describe('metadata: changes at run time', () => {
  async function placedCluster(): Promise<TestCluster> {
    return simulate({
      plugins: [metadata],
      machines: [machine('m1', { region: 'east', cpus: '8' }), machine('m2', { region: 'east', cpus: '8' }), machine('m3', { region: 'west', cpus: '8' })],
      units: { 'app.service': unitFile('MachineMetadata=region=east'), 'big.service': unitFile('MachineMetadata=cpus>=4') },
    });
  }

  it.each([
    {
      name: 'an = requirement stops holding',
      unit: 'app.service',
      change: { region: 'west', cpus: '8' },
      revocation: { unit: 'app.service', machine: 'm1', plugin: 'metadata', reason: 'metadata region=east not matched' },
      movedTo: 'm2',
    },
    {
      name: 'the key disappears',
      unit: 'app.service',
      change: { cpus: '8' },
      revocation: { unit: 'app.service', machine: 'm1', plugin: 'metadata', reason: 'metadata region=east not matched' },
      movedTo: 'm2',
    },
    {
      name: 'a numeric requirement stops holding',
      unit: 'big.service',
      change: { region: 'east', cpus: '2' },
      revocation: { unit: 'big.service', machine: 'm1', plugin: 'metadata', reason: 'metadata cpus>=4 not matched (cpus=2)' },
      movedTo: 'm2',
    },
    {
      name: 'a numeric value becomes a word',
      unit: 'big.service',
      change: { region: 'east', cpus: 'eight' },
      revocation: { unit: 'big.service', machine: 'm1', plugin: 'metadata', reason: 'metadata cpus>=4 not matched (cpus=eight is not a number)' },
      movedTo: 'm2',
    },
  ])('revokes and moves a placed unit when $name', async ({ unit, change, revocation, movedTo }) => {
    const cluster = await placedCluster();
    expect(cluster.placementOf(unit)).toBe('m1');
    cluster.setMetadata('m1', change);
    const round = await cluster.schedule();
    expect(round.revocations).toEqual([revocation]);
    expect(round.placements.map(({ unit: name, machine: to, previousMachine }) => ({ unit: name, to, previousMachine }))).toEqual([
      { unit, to: movedTo, previousMachine: 'm1' },
    ]);
    expect(cluster.placementOf(unit)).toBe(movedTo);
  });

  it('keeps a placement while its machine still matches', async () => {
    const cluster = await placedCluster();
    cluster.setMetadata('m1', { region: 'east', cpus: '4', extra: 'yes' });
    const round = await cluster.schedule();
    expect(round.revocations).toEqual([]);
    expect(round.placements).toEqual([]);
    expect(cluster.placements()).toEqual({ 'app.service': 'm1', 'big.service': 'm1' });
  });

  it('revokes and leaves a unit unschedulable when no machine matches any more', async () => {
    const cluster = await placedCluster();
    cluster.setMetadata('m1', { region: 'west' }).setMetadata('m2', { region: 'west' });
    const round = await cluster.schedule();
    expect(round.revocations.find((r) => r.unit === 'app.service')).toEqual({
      unit: 'app.service',
      machine: 'm1',
      plugin: 'metadata',
      reason: 'metadata region=east not matched',
    });
    expect(cluster.placementOf('app.service')).toBeUndefined();
    expect(cluster.summary('app.service')).toBe('0/3 machines available: 3 metadata region=east not matched');
  });

  it.each([
    {
      name: 'an = requirement',
      lines: ['MachineMetadata=region=south'],
      before: { region: 'north' },
      after: { region: 'south' },
      summary: '0/2 machines available: 2 metadata region=south not matched',
    },
    {
      name: 'a key appears',
      lines: ['MachineMetadata=gpu=yes'],
      before: {},
      after: { gpu: 'yes' },
      summary: '0/2 machines available: 2 metadata gpu=yes not matched',
    },
    {
      name: 'a number grows',
      lines: ['MachineMetadata=cpus>=4'],
      before: { cpus: '2' },
      after: { cpus: '4' },
      summary: '0/2 machines available: 2 metadata cpus>=4 not matched (cpus=2)',
    },
    {
      name: 'a != value goes away',
      lines: ['MachineMetadata=disk!=hdd'],
      before: { disk: 'hdd' },
      after: {},
      summary: '0/2 machines available: 2 metadata disk!=hdd not matched',
    },
  ])('places an unschedulable unit when a machine starts matching: $name', async ({ lines, before, after, summary }) => {
    const cluster = await simulate({
      plugins: [metadata],
      machines: [machine('m1', before), machine('m2', before)],
      units: { 'app.service': unitFile(...lines) },
    });
    expect(cluster.placementOf('app.service')).toBeUndefined();
    expect(cluster.summary('app.service')).toBe(summary);
    cluster.setMetadata('m2', after);
    const round = await cluster.schedule();
    expect(round.placements.map((p) => [p.unit, p.machine])).toEqual([['app.service', 'm2']]);
    expect(cluster.summary('app.service')).toBeUndefined();
  });
});

describe('metadata: properties', () => {
  const pools = {
    region: ['us-east-1', 'us-west-1', 'eu-west-1'],
    disk: ['ssd', 'hdd'],
    cpus: ['1', '2', '4', '8', '4.0', 'many', ''],
    temp: ['-5', '-4.5', '0', '10.25', 'hot'],
  } as const;
  const keys = Object.keys(pools) as (keyof typeof pools)[];
  const numbers = ['-5', '-4.5', '0', '.5', '2', '4', '8'];

  const machineMetadata = fc.record(
    Object.fromEntries(keys.map((key) => [key, fc.constantFrom(...pools[key])])) as { [K in keyof typeof pools]: fc.Arbitrary<string> },
    { requiredKeys: [] },
  );
  const equalityValue = fc.constantFrom(...keys).chain((key) => fc.constantFrom(...pools[key].filter((v) => v !== '')).map((v) => `${key}=${v}`));
  const inequalityValue = fc.constantFrom(...keys).chain((key) => fc.constantFrom(...pools[key].filter((v) => v !== '')).map((v) => `${key}!=${v}`));
  const numericValue = fc
    .tuple(fc.constantFrom('cpus', 'temp'), fc.constantFrom('>=', '>', '<=', '<'), fc.constantFrom(...numbers))
    .map(([key, op, n]) => `${key}${op}${n}`);
  const requirementValues = fc.array(fc.oneof({ weight: 3, arbitrary: equalityValue }, inequalityValue, numericValue), { maxLength: 4 });
  /** Values written as separate lines, one quoted line, or in the legacy spelling. */
  const unitLines = (values: readonly string[], style: number): string[] =>
    style === 0
      ? values.map((v) => `MachineMetadata=${v}`)
      : style === 1
        ? values.length === 0
          ? []
          : [`MachineMetadata=${values.map((v) => `"${v}"`).join(' ')}`]
        : values.map((v, i) => `${i % 2 === 0 ? 'X-Condition' : ''}MachineMetadata=${v}`);
  const scenario = fc.record({
    machines: fc.array(machineMetadata, { minLength: 1, maxLength: 10 }),
    units: fc.array(fc.record({ values: requirementValues, style: fc.nat({ max: 2 }) }), { minLength: 1, maxLength: 5 }),
  });

  type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

  function setup(plugin: typeof metadata, { machines, units }: Scenario) {
    return simulate({
      plugins: [plugin],
      machines: machines.map((data, i) => machine(`m${i}`, data as Record<string, string>)),
      units: Object.fromEntries(units.map(({ values, style }, i) => [`u${i}.service`, unitFile(...unitLines(values, style))])),
    });
  }

  it('(a) every placement satisfies matchesMetadata, (b) a unit is unschedulable only when no machine matches', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (input) => {
        const cluster = await setup(metadata, input);
        input.units.forEach(({ values }, i) => {
          const requirement = parseMetadataRequirement(values);
          const matching = input.machines.filter((data) => matchesMetadata(requirement, data as Record<string, string>));
          const placedOn = cluster.placementOf(`u${i}.service`);
          if (placedOn !== undefined) {
            expect(matchesMetadata(requirement, input.machines[Number(placedOn.slice(1))] as Record<string, string>)).toBe(true);
          } else {
            expect(matching).toEqual([]);
            expect(cluster.summary(`u${i}.service`)).toMatch(/^0\/\d+ machines available: /);
          }
        });
      }),
      { numRuns: 200 },
    );
  });

  it('narrowing changes neither decisions nor reasons', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (input) => {
        const narrowed = await setup(metadata, input);
        const scanned = await setup(scanOnly, input);
        expect(narrowed.placements()).toEqual(scanned.placements());
        input.units.forEach((_, i) => {
          const name = `u${i}.service`;
          expect(narrowed.summary(name)).toBe(scanned.summary(name));
          expect(narrowed.reasons(name).map(({ machine: id, message }) => [id, message])).toEqual(
            scanned.reasons(name).map(({ machine: id, message }) => [id, message]),
          );
        });
      }),
      { numRuns: 200 },
    );
  });

  it('a placement survives re-checking until its machine changes', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (input) => {
        const cluster = await setup(metadata, input);
        const before = cluster.placements();
        const round = await cluster.schedule();
        expect(round.revocations).toEqual([]);
        expect(cluster.placements()).toEqual(before);
      }),
      { numRuns: 100 },
    );
  });
});

describe('declared option', () => {
  it.each(['MachineMetadata', 'X-ConditionMachineMetadata'])('%s belongs to MachineMetadata, owned by the plugin', async (spelling) => {
    const cluster = await createTestCluster({ plugins: [metadata] });
    expect(cluster.host.unitOptions.get(spelling)).toMatchObject({
      name: 'MachineMetadata',
      plugin: 'metadata',
      spellings: ['MachineMetadata', 'X-ConditionMachineMetadata'],
    });
  });

  it('excludes no other option (fleet allowed MachineMetadata with any)', () => {
    expect(metadata.meta.unitOptions).toEqual([METADATA_OPTION]);
    expect(METADATA_OPTION).not.toHaveProperty('excludes');
  });
});

describe('templates', () => {
  it('accepts a template whose values hold unexpanded specifiers, and checks its instances instead', async () => {
    const cluster = await createTestCluster({ plugins: [metadata], machines: [{ id: 'm1', metadata: { hostname: 'alpha' } }] });
    expect(() => cluster.submit('hello@.service', '[X-Fleet]\nMachineMetadata=hostname=\n', 'inactive')).not.toThrow();
    expect(() => cluster.submit('hello@alpha.service', '[X-Fleet]\nMachineMetadata=hostname=\n')).toThrow('MachineMetadata "hostname=": empty value');
  });
});
