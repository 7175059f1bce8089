import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  matchesMetadata,
  METADATA_OPERATORS,
  metadataCandidates,
  metadataMismatch,
  metadataVerdict,
  parseMetadataExpression,
  parseMetadataNumber,
  parseMetadataRequirement,
} from './requirement.js';

describe('parseMetadataExpression', () => {
  it.each([
    { name: 'key=value', text: 'region=us-east-1', expected: { key: 'region', operator: '=', value: 'us-east-1' } },
    { name: 'a=b=c splits at the first = (value b=c; fleet ignored it)', text: 'a=b=c', expected: { key: 'a', operator: '=', value: 'b=c' } },
    { name: '!=', text: 'disk!=hdd', expected: { key: 'disk', operator: '!=', value: 'hdd' } },
    { name: '>= is one operator, not > then =', text: 'cpus>=4', expected: { key: 'cpus', operator: '>=', value: '4' } },
    { name: '>', text: 'cpus>4', expected: { key: 'cpus', operator: '>', value: '4' } },
    { name: '<= is one operator', text: 'cpus<=4', expected: { key: 'cpus', operator: '<=', value: '4' } },
    { name: '<', text: 'cpus<4', expected: { key: 'cpus', operator: '<', value: '4' } },
    { name: 'the first operator wins: a=>1 is = with value >1', text: 'a=>1', expected: { key: 'a', operator: '=', value: '>1' } },
    { name: 'a=!=b is = with value !=b', text: 'a=!=b', expected: { key: 'a', operator: '=', value: '!=b' } },
    { name: 'a lone ! is part of the key', text: 'a!b=c', expected: { key: 'a!b', operator: '=', value: 'c' } },
    { name: 'negative number', text: 'temp>=-5', expected: { key: 'temp', operator: '>=', value: '-5' } },
    { name: 'decimal number', text: 'load<0.75', expected: { key: 'load', operator: '<', value: '0.75' } },
    { name: 'number with a plus sign', text: 'x>+3', expected: { key: 'x', operator: '>', value: '+3' } },
    { name: 'number without integer part', text: 'x<.5', expected: { key: 'x', operator: '<', value: '.5' } },
    { name: 'spaces are kept (exact strings, as fleet)', text: 'role=web server', expected: { key: 'role', operator: '=', value: 'web server' } },
  ])('parses $name', ({ text, expected }) => {
    expect(parseMetadataExpression(text)).toEqual({ ok: true, expression: expected });
  });

  it.each([
    { name: 'no operator', text: 'region', error: 'MachineMetadata "region": no operator (use =, !=, >=, >, <= or <)' },
    { name: 'a lone ! is no operator', text: 'a!b', error: 'MachineMetadata "a!b": no operator (use =, !=, >=, >, <= or <)' },
    { name: 'empty key with =', text: '=us-east-1', error: 'MachineMetadata "=us-east-1": empty key' },
    { name: 'empty key with !=', text: '!=hdd', error: 'MachineMetadata "!=hdd": empty key' },
    { name: 'empty key with >=', text: '>=4', error: 'MachineMetadata ">=4": empty key' },
    { name: 'empty value with = (fleet ignored it)', text: 'region=', error: 'MachineMetadata "region=": empty value' },
    { name: 'empty value with !=', text: 'disk!=', error: 'MachineMetadata "disk!=": empty value' },
    { name: 'numeric operator with a word', text: 'cpus>=four', error: 'MachineMetadata "cpus>=four": "four" is not a number' },
    { name: 'numeric operator with nothing', text: 'cpus>', error: 'MachineMetadata "cpus>": "" is not a number' },
    { name: 'numeric operator with an exponent', text: 'mem<1e3', error: 'MachineMetadata "mem<1e3": "1e3" is not a number' },
    { name: 'numeric operator with hex', text: 'mem<=0x10', error: 'MachineMetadata "mem<=0x10": "0x10" is not a number' },
    { name: 'numeric operator with Infinity', text: 'mem<Infinity', error: 'MachineMetadata "mem<Infinity": "Infinity" is not a number' },
    { name: 'numeric operator with a space', text: 'cpus>= 4', error: 'MachineMetadata "cpus>= 4": " 4" is not a number' },
    { name: 'numeric operator with a trailing dot', text: 'cpus>1.', error: 'MachineMetadata "cpus>1.": "1." is not a number' },
    { name: 'numeric operator with a second operator', text: 'a>=b=c', error: 'MachineMetadata "a>=b=c": "b=c" is not a number' },
  ])('refuses $name', ({ text, error }) => {
    expect(parseMetadataExpression(text)).toEqual({ ok: false, error });
  });
});

