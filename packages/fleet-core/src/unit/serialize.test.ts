import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, FleetError } from '../errors.js';
import { parseUnitFile } from './parse.js';
import { serializeUnitFile } from './serialize.js';
import { valueProblem } from './syntax.js';
import { UnitFile, type UnitOption } from './unit-file.js';

type Row = readonly [string, string, string];
const opts = (rows: readonly Row[]): UnitOption[] => rows.map(([section, name, value]) => ({ section, name, value }));

describe('serializeUnitFile: canonical text', () => {
  it.each<{ name: string; options: readonly Row[]; text: string }>([
    { name: 'no options', options: [], text: '' },
    { name: 'one option', options: [['Unit', 'Description', 'web']], text: '[Unit]\nDescription=web\n' },
    {
      name: 'blank line between sections',
      options: [
        ['Unit', 'A', '1'],
        ['Service', 'B', '2'],
        ['X-Fleet', 'C', '3'],
      ],
      text: '[Unit]\nA=1\n\n[Service]\nB=2\n\n[X-Fleet]\nC=3\n',
    },
    {
      name: 'interleaved sections are grouped',
      options: [
        ['Unit', 'A', '1'],
        ['Service', 'B', '2'],
        ['Unit', 'C', '3'],
      ],
      text: '[Unit]\nA=1\nC=3\n\n[Service]\nB=2\n',
    },
    {
      name: 'repeated keys in order',
      options: [
        ['Service', 'E', '/a'],
        ['Service', 'E', '/b'],
      ],
      text: '[Service]\nE=/a\nE=/b\n',
    },
    { name: 'empty value', options: [['Service', 'E', '']], text: '[Service]\nE=\n' },
    { name: 'even trailing backslashes written as is', options: [['Service', 'E', 'C:\\\\']], text: '[Service]\nE=C:\\\\\n' },
    { name: 'odd trailing backslash gets a guard space', options: [['Service', 'E', 'C:\\']], text: '[Service]\nE=C:\\ \n' },
    { name: 'unicode and inner whitespace kept', options: [['Unit', 'D', 'a  b\tc 🚀']], text: '[Unit]\nD=a  b\tc 🚀\n' },
    {
      name: 'a continued value is written as its lines',
      options: [['Service', 'ExecStart', "/bin/sh -c 'echo one; \\\n    echo two'"]],
      text: "[Service]\nExecStart=/bin/sh -c 'echo one; \\\n    echo two'\n",
    },
    {
      // Byte for byte what go-systemd's end-to-end test writes for the same options.
      name: 'a value ending in backslash-newline is followed by the blank line that ends it',
      options: [
        ['Unit', 'Description', 'Demo \\\n'],
        ['Unit', 'Requires', 'docker.service'],
      ],
      text: '[Unit]\nDescription=Demo \\\n\nRequires=docker.service\n',
    },
    {
      // systemd skips the comment and would join 'Requires=x' to the value: a blank line closes it.
      name: 'a value whose last line is a comment gets a blank line after it',
      options: [
        ['Unit', 'Description', 'Bar\\\n# comment alpha'],
        ['Unit', 'Requires', 'x'],
      ],
      text: '[Unit]\nDescription=Bar\\\n# comment alpha\n\nRequires=x\n',
    },
    {
      name: 'a last comment line ending in a backslash gets a guard space and a blank line',
      options: [['Unit', 'A', 'x \\\n# c \\']],
      text: '[Unit]\nA=x \\\n# c \\ \n\n',
    },
    {
      name: 'a continued value whose last line ends in a backslash gets a guard space',
      options: [['Unit', 'A', 'x \\\ny \\']],
      text: '[Unit]\nA=x \\\ny \\ \n',
    },
  ])('$name', ({ options, text }) => {
    expect(serializeUnitFile(opts(options))).toBe(text);
    expect(serializeUnitFile(new UnitFile(opts(options)))).toBe(text);
  });

  it('drops comments and spacing of parsed text, keeps its continued lines', () => {
    const parsed = parseUnitFile('# c\n [Unit] \n Description = web \\\n  server\n\n;x\n[Service]\nExecStart=/bin/true\n');
    expect(serializeUnitFile(parsed)).toBe('[Unit]\nDescription=web \\\n  server\n\n[Service]\nExecStart=/bin/true\n');
  });
});

describe('serializeUnitFile: refuses what it cannot write', () => {
  // A line break that is not a continuation is refused: systemd would read the
  // next line as a line of its own.
  it.each<{ name: string; option: Row }>([
    { name: 'newline in value', option: ['Service', 'ExecStart', '/bin/a\n/bin/b'] },
    { name: 'newline after an even run of backslashes', option: ['Service', 'ExecStart', '/bin/a \\\\\n/bin/b'] },
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

const sectionArb = fc.string({ unit: fc.constantFrom(...'AbXz-_ .é1'), minLength: 1, maxLength: 8 }).filter((s) => !/^[ ]|[ ]$/.test(s));
const keyArb = fc.string({ unit: fc.constantFrom(...'AbXz-_09'), minLength: 1, maxLength: 8 });
/**
 * Values of several lines, as fleet's client sends continued values: each line but
 * the last ends in a backslash or is a comment line; what valueProblem() refuses
 * among them (leading blanks, even runs...) is filtered out by the UnitFile check.
 */
const continuedLineArb = fc.tuple(fc.string({ unit: valueChar, maxLength: 8 }), fc.constantFrom('\\', '\\\\', '', '#', ' ;'));
const continuedValueArb = fc
  .array(continuedLineArb, { minLength: 2, maxLength: 4 })
  .map((lines) => lines.map(([text, mark], i) => (mark === '#' || mark === ' ;' ? (i === 0 ? text : `${mark}${text}`) : `${text}${mark}`)).join('\n'))
  .filter((value) => valueProblem(value) === undefined);
const valueArb = fc.oneof(
  fc.string({ unit: valueChar, maxLength: 20 }).filter(notBlank),
  fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !/[\r\n\0]/.test(s) && notBlank(s)),
  continuedValueArb,
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
