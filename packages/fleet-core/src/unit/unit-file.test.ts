import { describe, expect, it } from 'vitest';
import { ErrorCodes, FleetError } from '../errors.js';
import { parseUnitFile } from './parse.js';
import { UnitFile, type UnitOption } from './unit-file.js';

function thrownBy(action: () => unknown): FleetError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(FleetError);
    return error as FleetError;
  }
  throw new Error('expected a FleetError');
}

const file = parseUnitFile(
  [
    '[Unit]',
    'Description=web',
    'After=a.service',
    '[Service]',
    'ExecStartPre=/one',
    'ExecStart=/run',
    '[Unit]',
    'After=b.service',
    '[X-Fleet]',
    'Conflicts=web@*.service',
    '',
  ].join('\n'),
);

describe('UnitFile look-ups', () => {
  it.each<{ name: string; section: string; key: string; values: string[]; last: string | undefined }>([
    { name: 'single value', section: 'Unit', key: 'Description', values: ['web'], last: 'web' },
    { name: 'repeated across merged sections', section: 'Unit', key: 'After', values: ['a.service', 'b.service'], last: 'b.service' },
    { name: 'absent key', section: 'Unit', key: 'Wants', values: [], last: undefined },
    { name: 'absent section', section: 'Install', key: 'WantedBy', values: [], last: undefined },
    { name: 'keys are case-sensitive', section: 'Unit', key: 'description', values: [], last: undefined },
    { name: 'sections are case-sensitive', section: 'unit', key: 'Description', values: [], last: undefined },
  ])('$name', ({ section, key, values, last }) => {
    expect(file.values(section, key)).toEqual(values);
    expect(file.has(section, key)).toBe(values.length > 0);
    expect(file.lastValue(section, key)).toBe(last);
  });

  it('lists sections in first-appearance order', () => {
    expect(file.sections()).toEqual(['Unit', 'Service', 'X-Fleet']);
  });

  it('keeps options grouped by section in normalized order', () => {
    expect(file.options.map((o) => `${o.section}.${o.name}`)).toEqual([
      'Unit.Description',
      'Unit.After',
      'Unit.After',
      'Service.ExecStartPre',
      'Service.ExecStart',
      'X-Fleet.Conflicts',
    ]);
  });
});

describe('UnitFile immutability', () => {
  it('copies its input and freezes what it hands out', () => {
    const input = [{ section: 'Unit', name: 'A', value: '1', extra: true }];
    const unit = new UnitFile(input);
    input[0]!.value = '2';
    input.push({ section: 'Unit', name: 'B', value: '3', extra: false });
    expect(unit.options).toEqual([{ section: 'Unit', name: 'A', value: '1' }]);
    expect(Object.isFrozen(unit.options)).toBe(true);
    expect(Object.isFrozen(unit.options[0])).toBe(true);
    expect(Object.isFrozen(unit.values('Unit', 'A'))).toBe(true);
    expect(Object.isFrozen(unit.values('Unit', 'missing'))).toBe(true);
  });

  it('returns a fresh sections() array each time', () => {
    const sections = file.sections();
    sections.push('Mutated');
    expect(file.sections()).toEqual(['Unit', 'Service', 'X-Fleet']);
  });
});

describe("UnitFile accepts continued values as fleet's client sends them", () => {
  it.each<{ name: string; value: string }>([
    { name: 'regression: a continuation line is accepted as options, not refused', value: "/bin/sh -c 'echo one; \\\n    echo two'" },
    { name: 'a value ending in backslash-newline (a blank line ended it)', value: 'words here \\\n' },
    { name: 'a comment line as the last line', value: 'Bar\\\n# comment alpha' },
    { name: 'a comment line ending in a backslash inside', value: 'Bar\\\n# comment bravo \\\nBaz' },
    { name: 'a comment line without a backslash inside (systemd skips it)', value: '1 \\\n# c\n2' },
    { name: 'three backslashes then a line break', value: 'x\\\\\\\ny' },
    { name: 'a continued value whose last line ends in a backslash', value: 'x \\\ny \\' },
  ])('$name', ({ value }) => {
    expect(new UnitFile([{ section: 'Service', name: 'ExecStart', value }]).options[0]?.value).toBe(value);
  });
});