describe('parseMetadataNumber', () => {
  it.each([
    { name: 'integer', text: '4', expected: 4 },
    { name: 'negative', text: '-5', expected: -5 },
    { name: 'plus sign', text: '+3', expected: 3 },
    { name: 'decimal', text: '10.25', expected: 10.25 },
    { name: 'leading dot', text: '.5', expected: 0.5 },
    { name: 'negative decimal', text: '-4.5', expected: -4.5 },
    { name: 'leading zeros', text: '007', expected: 7 },
  ])('reads $name', ({ text, expected }) => {
    expect(parseMetadataNumber(text)).toBe(expected);
  });

  it.each(
    ['', '-', '+', '.', '-.', '1.', '1.2.3', '1e3', '0x10', 'Infinity', 'NaN', ' 4', '4 ', '1_000', '--1', 'four'].map((text) => ({
      name: JSON.stringify(text),
      text,
    })),
  )('refuses $name', ({ text }) => {
    expect(parseMetadataNumber(text)).toBeNaN();
  });

  it('agrees with Number() on every decimal it accepts', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }), (value) => {
        const text = value.toFixed(3);
        expect(parseMetadataNumber(text)).toBe(Number(text));
      }),
    );
  });
});

describe('parseMetadataRequirement', () => {
  it('groups = values by key in order of first appearance, without duplicates', () => {
    const requirement = parseMetadataRequirement(['region=us-east-1', 'disk=ssd', 'region=us-west-1', 'region=us-east-1']);
    expect(requirement.equals).toEqual([
      {
        key: 'region',
        values: ['us-east-1', 'us-west-1'],
        text: 'region=us-east-1 or region=us-west-1',
        reason: 'metadata region=us-east-1 or region=us-west-1 not matched',
      },
      { key: 'disk', values: ['ssd'], text: 'disk=ssd', reason: 'metadata disk=ssd not matched' },
    ]);
    expect(requirement.conditions).toEqual([]);
    expect(requirement.errors).toEqual([]);
    expect(requirement.problem).toBeUndefined();
  });

  it('keeps other conditions in file order, without duplicates', () => {
    const requirement = parseMetadataRequirement(['cpus>=4', 'disk!=hdd', 'cpus>=4', 'temp<-0.5']);
    expect(requirement.conditions).toEqual([
      { key: 'cpus', operator: '>=', value: '4', number: 4, text: 'cpus>=4' },
      { key: 'disk', operator: '!=', value: 'hdd', text: 'disk!=hdd', reason: 'metadata disk!=hdd not matched' },
      { key: 'temp', operator: '<', value: '-0.5', number: -0.5, text: 'temp<-0.5' },
    ]);
  });

  it('collects every error once and joins them into problem', () => {
    const requirement = parseMetadataRequirement(['region', 'region=us-east-1', '=x', 'region']);
    expect(requirement.errors).toEqual(['MachineMetadata "region": no operator (use =, !=, >=, >, <= or <)', 'MachineMetadata "=x": empty key']);
    expect(requirement.problem).toBe('MachineMetadata "region": no operator (use =, !=, >=, >, <= or <); MachineMetadata "=x": empty key');
  });

  it('skips empty values, as fleet did (two spaces between quoted values)', () => {
    const requirement = parseMetadataRequirement(['region=us-east-1', '', 'disk=ssd']);
    expect(requirement.equals.map((group) => group.text)).toEqual(['region=us-east-1', 'disk=ssd']);
    expect(requirement.errors).toEqual([]);
  });

  it('exports the operators', () => {
    expect(METADATA_OPERATORS).toEqual(['=', '!=', '>=', '>', '<=', '<']);
  });
});

