import { describe, expect, it } from 'vitest';
import { ErrorCodes, FleetError } from '../errors.js';
import { TEMPLATE_UNIT_TYPES, UNIT_TYPES, isValidUnitName, parseUnitName, templateOf, type UnitNameInfo } from './name.js';

const NON_TEMPLATE_TYPES = UNIT_TYPES.filter((t) => !(TEMPLATE_UNIT_TYPES as readonly string[]).includes(t));

describe('parseUnitName: valid names', () => {
  it.each<{ name: string; unit: string; expected: Omit<UnitNameInfo, 'name'> }>([
    {
      name: 'plain service',
      unit: 'web.service',
      expected: { prefix: 'web', instance: undefined, type: 'service', isTemplate: false, isInstance: false, template: undefined },
    },
    {
      name: 'template',
      unit: 'web@.service',
      expected: { prefix: 'web', instance: '', type: 'service', isTemplate: true, isInstance: false, template: undefined },
    },
    {
      name: 'instance',
      unit: 'web@1.service',
      expected: { prefix: 'web', instance: '1', type: 'service', isTemplate: false, isInstance: true, template: 'web@.service' },
    },
    {
      name: 'dots in prefix, last dot is the type',
      unit: 'my.app.v2.socket',
      expected: { prefix: 'my.app.v2', instance: undefined, type: 'socket', isTemplate: false, isInstance: false, template: undefined },
    },
    {
      name: 'dots in instance',
      unit: 'backup@db.example.com.timer',
      expected: { prefix: 'backup', instance: 'db.example.com', type: 'timer', isTemplate: false, isInstance: true, template: 'backup@.timer' },
    },
    {
      name: 'further @ belong to the instance (systemd)',
      unit: 'mail@user@host.service',
      expected: { prefix: 'mail', instance: 'user@host', type: 'service', isTemplate: false, isInstance: true, template: 'mail@.service' },
    },
    {
      name: 'escaped path instance',
      unit: 'mnt@dev-disk\\x2dby\\x2dlabel.path',
      expected: { prefix: 'mnt', instance: 'dev-disk\\x2dby\\x2dlabel', type: 'path', isTemplate: false, isInstance: true, template: 'mnt@.path' },
    },
    {
      name: 'all allowed characters',
      unit: 'aZ09:_.-\\.target',
      expected: { prefix: 'aZ09:_.-\\', instance: undefined, type: 'target', isTemplate: false, isInstance: false, template: undefined },
    },
    {
      name: 'mount unit from escaped path',
      unit: 'var-lib-docker.mount',
      expected: { prefix: 'var-lib-docker', instance: undefined, type: 'mount', isTemplate: false, isInstance: false, template: undefined },
    },
    {
      name: 'root slice',
      unit: '-.slice',
      expected: { prefix: '-', instance: undefined, type: 'slice', isTemplate: false, isInstance: false, template: undefined },
    },
    {
      name: 'one-character prefix with dot',
      unit: 'a..service',
      expected: { prefix: 'a.', instance: undefined, type: 'service', isTemplate: false, isInstance: false, template: undefined },
    },
    {
      name: 'exactly 255 characters',
      unit: `${'a'.repeat(247)}.service`,
      expected: { prefix: 'a'.repeat(247), instance: undefined, type: 'service', isTemplate: false, isInstance: false, template: undefined },
    },
  ])('$name', ({ unit, expected }) => {
    expect(parseUnitName(unit)).toEqual({ name: unit, ...expected });
    expect(isValidUnitName(unit)).toBe(true);
  });

  it.each(UNIT_TYPES.map((type) => ({ name: `plain .${type}`, unit: `foo.${type}` })))('$name', ({ unit }) => {
    expect(isValidUnitName(unit)).toBe(true);
    expect(templateOf(unit)).toBeUndefined();
  });

  it.each(TEMPLATE_UNIT_TYPES.map((type) => ({ name: `template and instance .${type}`, type })))('$name', ({ type }) => {
    expect(parseUnitName(`foo@.${type}`).isTemplate).toBe(true);
    expect(templateOf(`foo@.${type}`)).toBeUndefined();
    expect(parseUnitName(`foo@x.${type}`).isInstance).toBe(true);
    expect(templateOf(`foo@x.${type}`)).toBe(`foo@.${type}`);
  });
});

