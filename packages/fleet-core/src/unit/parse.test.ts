import { describe, expect, it } from 'vitest';
import { ErrorCodes, FleetError } from '../errors.js';
import { fleetUnitHash } from './fleet-hash.js';
import { MAX_UNIT_FILE_BYTES, parseUnitFile } from './parse.js';
import type { UnitOption } from './unit-file.js';

/** Compact expected options: [section, name, value]. */
type Row = readonly [string, string, string];

const opts = (rows: readonly Row[]): UnitOption[] => rows.map(([section, name, value]) => ({ section, name, value }));

function parseError(text: string, file?: string): FleetError {
  try {
    parseUnitFile(text, file === undefined ? {} : { file });
  } catch (error) {
    expect(error).toBeInstanceOf(FleetError);
    return error as FleetError;
  }
  throw new Error('expected parseUnitFile to throw');
}

describe('parseUnitFile: valid input', () => {
  it.each<{ name: string; text: string; expected: readonly Row[] }>([
    { name: 'empty file', text: '', expected: [] },
    { name: 'only blank lines and comments', text: '\n  \n# a\n; b\n\t# c\n', expected: [] },
    { name: 'simple unit', text: '[Unit]\nDescription=Foo\n', expected: [['Unit', 'Description', 'Foo']] },
    { name: 'no trailing newline', text: '[Unit]\nDescription=Foo', expected: [['Unit', 'Description', 'Foo']] },
    { name: 'hash comment', text: '[Unit]\n# Description=No\nA=1\n', expected: [['Unit', 'A', '1']] },
    { name: 'semicolon comment', text: '[Unit]\n; Description=No\nA=1\n', expected: [['Unit', 'A', '1']] },
    { name: 'indented comments', text: '[Unit]\n   # x\n\t; y\nA=1\n', expected: [['Unit', 'A', '1']] },
    { name: 'comment before any section', text: '# header\n[Unit]\nA=1\n', expected: [['Unit', 'A', '1']] },
    { name: '# inside a value is kept', text: '[Unit]\nA=x # not a comment\n', expected: [['Unit', 'A', 'x # not a comment']] },
    { name: 'whitespace around =', text: '[Unit]\nA \t=\t  b  \n', expected: [['Unit', 'A', 'b']] },
    { name: 'indented option and header', text: '  [Unit]  \n   A=1\n', expected: [['Unit', 'A', '1']] },
    {
      name: 'empty value',
      text: '[Unit]\nA=\nB=   \n',
      expected: [
        ['Unit', 'A', ''],
        ['Unit', 'B', ''],
      ],
    },
    { name: '= inside value', text: '[X-Fleet]\nMachineMetadata=a=b=c\n', expected: [['X-Fleet', 'MachineMetadata', 'a=b=c']] },
    { name: 'value that is only =', text: '[Unit]\nA==\n', expected: [['Unit', 'A', '=']] },
    { name: 'quotes kept verbatim', text: '[X-Fleet]\nMachineMetadata="a=1" "b=2"\n', expected: [['X-Fleet', 'MachineMetadata', '"a=1" "b=2"']] },
    {
      name: 'repeated keys kept in order',
      text: '[Service]\nExecStartPre=/a\nExecStart=/b\nExecStartPre=/c\n',
      expected: [
        ['Service', 'ExecStartPre', '/a'],
        ['Service', 'ExecStart', '/b'],
        ['Service', 'ExecStartPre', '/c'],
      ],
    },
    {
      name: 'repeated section merged into the first',
      text: '[Unit]\nA=1\n[Service]\nB=2\n[Unit]\nC=3\n',
      expected: [
        ['Unit', 'A', '1'],
        ['Unit', 'C', '3'],
        ['Service', 'B', '2'],
      ],
    },
    { name: 'empty section disappears', text: '[Unit]\n[Service]\nA=1\n', expected: [['Service', 'A', '1']] },
    // Continued values keep backslash, line break and indentation, as fleet's client does (see below).
    { name: 'continuation', text: '[Service]\nExecStart=/bin/echo \\\n  hello\n', expected: [['Service', 'ExecStart', '/bin/echo \\\n  hello']] },
    { name: 'continuation without space', text: '[Service]\nA=x\\\ny\n', expected: [['Service', 'A', 'x\\\ny']] },
    { name: 'continuation over three lines', text: '[Service]\nA=1\\\n2\\\n3\n', expected: [['Service', 'A', '1\\\n2\\\n3']] },
    {
      name: 'comment lines inside a continuation stay in the value (systemd skips them when it reads the value)',
      text: '[Service]\nA=1 \\\n# skipped \\\n; skipped too\n2\nB=3\n',
      expected: [
        ['Service', 'A', '1 \\\n# skipped \\\n; skipped too\n2'],
        ['Service', 'B', '3'],
      ],
    },
    { name: 'continuation at EOF ends the value', text: '[Service]\nA=x \\', expected: [['Service', 'A', 'x \\']] },
    { name: 'continuation then EOF newline', text: '[Service]\nA=x\\\n', expected: [['Service', 'A', 'x\\\n']] },
    {
      name: 'blank line ends a continuation',
      text: '[Service]\nA=x\\\n\nB=y\n',
      expected: [
        ['Service', 'A', 'x\\\n'],
        ['Service', 'B', 'y'],
      ],
    },
    {
      name: 'escaped backslash does not continue',
      text: '[Service]\nA=C:\\\\\nB=2\n',
      expected: [
        ['Service', 'A', 'C:\\\\'],
        ['Service', 'B', '2'],
      ],
    },
    { name: 'three backslashes continue', text: '[Service]\nA=x\\\\\\\ny\n', expected: [['Service', 'A', 'x\\\\\\\ny']] },
    {
      name: 'backslash then space does not continue',
      text: '[Service]\nA=x\\ \nB=2\n',
      expected: [
        ['Service', 'A', 'x\\'],
        ['Service', 'B', '2'],
      ],
    },
    { name: 'comment ending in backslash continues nothing', text: '[Service]\n# note \\\nA=1\n', expected: [['Service', 'A', '1']] },
    { name: 'continued key', text: '[Service]\nExec\\\n=1\n', expected: [['Service', 'Exec', '1']] },
    {
      name: 'CRLF line endings',
      text: '[Unit]\r\nA=1\r\nB=2\r\n',
      expected: [
        ['Unit', 'A', '1'],
        ['Unit', 'B', '2'],
      ],
    },
    {
      name: 'CR line endings',
      text: '[Unit]\rA=1\rB=2\r',
      expected: [
        ['Unit', 'A', '1'],
        ['Unit', 'B', '2'],
      ],
    },
    { name: 'CRLF continuation', text: '[Unit]\r\nA=1\\\r\n2\r\n', expected: [['Unit', 'A', '1\\\n2']] },
    { name: 'UTF-8 BOM', text: '\uFEFF[Unit]\nA=1\n', expected: [['Unit', 'A', '1']] },
    { name: 'BOM then comment', text: '\uFEFF# c\n[Unit]\nA=1\n', expected: [['Unit', 'A', '1']] },
    { name: 'unicode value', text: '[Unit]\nDescription=Grüße 🚀 日本\n', expected: [['Unit', 'Description', 'Grüße 🚀 日本']] },
    { name: 'no-break spaces are not trimmed', text: '[Unit]\nA=\u00a0x\u00a0\n', expected: [['Unit', 'A', '\u00a0x\u00a0']] },
    { name: 'tab inside value kept', text: '[Unit]\nA=a\tb\n', expected: [['Unit', 'A', 'a\tb']] },
    {
      name: 'section names with dash and space',
      text: '[X-Fleet]\nA=1\n[My Section]\nB=2\n',
      expected: [
        ['X-Fleet', 'A', '1'],
        ['My Section', 'B', '2'],
      ],
    },
    { name: 'keys with dash underscore digits', text: '[X-Fleet]\nX-Condition_1=1\n', expected: [['X-Fleet', 'X-Condition_1', '1']] },
  ])('$name', ({ text, expected }) => {
    expect(parseUnitFile(text).options).toEqual(opts(expected));
  });
});

