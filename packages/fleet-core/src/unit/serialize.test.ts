import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, FleetError } from '../errors.js';
import { parseUnitFile } from './parse.js';
import { serializeUnitFile } from './serialize.js';
import { UnitFile, type UnitOption } from './unit-file.js';

type Row = readonly [string, string, string];
const opts = (rows: readonly Row[]): UnitOption[] => rows.map(([section, name, value]) => ({ section, name, value }));

describe('serializeUnitFile: canonical text', () => {
  it.each<{ name: string; options: readonly Row[]; text: string }>([
    { name: 'no options', options: [], text: '' },
    { name: 'one option', options: [['Unit', 'Description', 'web']], text: '[Unit]\nDescription=web\n' },
    {
      name: 'blank line between sections',
      options: [['Unit', 'A', '1'], ['Service', 'B', '2'], ['X-Fleet', 'C', '3']],
      text: '[Unit]\nA=1\n\n[Service]\nB=2\n\n[X-Fleet]\nC=3\n',
    },
    {
      name: 'interleaved sections are grouped',
      options: [['Unit', 'A', '1'], ['Service', 'B', '2'], ['Unit', 'C', '3']],
      text: '[Unit]\nA=1\nC=3\n\n[Service]\nB=2\n',
    },
    { name: 'repeated keys in order', options: [['Service', 'E', '/a'], ['Service', 'E', '/b']], text: '[Service]\nE=/a\nE=/b\n' },
    { name: 'empty value', options: [['Service', 'E', '']], text: '[Service]\nE=\n' },
    { name: 'even trailing backslashes written as is', options: [['Service', 'E', 'C:\\\\']], text: '[Service]\nE=C:\\\\\n' },
    { name: 'odd trailing backslash gets a guard space', options: [['Service', 'E', 'C:\\']], text: '[Service]\nE=C:\\ \n' },
    { name: 'unicode and inner whitespace kept', options: [['Unit', 'D', 'a  b\tc 🚀']], text: '[Unit]\nD=a  b\tc 🚀\n' },
  ])('$name', ({ options, text }) => {
    expect(serializeUnitFile(opts(options))).toBe(text);
    expect(serializeUnitFile(new UnitFile(opts(options)))).toBe(text);
  });

  it('drops comments, spacing and continuations of parsed text', () => {
    const parsed = parseUnitFile('# c\n [Unit] \n Description = web \\\n  server\n\n;x\n[Service]\nExecStart=/bin/true\n');
    expect(serializeUnitFile(parsed)).toBe('[Unit]\nDescription=web    server\n\n[Service]\nExecStart=/bin/true\n');
  });
});

describe('serializeUnitFile: refuses what it cannot write', () => {
  // Line breaks are refused rather than written as continuations: systemd would
  // read "a\nb" back as "a b", and "a\n# b" as just "a".
  it.each<{ name: string; option: Row }>([
    { name: 'newline in value', option: ['Service', 'ExecStart', '/bin/a\n/bin/b'] },
    { name: 'CRLF in value', option: ['Service', 'ExecStart', 'a\r\nb'] },
    { name: 'untrimmed value', option: ['Service', 'ExecStart', ' /bin/a'] },
    { name: 'key with space', option: ['Service', 'Exec Start', '/bin/a'] },
    { name: 'section with ]', option: ['Ser]vice', 'ExecStart', '/bin/a'] },
  ])('$name', ({ option }) => {
    let caught: unknown;
    try {
      serializeUnitFile(opts([option]));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FleetError);
    expect((caught as FleetError).code).toBe(ErrorCodes.UNIT_FILE_SYNTAX);
  });
});

/** Characters the generators draw from: edge cases of the syntax plus ordinary and astral text. */
const VALUE_CHARS = [...'aZ09 \t=#;[]"\'\\@.%é日🚀\u00a0\u2028\u000b'];
const valueChar = fc.constantFrom(...VALUE_CHARS);
const notBlank = (s: string): boolean => s === '' || !/^[ \t]|[ \t]$/.test(s);

const sectionArb = fc
  .string({ unit: fc.constantFrom(...'AbXz-_ .é1'), minLength: 1, maxLength: 8 })
  .filter((s) => !/^[ ]|[ ]$/.test(s));
const keyArb = fc.string({ unit: fc.constantFrom(...'AbXz-_09'), minLength: 1, maxLength: 8 });
const valueArb = fc.oneof(
  fc.string({ unit: valueChar, maxLength: 20 }).filter(notBlank),
  fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !/[\r\n\0]/.test(s) && notBlank(s)),
);
const optionArb = fc.record({ section: sectionArb, name: keyArb, value: valueArb });

describe('serialize → parse', () => {
  it('gives back the same options (property)', () => {
    fc.assert(
      fc.property(fc.array(optionArb, { maxLength: 12 }), (options) => {
        const unit = new UnitFile(options);
        expect(parseUnitFile(serializeUnitFile(unit)).options).toEqual(unit.options);
      }),
      { numRuns: 500 },
    );
  });

  it('is a fixed point after one round (property)', () => {
    fc.assert(
      fc.property(fc.array(optionArb, { maxLength: 12 }), (options) => {
        const text = serializeUnitFile(options);
        expect(serializeUnitFile(parseUnitFile(text))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});