describe('parseUnitName: invalid names', () => {
  it.each<{ name: string; unit: string; rule: string }>([
    { name: 'empty', unit: '', rule: 'the name is empty' },
    {
      name: '256 characters (systemd refuses them; fleet allowed them)',
      unit: `${'a'.repeat(248)}.service`,
      rule: 'it is 256 characters long, the most is 255',
    },
    {
      name: 'no type suffix',
      unit: 'web',
      rule: 'it has no type suffix (one of .automount, .busname, .device, .mount, .path, .scope, .service, .slice, .snapshot, .socket, .swap, .target, .timer)',
    },
    { name: 'ends in a dot', unit: 'web.', rule: "it ends in '.' instead of a unit type" },
    { name: 'unknown type', unit: 'web.conf', rule: "unknown unit type 'conf'" },
    { name: 'type is case-sensitive', unit: 'web.Service', rule: "unknown unit type 'Service'" },
    { name: 'only a dot', unit: '.', rule: "it ends in '.' instead of a unit type" },
    { name: 'dot-dot', unit: '..', rule: "it ends in '.' instead of a unit type" },
    { name: 'empty prefix', unit: '.service', rule: 'the prefix before the type is empty' },
    { name: 'prefix of one dot', unit: '..service', rule: "the prefix '.' is only dots" },
    { name: 'prefix of two dots', unit: '...service', rule: "the prefix '..' is only dots" },
    { name: 'instance of two dots', unit: 'web@...service', rule: "the instance '..' is only dots" },
    { name: 'instance of one dot', unit: 'web@..service', rule: "the instance '.' is only dots" },
    { name: 'slash', unit: 'a/b.service', rule: "'/' is not allowed (position 2)" },
    { name: 'path traversal', unit: '../etc.service', rule: "'/' is not allowed (position 3)" },
    { name: 'space', unit: 'my web.service', rule: "character ' ' at position 3 is not allowed (only A-Z a-z 0-9 : _ . @ - \\)" },
    { name: 'newline', unit: 'a\nb.service', rule: 'character U+000A at position 2 is not allowed (only A-Z a-z 0-9 : _ . @ - \\)' },
    { name: 'glob star', unit: 'web*.service', rule: "character '*' at position 4 is not allowed (only A-Z a-z 0-9 : _ . @ - \\)" },
    { name: 'unicode', unit: 'wéb.service', rule: "character 'é' at position 2 is not allowed (only A-Z a-z 0-9 : _ . @ - \\)" },
    {
      name: 'regression: an emoji is one character, not half of one',
      unit: 'a💣b.service',
      rule: "character '💣' at position 2 is not allowed (only A-Z a-z 0-9 : _ . @ - \\)",
    },
    { name: 'starts with @', unit: '@web.service', rule: "it starts with '@'" },
    { name: 'bare template', unit: '@.service', rule: "it starts with '@'" },
    { name: 'bad char in instance', unit: 'web@a b.service', rule: "character ' ' at position 6 is not allowed (only A-Z a-z 0-9 : _ . @ - \\)" },
    ...NON_TEMPLATE_TYPES.flatMap((type) => [
      {
        name: `template of .${type}`,
        unit: `foo@.${type}`,
        rule: `${type} units cannot be templates or instances (only path, service, socket, target, timer)`,
      },
      {
        name: `instance of .${type}`,
        unit: `foo@x.${type}`,
        rule: `${type} units cannot be templates or instances (only path, service, socket, target, timer)`,
      },
    ]),
  ])('$name', ({ unit, rule }) => {
    expect(isValidUnitName(unit)).toBe(false);
    let caught: unknown;
    try {
      parseUnitName(unit);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FleetError);
    const error = caught as FleetError;
    expect(error.code).toBe(ErrorCodes.UNIT_NAME_INVALID);
    expect(error.unit).toBe(unit);
    expect(error.message).toBe(`invalid unit name ${JSON.stringify(unit.length > 80 ? `${unit.slice(0, 77)}...` : unit)}: ${rule}`);
    expect(() => templateOf(unit)).toThrow(FleetError);
  });

  it('rejects non-strings without throwing from isValidUnitName', () => {
    expect(isValidUnitName(42 as unknown as string)).toBe(false);
    expect(() => parseUnitName(undefined as unknown as string)).toThrow('a unit name must be a string');
  });
});

describe('unit type lists', () => {
  it('has the 13 types and 5 template types', () => {
    expect(UNIT_TYPES).toHaveLength(13);
    expect([...TEMPLATE_UNIT_TYPES]).toEqual(['path', 'service', 'socket', 'target', 'timer']);
  });
});