/**
 * go-systemd's unit.Deserialize, as vendored by fleet (go-systemd efa0506), is what
 * fleet's client parses a unit file with before it sends its options: a continued
 * value keeps each line as written, backslash and line break included. Cases marked
 * (go-systemd) are that commit's unit/deserialize_test.go and end_to_end_test.go;
 * `sha1` is fleet's hash of the unit, the SHA-1 of go-systemd's serialization of
 * those options, computed outside fleetd (`printf '<bytes>' | sha1sum`).
 */
describe("parseUnitFile: continued values, as fleet's client reads them", () => {
  it.each<{ name: string; text: string; expected: readonly Row[]; sha1: string }>([
    {
      name: 'regression: a continuation line is kept as fleet keeps it, not refused',
      text: "[Service]\nExecStart=/bin/sh -c 'echo one; \\\n    echo two'\n",
      expected: [['Service', 'ExecStart', "/bin/sh -c 'echo one; \\\n    echo two'"]],
      sha1: '1b28cd9f881bd8c402a116699c0a92e7a37cee16',
    },
    {
      name: 'line continuations unmodified (go-systemd)',
      text: '[Unit]\nDescription= Unnecessarily wrapped \\\n    words here\n',
      expected: [['Unit', 'Description', 'Unnecessarily wrapped \\\n    words here']],
      sha1: 'a372bfdb113133b0a141ae84488eec2df1b88318',
    },
    {
      name: 'apparent comment lines inside of line continuations not ignored (go-systemd)',
      text: '[Unit]\nDescription=Bar\\\n# comment alpha\n\nDescription=Bar\\\n# comment bravo \\\nBaz\n',
      expected: [
        ['Unit', 'Description', 'Bar\\\n# comment alpha'],
        ['Unit', 'Description', 'Bar\\\n# comment bravo \\\nBaz'],
      ],
      sha1: 'a8f7c4d2931c4b1140804db418a5f6fda47de147',
    },
    {
      name: 'unit file with continuation but no following line (go-systemd)',
      text: '[Unit]\nDescription=Bar \\',
      expected: [['Unit', 'Description', 'Bar \\']],
      sha1: 'b9a86a3bbc66131a1ae4d42b8f764ea1f5500cd1',
    },
    {
      name: 'whitespace around option value stripped, regardless of continuation: the line break stays (go-systemd)',
      text: '[Unit]\nDescription= words here \\\n  ',
      expected: [['Unit', 'Description', 'words here \\\n']],
      sha1: 'cc2b1dab7227dad4a6918a43067c6ec562487059',
    },
    {
      name: 'backslash not considered continuation if followed by text (go-systemd)',
      text: '[Service]\nExecStart=/bin/bash -c "while true; do echo \\"ping\\"; sleep 1; done"\n',
      expected: [['Service', 'ExecStart', '/bin/bash -c "while true; do echo \\"ping\\"; sleep 1; done"']],
      sha1: '7067247d03ee6e68b21e2fe886e4066d09cf413d',
    },
    {
      name: 'backslash not considered continuation if followed by whitespace, but still trimmed (go-systemd)',
      text: '[Service]\nExecStart=/bin/bash echo poof \\  ',
      expected: [['Service', 'ExecStart', '/bin/bash echo poof \\']],
      sha1: '03f48f5bf57f4a67c0bd4796bc541c40f5a17729',
    },
    {
      name: 'a blank line after a continued line ends the value, which keeps its line break (go-systemd end to end)',
      text: '[Unit]\nDescription=Demo \\\n\nRequires=docker.service\n',
      expected: [
        ['Unit', 'Description', 'Demo \\\n'],
        ['Unit', 'Requires', 'docker.service'],
      ],
      sha1: 'f7680c1d4cc9a86d033db1586365bd4e4d23a6aa',
    },
  ])('$name', ({ text, expected, sha1 }) => {
    const unit = parseUnitFile(text);
    expect(unit.options).toEqual(opts(expected));
    expect(fleetUnitHash(unit)).toBe(sha1);
  });
});

