/**
 * Character rules shared by the parser (which reports problems with a line and
 * column) and by UnitFile (which refuses hand-built options the parser could
 * never have produced), so that every UnitFile survives serialize → parse.
 */

/** Where in a string a rule is broken, and which rule. */
export interface Problem {
  /** Offset (UTF-16) of the offending character in the checked string. */
  readonly index: number;
  readonly message: string;
}

/**
 * systemd trims with WHITESPACE = " \t\n\r"; line breaks never reach a line, so
 * blanks are space and tab only. Using JS trim() instead would also eat
 * no-break spaces and other Unicode spaces that systemd keeps in values.
 */
export function isBlank(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t';
}

/** Index of the first non-blank character at or after `from`, or `end`. */
export function skipBlanks(text: string, from: number, end: number): number {
  let i = from;
  while (i < end && isBlank(text[i])) i++;
  return i;
}

/** Index just past the last non-blank character before `end`, not below `from`. */
export function trimBlanksEnd(text: string, from: number, end: number): number {
  let i = end;
  while (i > from && isBlank(text[i - 1])) i--;
  return i;
}

/** `'x'` for printable characters, `U+0001` for control characters, for messages. */
export function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${ch}'`;
}

/** Keys in real unit files are ASCII words; anything else is a typo systemd would ignore. */
const KEY_CHAR = /^[A-Za-z0-9_-]$/;
const VALID_KEY = /^[A-Za-z0-9_-]+$/;

export function keyProblem(key: string): Problem | undefined {
  if (VALID_KEY.test(key)) return undefined;
  if (key.length === 0) return { index: 0, message: 'empty option name' };
  for (const [index, ch] of codePoints(key)) {
    if (KEY_CHAR.test(ch)) continue;
    const what = isBlank(ch) ? 'whitespace' : `character ${describeChar(ch)}`;
    return { index, message: `${what} is not allowed in option name '${key}' (use A-Z a-z 0-9 - _)` };
  }
  return undefined;
}

/**
 * systemd's string_is_safe() (no control characters, backslash or quotes) plus
 * brackets, which would make the header ambiguous; leading/trailing blanks are
 * refused because systemd keeps them and then ignores the misspelt section.
 */
export function sectionProblem(section: string): Problem | undefined {
  if (section.length === 0) return { index: 0, message: 'empty section name' };
  if (isBlank(section[0])) return { index: 0, message: `section name '${section}' starts with whitespace` };
  const last = section.length - 1;
  if (isBlank(section[last])) return { index: last, message: `section name '${section}' ends with whitespace` };
  for (const [index, ch] of codePoints(section)) {
    const code = ch.charCodeAt(0);
    if (code < 0x20 || code === 0x7f || `\\"'[]`.includes(ch)) {
      return { index, message: `character ${describeChar(ch)} is not allowed in section name` };
    }
  }
  return undefined;
}

const LINE_BREAK_MESSAGE = 'value contains a line break, which a unit file cannot represent';

/**
 * Values from the parser always pass; hand-built ones may not. A line break is
 * accepted only as fleet's client (go-systemd) keeps a continued line: after a
 * backslash that continues the line for systemd, so the serializer can write
 * it back as that continuation (see continuationProblem). Any other line
 * break is refused: systemd would read the next line as a line of its own.
 */
export function valueProblem(value: string): Problem | undefined {
  const bad = value.search(/[\r\0]/);
  if (bad !== -1) {
    return value[bad] === '\0' ? { index: bad, message: 'value contains a NUL byte' } : { index: bad, message: LINE_BREAK_MESSAGE };
  }
  if (isBlank(value[0]) || isBlank(value[value.length - 1])) {
    return { index: 0, message: 'value has leading or trailing whitespace, which systemd would strip' };
  }
  return value.includes('\n') ? continuationProblem(value) : undefined;
}

/**
 * A value of several lines reads back the same (from fleetd's parser, and as
 * one value for systemd) when every line but the last ends in a backslash that
 * continues it for systemd (an odd run: systemd reads `\\\\` as an escaped
 * backslash, go-systemd as a continuation), or is a comment line after the
 * first, which systemd skips inside a continuation (go-systemd keeps it). An
 * empty last line (go-systemd's `Demo \` followed by a blank line) must follow
 * a backslash.
 */
function continuationProblem(value: string): Problem | undefined {
  const lines = value.split('\n');
  let end = -1;
  for (const [i, line] of lines.entries()) {
    const start = end + 1;
    end = start + line.length;
    if (i === lines.length - 1) break;
    if (i > 0 && isCommentLine(line)) continue;
    if (!line.endsWith('\\')) return { index: end, message: LINE_BREAK_MESSAGE };
    if (!endsWithContinuation(line)) {
      return {
        index: end - 1,
        message: 'value continues a line after an even run of backslashes, which systemd reads as escaped backslashes, not a continuation',
      };
    }
  }
  const last = lines[lines.length - 1];
  const beforeLast = lines[lines.length - 2] ?? '';
  if (last === '' && !beforeLast.endsWith('\\')) return { index: value.length - 1, message: LINE_BREAK_MESSAGE };
  return undefined;
}

/** True when the first non-blank character is `#` or `;`: systemd's comment line. */
export function isCommentLine(text: string): boolean {
  const first = text[skipBlanks(text, 0, text.length)];
  return first === '#' || first === ';';
}

/** True when `text` ends in an odd run of backslashes: systemd's "escaped" end of line. */
export function endsWithContinuation(text: string): boolean {
  let run = 0;
  for (let i = text.length - 1; i >= 0 && text[i] === '\\'; i--) run++;
  return run % 2 === 1;
}

/** Number of code points in `text`: columns count characters, not UTF-16 units. */
export function codePointLength(text: string): number {
  return [...text].length;
}

/** [UTF-16 offset, character] pairs, so a surrogate pair is reported as one character. */
function* codePoints(text: string): Generator<[number, string]> {
  let index = 0;
  for (const ch of text) {
    yield [index, ch];
    index += ch.length;
  }
}