describe('matchesMetadata and metadataMismatch', () => {
  it.each([
    // fleet machine/machine_test.go
    { name: 'fleet TestHasMetadataSimpleMatch', values: ['region=us-east-1'], metadata: { region: 'us-east-1' }, reason: undefined },
    { name: 'fleet TestHasMetadataMultiMatch (repeated key = any)', values: ['groups=ping', 'groups=pong'], metadata: { groups: 'ping' }, reason: undefined },
    { name: 'fleet TestHasMetadataSingleMatchFail', values: ['groups=pong'], metadata: { groups: 'ping' }, reason: 'metadata groups=pong not matched' },
    {
      name: 'fleet TestHasMetadataPartialMatchFail (different keys = all)',
      values: ['region=us-east-1', 'groups=pong'],
      metadata: { region: 'us-east-1', groups: 'ping' },
      reason: 'metadata groups=pong not matched',
    },
    { name: '= on a missing key fails', values: ['region=us-east-1'], metadata: {}, reason: 'metadata region=us-east-1 not matched' },
    { name: '= is exact string equality (4 is not 4.0)', values: ['cpus=4'], metadata: { cpus: '4.0' }, reason: 'metadata cpus=4 not matched' },
    { name: '= is case-sensitive', values: ['diskType=SSD'], metadata: { diskType: 'ssd' }, reason: 'metadata diskType=SSD not matched' },
    {
      name: 'an OR group names all its values',
      values: ['region=a', 'region=b'],
      metadata: { region: 'c' },
      reason: 'metadata region=a or region=b not matched',
    },
    { name: 'a value with = inside', values: ['a=b=c'], metadata: { a: 'b=c' }, reason: undefined },
    // !=
    { name: '!= holds when the value differs', values: ['disk!=hdd'], metadata: { disk: 'ssd' }, reason: undefined },
    { name: '!= holds when the machine lacks the key', values: ['disk!=hdd'], metadata: {}, reason: undefined },
    { name: '!= fails on the same value', values: ['disk!=hdd'], metadata: { disk: 'hdd' }, reason: 'metadata disk!=hdd not matched' },
    // numeric
    { name: '>= equal', values: ['cpus>=4'], metadata: { cpus: '4' }, reason: undefined },
    { name: '>= below', values: ['cpus>=4'], metadata: { cpus: '2' }, reason: 'metadata cpus>=4 not matched (cpus=2)' },
    { name: '>= compares numbers, not strings (10 >= 9)', values: ['cpus>=9'], metadata: { cpus: '10' }, reason: undefined },
    { name: '>= accepts a decimal machine value', values: ['cpus>=4'], metadata: { cpus: '4.0' }, reason: undefined },
    { name: '> equal fails', values: ['cpus>4'], metadata: { cpus: '4' }, reason: 'metadata cpus>4 not matched (cpus=4)' },
    { name: '> above', values: ['cpus>4'], metadata: { cpus: '8' }, reason: undefined },
    { name: '<= equal', values: ['load<=0.75'], metadata: { load: '0.75' }, reason: undefined },
    { name: '<= above', values: ['load<=0.75'], metadata: { load: '0.8' }, reason: 'metadata load<=0.75 not matched (load=0.8)' },
    { name: '< equal fails', values: ['load<0.75'], metadata: { load: '0.75' }, reason: 'metadata load<0.75 not matched (load=0.75)' },
    { name: '< below', values: ['load<0.75'], metadata: { load: '.5' }, reason: undefined },
    { name: 'negative requirement, negative machine value', values: ['temp>-5'], metadata: { temp: '-4.5' }, reason: undefined },
    { name: 'negative bound is exclusive with >', values: ['temp>-5'], metadata: { temp: '-5' }, reason: 'metadata temp>-5 not matched (temp=-5)' },
    { name: 'numeric on a missing key', values: ['cpus>=4'], metadata: {}, reason: 'metadata cpus>=4 not matched (cpus not set)' },
    { name: 'numeric on a word', values: ['cpus>=4'], metadata: { cpus: 'many' }, reason: 'metadata cpus>=4 not matched (cpus=many is not a number)' },
    { name: 'numeric on an empty value', values: ['cpus<4'], metadata: { cpus: '' }, reason: 'metadata cpus<4 not matched (cpus= is not a number)' },
    { name: 'numeric on an exponent', values: ['mem<=2000'], metadata: { mem: '1e3' }, reason: 'metadata mem<=2000 not matched (mem=1e3 is not a number)' },
    { name: 'numeric on a padded value', values: ['cpus>=4'], metadata: { cpus: ' 8' }, reason: 'metadata cpus>=4 not matched (cpus= 8 is not a number)' },
    // combinations and order
    {
      name: 'every condition must hold (AND)',
      values: ['cpus>=4', 'disk!=hdd'],
      metadata: { cpus: '8', disk: 'hdd' },
      reason: 'metadata disk!=hdd not matched',
    },
    {
      name: 'OR within a key, AND with other conditions',
      values: ['region=a', 'cpus>=4', 'region=b'],
      metadata: { region: 'b', cpus: '8' },
      reason: undefined,
    },
    {
      name: 'equality groups are reported before other conditions',
      values: ['cpus>=4', 'region=a'],
      metadata: { region: 'b', cpus: '2' },
      reason: 'metadata region=a not matched',
    },
    { name: '= and != on the same key', values: ['region!=b', 'region=a', 'region=b'], metadata: { region: 'b' }, reason: 'metadata region!=b not matched' },
    { name: 'no inherited keys: constructor=x on {}', values: ['constructor=x'], metadata: {}, reason: 'metadata constructor=x not matched' },
    { name: 'no inherited keys: toString!=x on {}', values: ['toString!=x'], metadata: {}, reason: undefined },
    {
      name: 'a requirement with errors matches no machine',
      values: ['region=a', 'cpus>=many'],
      metadata: { region: 'a', cpus: '8' },
      reason: 'MachineMetadata "cpus>=many": "many" is not a number',
    },
    { name: 'an empty requirement matches every machine', values: [], metadata: {}, reason: undefined },
  ])('$name', ({ values, metadata, reason }) => {
    const requirement = parseMetadataRequirement(values);
    expect(metadataMismatch(requirement, metadata)).toBe(reason);
    expect(matchesMetadata(requirement, metadata)).toBe(reason === undefined);
  });

  it('gives the identical reason string for the same machine value', () => {
    const requirement = parseMetadataRequirement(['cpus>=4']);
    const first = metadataMismatch(requirement, { cpus: '2' });
    expect(metadataMismatch(requirement, { cpus: '2' })).toBe(first);
    expect(metadataMismatch(requirement, { cpus: '3' })).toBe('metadata cpus>=4 not matched (cpus=3)');
  });
});