/**
 * Where go-systemd and systemd read a file apart, fleetd reads it as systemd does
 * (the unit then runs what fleetd shows); fleet's client would send other options
 * for these files, or refuse them.
 */
describe('parseUnitFile: continuations read as systemd reads them, not as go-systemd', () => {
  it.each<{ name: string; text: string; expected: readonly Row[] }>([
    {
      // go-systemd continues on any final backslash and would send one value 'C:\\\\\nB=2'.
      name: 'an even run of backslashes does not continue',
      text: '[Service]\nA=C:\\\\\nB=2\n',
      expected: [
        ['Service', 'A', 'C:\\\\'],
        ['Service', 'B', '2'],
      ],
    },
    {
      // go-systemd ends the value at the comment and then fails on '  two' (no '=').
      name: 'a comment line without a final backslash does not end the continuation',
      text: '[Service]\nExecStart=/bin/echo one \\\n# a note\n  two\n',
      expected: [['Service', 'ExecStart', '/bin/echo one \\\n# a note\n  two']],
    },
    {
      // go-systemd sees '1\\\r' (no final backslash) and then fails on '2'.
      name: 'a CRLF line continues, and its line break is kept as a newline',
      text: '[Unit]\r\nA=1 \\\r\n  2\r\n',
      expected: [['Unit', 'A', '1 \\\n  2']],
    },
  ])('$name', ({ text, expected }) => {
    expect(parseUnitFile(text).options).toEqual(opts(expected));
  });
});

