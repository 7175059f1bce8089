import { ErrorCodes, FleetError } from '../errors.js';
import { MAX_UNIT_BYTES } from './limits.js';
import { findNul, logicalLines, type LogicalLine, type Position } from './lines.js';
import { keyProblem, sectionProblem, skipBlanks, trimBlanksEnd } from './syntax.js';
import { UnitFile, type UnitOption } from './unit-file.js';

/**
 * Larger inputs are refused before parsing: no real unit file comes close,
 * and a unit is stored with its text, so a larger file could never be
 * submitted (MAX_UNIT_BYTES bounds the unit as stored).
 */
export const MAX_UNIT_FILE_BYTES = MAX_UNIT_BYTES;

export interface ParseUnitFileOptions {
  /** Named in error messages and set as the error's `file`. */
  readonly file?: string;
}

const BOM = '\uFEFF';

/**
 * Parses systemd unit-file text into a UnitFile, reading it the way systemd
 * does (see lines.ts for continuations and comments) but refusing, with
 * UNIT_FILE_SYNTAX and a line and column, what systemd would warn about and
 * skip: a silently dropped line is how units end up doing something else.
 *
 * A continued value is kept as fleet's client (go-systemd's deserializer)
 * keeps it: the backslash, the line break and the next line's indentation
 * stay in the value (`a \` + newline + `  b` gives "a \\\n  b", not systemd's
 * "a   b"), so a file gives the same options, and fleet's hash, whichever
 * client submits it; the serializer writes it back as the same continuation.
 */
export function parseUnitFile(text: string, options: ParseUnitFileOptions = {}): UnitFile {
  const { file } = options;
  assertSize(text, file);
  const body = text.startsWith(BOM) ? text.slice(BOM.length) : text;
  const nul = findNul(body);
  if (nul !== undefined) throw syntaxError(file, nul, 'NUL byte in unit file');

  const parsed: UnitOption[] = [];
  let section: string | undefined;
  for (const line of logicalLines(body)) {
    const result = parseLine(line, section, file);
    if (result === undefined) continue;
    if ('header' in result) section = result.header;
    else parsed.push(result);
  }
  return new UnitFile(parsed);
}

/** Bounds of the line with surrounding blanks trimmed, as systemd's strstrip() does. */
interface Span {
  readonly start: number;
  readonly end: number;
}

function parseLine(line: LogicalLine, section: string | undefined, file: string | undefined): { header: string } | UnitOption | undefined {
  const { text } = line;
  const start = skipBlanks(text, 0, text.length);
  const end = trimBlanksEnd(text, start, text.length);
  if (start === end) return undefined;
  if (text[start] === '[') return { header: parseHeader(line, { start, end }, file) };
  return parseAssignment(line, { start, end }, section, file);
}

function parseHeader(line: LogicalLine, span: Span, file: string | undefined): string {
  const { text } = line;
  const close = text.indexOf(']', span.start + 1);
  if (close === -1 || close >= span.end) {
    throw syntaxError(file, line.locate(span.end), `section header '${text.slice(span.start, span.end)}' is missing ']'`);
  }
  if (close + 1 < span.end) {
    const extra = skipBlanks(text, close + 1, span.end);
    throw syntaxError(file, line.locate(extra), `unexpected text after section header '${text.slice(span.start, close + 1)}'`);
  }
  const name = text.slice(span.start + 1, close);
  if (name.length === 0) throw syntaxError(file, line.locate(close), 'empty section name');
  const problem = sectionProblem(name);
  if (problem !== undefined) throw syntaxError(file, line.locate(span.start + 1 + problem.index), problem.message);
  return name;
}

function parseAssignment(line: LogicalLine, span: Span, section: string | undefined, file: string | undefined): UnitOption {
  const { text } = line;
  const equals = text.indexOf('=', span.start);
  if (equals === -1 || equals >= span.end) {
    throw syntaxError(file, line.locate(span.start), "expected 'Key=Value', a [Section] header or a comment");
  }
  const name = text.slice(span.start, trimBlanksEnd(text, span.start, equals));
  if (name.length === 0) throw syntaxError(file, line.locate(equals), "missing option name before '='");
  const problem = keyProblem(name);
  if (problem !== undefined) throw syntaxError(file, line.locate(span.start + problem.index), problem.message);
  if (section === undefined) {
    throw syntaxError(file, line.locate(span.start), `option '${name}' appears before any [Section] header`);
  }
  return { section, name, value: trimBlanks(line.valueFrom(equals + 1)) };
}

/** Leading and trailing blanks (space, tab) removed; line breaks are not blanks. */
function trimBlanks(value: string): string {
  const start = skipBlanks(value, 0, value.length);
  return value.slice(start, trimBlanksEnd(value, start, value.length));
}

function assertSize(text: string, file: string | undefined): void {
  // A UTF-16 unit is 1 to 3 UTF-8 bytes, so most inputs are decided without encoding.
  if (text.length * 3 <= MAX_UNIT_FILE_BYTES) return;
  const bytes = text.length > MAX_UNIT_FILE_BYTES ? text.length : Buffer.byteLength(text, 'utf8');
  if (bytes <= MAX_UNIT_FILE_BYTES) return;
  throw new FleetError(
    ErrorCodes.UNIT_FILE_TOO_LARGE,
    `${file ?? '<unit file>'}: unit file is larger than ${MAX_UNIT_FILE_BYTES} bytes`,
    file === undefined ? {} : { file },
  );
}

function syntaxError(file: string | undefined, at: Position, what: string): FleetError {
  return new FleetError(ErrorCodes.UNIT_FILE_SYNTAX, `${file ?? '<unit file>'}:${at.line}:${at.column}: ${what}`, {
    ...(file === undefined ? {} : { file }),
    line: at.line,
    column: at.column,
  });
}