describe('metadataCandidates and metadataVerdict', () => {
  const machines = [
    { id: 'm1', metadata: { region: 'us-west-1', disk: 'hdd' } },
    { id: 'm2', metadata: { region: 'us-east-1', disk: 'hdd' } },
    { id: 'm3', metadata: { region: 'eu-west-1', disk: 'ssd' } },
    { id: 'm4', metadata: { region: 'us-west-1', disk: 'ssd' } },
  ];
  const index = {
    machinesWithMetadata: (key: string, value: string) => machines.filter((machine) => machine.metadata[key as 'region'] === value),
  };

  it.each([
    { name: 'one value: its machines', values: ['region=us-west-1'], group: 'region=us-west-1', ids: ['m1', 'm4'] },
    {
      name: 'an OR group: the union, sorted by ID',
      values: ['region=us-west-1', 'region=us-east-1'],
      group: 'region=us-west-1 or region=us-east-1',
      ids: ['m1', 'm2', 'm4'],
    },
    { name: 'several groups: the one with the fewest machines', values: ['disk=ssd', 'region=us-east-1'], group: 'region=us-east-1', ids: ['m2'] },
    { name: 'ties: the first group', values: ['disk=ssd', 'region=us-west-1'], group: 'disk=ssd', ids: ['m3', 'm4'] },
    { name: 'a value no machine has: none', values: ['disk=nvme', 'region=us-east-1'], group: 'disk=nvme', ids: [] },
  ])('narrows to $name', ({ values, group, ids }) => {
    const candidates = metadataCandidates(parseMetadataRequirement(values), index);
    expect(candidates?.group.text).toBe(group);
    expect(candidates?.machines.map((machine) => machine.id)).toEqual(ids);
  });

  it('does not narrow without an equality group', () => {
    expect(metadataCandidates(parseMetadataRequirement(['disk!=hdd', 'cpus>=2']), index)).toBeUndefined();
  });

  it('reports the narrowing group for a machine that fails several groups', () => {
    const requirement = parseMetadataRequirement(['disk=ssd', 'region=us-east-1']);
    // m1 fails both: disk comes first in the file, but region=us-east-1 is what narrowing restricts by.
    expect(metadataMismatch(requirement, machines[0]?.metadata ?? {})).toBe('metadata disk=ssd not matched');
    expect(metadataVerdict(requirement, machines[0]?.metadata ?? {}, index)).toBe('metadata region=us-east-1 not matched');
    // m2 passes the narrowing group: the first failing one.
    expect(metadataVerdict(requirement, machines[1]?.metadata ?? {}, index)).toBe('metadata disk=ssd not matched');
  });

  it('agrees with matchesMetadata, and every machine narrowing leaves out fails with the narrowing reason', () => {
    const key = fc.constantFrom('region', 'disk');
    const value = fc.constantFrom('us-west-1', 'us-east-1', 'eu-west-1', 'hdd', 'ssd', 'nvme');
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(key, value).map(([k, v]) => `${k}=${v}`),
          { maxLength: 5 },
        ),
        (values) => {
          const requirement = parseMetadataRequirement(values);
          const candidates = metadataCandidates(requirement, index);
          for (const machine of machines) {
            const verdict = metadataVerdict(requirement, machine.metadata, index);
            expect(verdict === undefined).toBe(matchesMetadata(requirement, machine.metadata));
            if (candidates !== undefined && !candidates.machines.includes(machine)) expect(verdict).toBe(candidates.group.reason);
          }
        },
      ),
    );
  });
});