describe('parseUnitFile: malformed input', () => {
  it.each<{ name: string; text: string; line: number; column: number; message: string }>([
    { name: 'option before any section', text: 'A=1\n', line: 1, column: 1, message: "option 'A' appears before any [Section] header" },
    { name: 'indented option before any section', text: '\n  Foo = 1\n', line: 2, column: 3, message: "option 'Foo' appears before any [Section] header" },
    { name: 'line without =', text: '[Unit]\nnonsense upon stilts\n', line: 2, column: 1, message: "expected 'Key=Value', a [Section] header or a comment" },
    { name: 'indented line without =', text: '[Unit]\n\t  <<<<<<<\n', line: 2, column: 4, message: "expected 'Key=Value', a [Section] header or a comment" },
    { name: 'empty key', text: '[Unit]\n=value\n', line: 2, column: 1, message: "missing option name before '='" },
    { name: 'blank key', text: '[Unit]\n   = value\n', line: 2, column: 4, message: "missing option name before '='" },
    {
      name: 'key with space',
      text: '[Unit]\nExec Start=x\n',
      line: 2,
      column: 5,
      message: "whitespace is not allowed in option name 'Exec Start' (use A-Z a-z 0-9 - _)",
    },
    { name: 'key with tab', text: '[Unit]\nA\tB=x\n', line: 2, column: 2, message: "whitespace is not allowed in option name 'A\tB' (use A-Z a-z 0-9 - _)" },
    {
      name: 'key with forbidden char',
      text: '[Unit]\nA.b=x\n',
      line: 2,
      column: 2,
      message: "character '.' is not allowed in option name 'A.b' (use A-Z a-z 0-9 - _)",
    },
    { name: 'key with unicode', text: '[Unit]\nDé=x\n', line: 2, column: 2, message: "character 'é' is not allowed in option name 'Dé' (use A-Z a-z 0-9 - _)" },
    {
      name: 'astral character reported whole',
      text: '[Unit]\n🚀=x\n',
      line: 2,
      column: 1,
      message: "character '🚀' is not allowed in option name '🚀' (use A-Z a-z 0-9 - _)",
    },
    { name: 'column counts code points', text: '[🚀"]\n', line: 1, column: 3, message: "character '\"' is not allowed in section name" },
    { name: 'unterminated header column counts code points', text: '[🚀\n', line: 1, column: 3, message: "section header '[🚀' is missing ']'" },
    { name: 'unterminated section header', text: '[Unit\nA=1\n', line: 1, column: 6, message: "section header '[Unit' is missing ']'" },
    { name: 'unterminated header with spaces', text: '  [Unit  \n', line: 1, column: 8, message: "section header '[Unit' is missing ']'" },
    { name: 'text after ]', text: '[Unit] x\n', line: 1, column: 8, message: "unexpected text after section header '[Unit]'" },
    { name: 'second ] after header', text: '[Unit]]\n', line: 1, column: 7, message: "unexpected text after section header '[Unit]'" },
    { name: 'comment after header', text: '[Unit] # c\n', line: 1, column: 8, message: "unexpected text after section header '[Unit]'" },
    { name: 'empty section name', text: '[]\n', line: 1, column: 2, message: 'empty section name' },
    { name: 'section name with leading space', text: '[ Unit]\n', line: 1, column: 2, message: "section name ' Unit' starts with whitespace" },
    { name: 'section name with trailing space', text: '[Unit ]\n', line: 1, column: 6, message: "section name 'Unit ' ends with whitespace" },
    { name: 'section name with quote', text: '[Un"it]\n', line: 1, column: 4, message: "character '\"' is not allowed in section name" },
    { name: 'section name with [', text: '[[Unit]\n', line: 1, column: 2, message: "character '[' is not allowed in section name" },
    { name: 'section name with control char', text: '[A\u0001]\n', line: 1, column: 3, message: 'character U+0001 is not allowed in section name' },
    { name: 'NUL in value', text: '[Unit]\nA=x\0y\n', line: 2, column: 4, message: 'NUL byte in unit file' },
    { name: 'NUL in comment', text: '[Unit]\n# \0\n', line: 2, column: 3, message: 'NUL byte in unit file' },
    { name: 'NUL after CRLF lines', text: 'a\r\nb\r\n\0', line: 3, column: 1, message: 'NUL byte in unit file' },
    {
      name: 'error line counts CRLF once',
      text: '[Unit]\r\nA=1\r\nbad\r\n',
      line: 3,
      column: 1,
      message: "expected 'Key=Value', a [Section] header or a comment",
    },
    { name: 'error column ignores BOM', text: '\uFEFFA=1\n', line: 1, column: 1, message: "option 'A' appears before any [Section] header" },
    {
      name: 'error on a continued line points at the physical line',
      text: '[Unit]\nA=1\nnot \\\n# skipped\n  an option\n',
      line: 3,
      column: 1,
      message: "expected 'Key=Value', a [Section] header or a comment",
    },
    {
      name: 'continued key points at the joining space',
      text: '[Unit]\nAB\\\nCD=1\n',
      line: 2,
      column: 3,
      message: "whitespace is not allowed in option name 'AB CD' (use A-Z a-z 0-9 - _)",
    },
    {
      name: 'bad char on second physical line of a header',
      text: '[Ab\\\nc"d]\n',
      line: 2,
      column: 2,
      message: "character '\"' is not allowed in section name",
    },
    { name: 'header continued into text', text: '[Unit]\\\nA=1\n', line: 2, column: 1, message: "unexpected text after section header '[Unit]'" },
  ])('$name', ({ text, line, column, message }) => {
    const error = parseError(text);
    expect(error.code).toBe(ErrorCodes.UNIT_FILE_SYNTAX);
    expect({ line: error.line, column: error.column, file: error.file }).toEqual({ line, column, file: undefined });
    expect(error.message).toBe(`<unit file>:${line}:${column}: ${message}`);
  });

  it('names the file in the message and the error', () => {
    const error = parseError('[Unit]\nbad\n', 'web.service');
    expect(error.message).toBe("web.service:2:1: expected 'Key=Value', a [Section] header or a comment");
    expect(error.file).toBe('web.service');
  });
});

