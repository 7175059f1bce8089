import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@fleetd/core';
import { formatTable, legend } from '../../src/cli/table.js';
import { selectFields } from '../../src/cli/fields.js';
import { formatMetadata, isGlobalUnit, machineFullLegend, machineIdLegend, shortHash } from '../../src/cli/legend.js';
import { expectFleetError } from './helpers.js';

describe('formatTable (fleet tabwriter layout, space padded)', () => {
  it.each([
    {
      name: 'columns start on tab stops, one cell past the longest text',
      rows: [
        ['UNIT', 'MACHINE', 'ACTIVE', 'SUB'],
        ['hello.service', '1a2b3c4d.../10.0.0.1', 'active', 'running'],
      ],
      expected: 'UNIT            MACHINE                 ACTIVE  SUB\nhello.service   1a2b3c4d.../10.0.0.1    active  running\n',
    },
    {
      name: 'a text exactly a tab stop wide still gets a gap',
      rows: [
        ['12345678', 'x'],
        ['a', 'y'],
      ],
      expected: '12345678        x\na               y\n',
    },
    {
      name: 'the last cell is never padded',
      rows: [
        ['a', ''],
        ['b', 'c'],
      ],
      expected: 'a\nb       c\n',
    },
    { name: 'no rows, no output', rows: [], expected: '' },
    {
      name: 'multi-byte text counts as one column per character',
      rows: [
        ['zürich', 'x'],
        ['z', 'y'],
      ],
      expected: 'zürich  x\nz       y\n',
    },
    {
      name: 'rows of different lengths',
      rows: [
        ['a', 'bb', 'c'],
        ['dddddddddd', 'e'],
      ],
      expected: 'a               bb      c\ndddddddddd      e\n',
    },
  ])('$name', ({ rows, expected }) => {
    expect(formatTable(rows)).toBe(expected);
  });

  it('every column of a listing starts at the same offset on every line', () => {
    const text = formatTable([
      legend(['unit', 'machine', 'active']),
      ['a.service', 'm1...', 'active'],
      ['much-longer-name.service', 'machine-2.../10.0.0.2', 'failed'],
    ]);
    const lines = text.trimEnd().split('\n');
    const starts = (line: string) => [...line.matchAll(/(?<=^|\s)\S/g)].map((match) => match.index);
    expect(new Set(lines.map((line) => JSON.stringify(starts(line)))).size).toBe(1);
  });
});

describe('selectFields', () => {
  const known = ['unit', 'machine', 'active', 'sub', 'load', 'hash'] as const;
  it.each([
    { name: "fleet's default", flag: 'unit,machine,active,sub', expected: ['unit', 'machine', 'active', 'sub'] },
    { name: 'any order', flag: 'hash,unit', expected: ['hash', 'unit'] },
    { name: 'blanks around keys', flag: ' unit , load ', expected: ['unit', 'load'] },
    { name: 'repeats kept', flag: 'unit,unit', expected: ['unit', 'unit'] },
  ])('$name', ({ flag, expected }) => {
    expect(selectFields(flag, known)).toEqual(expected);
  });

  it.each([
    { name: 'empty', flag: '', message: '--fields: must define output format (e.g. --fields=unit,machine,active,sub,load,hash)' },
    { name: 'unknown key', flag: 'unit,tmachine', message: '--fields: invalid key in output format: "tmachine" (valid: active,hash,load,machine,sub,unit)' },
    { name: 'trailing comma', flag: 'unit,', message: '--fields: invalid key in output format: "" (valid: active,hash,load,machine,sub,unit)' },
  ])('refuses $name', ({ flag, message }) => {
    expectFleetError(() => selectFields(flag, known), ErrorCodes.CLI_USAGE, message);
  });
});

describe('legends', () => {
  it.each([
    { name: 'short ID', id: '1a2b3c4d5e6f7a8b', full: false, expected: '1a2b3c4d...' },
    { name: 'full ID with -l', id: '1a2b3c4d5e6f7a8b', full: true, expected: '1a2b3c4d5e6f7a8b' },
    { name: 'an ID no longer than the short form is shown whole', id: 'm1', full: false, expected: 'm1' },
    { name: 'an ID of exactly eight characters is shown whole', id: 'abcdefgh', full: false, expected: 'abcdefgh' },
  ])('machineIdLegend: $name', ({ id, full, expected }) => {
    expect(machineIdLegend(id, full)).toBe(expected);
  });

  it.each([
    { name: 'with the public IP', machine: { id: '1a2b3c4d5e', primaryIP: '10.0.0.1', metadata: {}, facts: {} }, expected: '1a2b3c4d.../10.0.0.1' },
    { name: 'without an IP', machine: { id: '1a2b3c4d5e', primaryIP: '', metadata: {}, facts: {} }, expected: '1a2b3c4d...' },
    { name: 'an unknown machine', machine: undefined, expected: '1a2b3c4d...' },
  ])('machineFullLegend: $name', ({ machine, expected }) => {
    expect(machineFullLegend('1a2b3c4d5e', machine, false)).toBe(expected);
  });

  it.each([
    { name: 'sorted by key', metadata: { region: 'us', disk: 'ssd' }, expected: 'disk=ssd,region=us' },
    { name: 'none', metadata: {}, expected: '-' },
  ])('formatMetadata: $name', ({ metadata, expected }) => {
    expect(formatMetadata(metadata)).toBe(expected);
  });

  it.each([
    { name: 'short', hash: 'abcdef0123456789', full: false, expected: 'abcdef0' },
    { name: 'full', hash: 'abcdef0123456789', full: true, expected: 'abcdef0123456789' },
    { name: 'none', hash: '', full: false, expected: '-' },
  ])('shortHash: $name', ({ hash, full, expected }) => {
    expect(shortHash(hash, full)).toBe(expected);
  });

  it.each([
    { name: 'Global=true', values: ['true'], expected: true },
    { name: 'any case of yes', values: ['YeS'], expected: true },
    { name: 'the last value wins', values: ['true', 'false'], expected: false },
    { name: 'blanks are not trimmed (as the global plugin)', values: [' true'], expected: false },
    { name: 'absent', values: [], expected: false },
  ])('isGlobalUnit: $name', ({ values, expected }) => {
    expect(isGlobalUnit(values.map((value) => ({ section: 'X-Fleet', name: 'Global', value })))).toBe(expected);
  });
});
