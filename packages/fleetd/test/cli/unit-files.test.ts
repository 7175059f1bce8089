import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@fleetd/core';
import { findLocalUnitFile, optionsHash, readUnitFile, unitInfo, unitNameOf, withDefaultUnitType } from '../../src/cli/unit-files.js';
import { expectFleetError, FIXTURES } from './helpers.js';

describe('unit arguments', () => {
  it.each([
    { name: 'a unit name', arg: 'hello.service', expected: 'hello.service' },
    { name: 'no type means a service (fleet)', arg: 'hello', expected: 'hello.service' },
    { name: 'a path: its base name', arg: 'units/web.socket', expected: 'web.socket' },
    { name: 'a path without type', arg: './units/web', expected: 'web.service' },
    { name: 'an unknown suffix is part of the name', arg: 'app.v2', expected: 'app.v2.service' },
    { name: 'an instance', arg: 'dir/web@1.service', expected: 'web@1.service' },
  ])('unitNameOf: $name', ({ arg, expected }) => {
    expect(unitNameOf(arg)).toBe(expected);
  });

  it.each([
    { name: 'known type kept', arg: 'x/y.timer', expected: 'x/y.timer' },
    { name: 'type added to the path', arg: 'x/y', expected: 'x/y.service' },
  ])('withDefaultUnitType: $name', ({ arg, expected }) => {
    expect(withDefaultUnitType(arg)).toBe(expected);
  });

  it.each([
    { name: 'an instance names its template', unit: 'web@1.service', template: 'web@.service', isInstance: true },
    { name: 'an instance with @ in it', unit: 'a@b@c.service', template: 'a@.service', isInstance: true },
    { name: 'a template has none', unit: 'web@.service', template: undefined, isInstance: false },
    { name: 'a plain unit has none', unit: 'web.service', template: undefined, isInstance: false },
  ])('template → instance: $name', ({ unit, template, isInstance }) => {
    expect(unitInfo(unit)).toMatchObject({ template, isInstance });
  });

  it('refuses an invalid unit name, saying which rule it breaks', () => {
    expectFleetError(() => unitInfo('@x.service'), ErrorCodes.UNIT_NAME_INVALID, 'invalid unit name "@x.service": it starts with \'@\'');
  });
});

describe('local unit files', () => {
  it('reads a unit file into API options and its hash', () => {
    const file = readUnitFile(join(FIXTURES, 'units/hello.service'));
    expect(file.options).toEqual([
      { section: 'Unit', name: 'Description', value: 'hello' },
      { section: 'Service', name: 'ExecStart', value: '/bin/sleep 1000' },
    ]);
    expect(file.hash).toBe(optionsHash(file.options));
  });

  it.each([
    {
      name: 'a syntax error names the file, line and column',
      path: 'bad-syntax/broken.service',
      code: ErrorCodes.UNIT_FILE_SYNTAX,
      message: (dir: string) => `${dir}bad-syntax/broken.service:3:1: expected 'Key=Value', a [Section] header or a comment`,
    },
    {
      name: 'a directory is not a unit file',
      path: 'units',
      code: ErrorCodes.UNIT_FILE_UNREADABLE,
      message: (dir: string) => `cannot read unit file ${dir}units: it is a directory`,
    },
    {
      name: 'a missing file',
      path: 'units/nope.service',
      code: ErrorCodes.UNIT_FILE_UNREADABLE,
      message: (dir: string) => `cannot read unit file ${dir}units/nope.service: no such file`,
    },
  ])('$name', ({ path, code, message }) => {
    expectFleetError(() => readUnitFile(join(FIXTURES, path)), code, message(FIXTURES));
  });

  it('a syntax error carries file and line as fields too', () => {
    try {
      readUnitFile(join(FIXTURES, 'bad-syntax/broken.service'));
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ file: join(FIXTURES, 'bad-syntax/broken.service'), line: 3, column: 1 });
    }
  });

  it.each([
    { name: 'the file itself', arg: 'units/hello.service', expected: 'units/hello.service' },
    { name: 'the file, type added', arg: 'units/hello', expected: 'units/hello.service' },
    { name: 'an instance without a file: the template next to it', arg: 'templates/web@1.service', expected: 'templates/web@.service' },
    { name: 'the template itself', arg: 'templates/web@.service', expected: 'templates/web@.service' },
    { name: 'nothing on disk', arg: 'units/absent.service', expected: undefined },
    { name: 'an instance whose template is not on disk', arg: 'units/absent@1.service', expected: undefined },
  ])('findLocalUnitFile: $name', ({ arg, expected }) => {
    expect(findLocalUnitFile(FIXTURES, arg)?.path).toBe(expected === undefined ? undefined : join(FIXTURES, expected));
  });
});