describe('parseUnitFile: size limit', () => {
  const filler = (bytes: number): string => `[Unit]\nA=${'x'.repeat(bytes - '[Unit]\nA=\n'.length)}\n`;

  it.each([
    { name: 'exactly MAX_UNIT_FILE_BYTES (512 KiB) is accepted', text: filler(MAX_UNIT_FILE_BYTES), ok: true },
    { name: 'one byte over MAX_UNIT_FILE_BYTES is refused', text: filler(MAX_UNIT_FILE_BYTES + 1), ok: false },
    { name: 'multi-byte characters count as bytes', text: `[Unit]\nA=${'é'.repeat(MAX_UNIT_FILE_BYTES / 2)}\n`, ok: false },
    { name: 'garbage over the limit is refused before parsing', text: 'x'.repeat(MAX_UNIT_FILE_BYTES + 1), ok: false },
  ])('$name', ({ text, ok }) => {
    if (ok) {
      expect(parseUnitFile(text).options).toHaveLength(1);
      return;
    }
    const error = parseError(text, 'big.service');
    expect(error.code).toBe(ErrorCodes.UNIT_FILE_TOO_LARGE);
    expect(error.file).toBe('big.service');
    expect(error.message).toBe(`big.service: unit file is larger than ${MAX_UNIT_FILE_BYTES} bytes`);
  });
});