describe('UnitFile refuses options no unit file can hold', () => {
  it.each<{ name: string; option: UnitOption; message: string }>([
    {
      name: 'newline in value',
      option: { section: 'Unit', name: 'A', value: 'a\nb' },
      message: 'unit option #1: [Unit] A: value contains a line break, which a unit file cannot represent',
    },
    {
      name: 'carriage return in value',
      option: { section: 'Unit', name: 'A', value: 'a\rb' },
      message: 'unit option #1: [Unit] A: value contains a line break, which a unit file cannot represent',
    },
    { name: 'NUL in value', option: { section: 'Unit', name: 'A', value: 'a\0' }, message: 'unit option #1: [Unit] A: value contains a NUL byte' },
    {
      name: 'backslash, space, then a line break',
      option: { section: 'Unit', name: 'A', value: 'a \\ \nb' },
      message: 'unit option #1: [Unit] A: value contains a line break, which a unit file cannot represent',
    },
    {
      name: 'carriage return after a backslash',
      option: { section: 'Unit', name: 'A', value: 'a \\\r\nb' },
      message: 'unit option #1: [Unit] A: value contains a line break, which a unit file cannot represent',
    },
    {
      name: 'a blank line inside a continued value',
      option: { section: 'Unit', name: 'A', value: 'a \\\n\nb' },
      message: 'unit option #1: [Unit] A: value contains a line break, which a unit file cannot represent',
    },
    {
      name: 'a line break after a last comment line',
      option: { section: 'Unit', name: 'A', value: 'a \\\n# c\n' },
      message: 'unit option #1: [Unit] A: value contains a line break, which a unit file cannot represent',
    },
    {
      name: 'a line break at the start',
      option: { section: 'Unit', name: 'A', value: '\nb' },
      message: 'unit option #1: [Unit] A: value contains a line break, which a unit file cannot represent',
    },
    {
      name: 'a line break after an even run of backslashes',
      option: { section: 'Unit', name: 'A', value: 'C:\\\\\nb' },
      message:
        'unit option #1: [Unit] A: value continues a line after an even run of backslashes, which systemd reads as escaped backslashes, not a continuation',
    },
    {
      name: 'leading blank in value',
      option: { section: 'Unit', name: 'A', value: ' a' },
      message: 'unit option #1: [Unit] A: value has leading or trailing whitespace, which systemd would strip',
    },
    {
      name: 'trailing tab in value',
      option: { section: 'Unit', name: 'A', value: 'a\t' },
      message: 'unit option #1: [Unit] A: value has leading or trailing whitespace, which systemd would strip',
    },
    { name: 'empty name', option: { section: 'Unit', name: '', value: 'a' }, message: 'unit option #1: [Unit] : empty option name' },
    {
      name: 'name with =',
      option: { section: 'Unit', name: 'A=B', value: 'a' },
      message: "unit option #1: [Unit] A=B: character '=' is not allowed in option name 'A=B' (use A-Z a-z 0-9 - _)",
    },
    { name: 'empty section', option: { section: '', name: 'A', value: 'a' }, message: 'unit option #1: [] A: empty section name' },
    {
      name: 'section with ]',
      option: { section: 'a]b', name: 'A', value: 'a' },
      message: "unit option #1: [a]b] A: character ']' is not allowed in section name",
    },
    {
      name: 'section with newline',
      option: { section: 'a\nb', name: 'A', value: 'a' },
      message: 'unit option #1: [a\nb] A: character U+000A is not allowed in section name',
    },
    {
      name: 'non-string value',
      option: { section: 'Unit', name: 'A', value: 1 as unknown as string },
      message: 'unit option #1: section, name and value must all be strings',
    },
  ])('$name', ({ option, message }) => {
    const error = thrownBy(() => new UnitFile([option]));
    expect(error.code).toBe(ErrorCodes.UNIT_FILE_SYNTAX);
    expect(error.message).toBe(message);
  });

  it('numbers the offending option', () => {
    const options = [
      { section: 'Unit', name: 'A', value: '1' },
      { section: 'Unit', name: 'B', value: 'x\ny' },
    ];
    expect(() => new UnitFile(options)).toThrow(/^unit option #2: /);
  });
});
