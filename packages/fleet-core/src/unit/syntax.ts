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

/**
 * Values from the parser always pass; hand-built ones may not. Line breaks are
 * refused rather than written as backslash-continuations: systemd would read
 * them back as spaces, drop continued lines that look like comments and end the
 * value at an empty line, so the unit would silently mean something else.
 */
export function valueProblem(value: string): Problem | undefined {
  const bad = value.search(/[\n\r\0]/);
  if (bad !== -1) {
    return value[bad] === '\0'
      ? { index: bad, message: 'value contains a NUL byte' }
      : { index: bad, message: 'value contains a line break, which a unit file cannot represent' };
  }
  if (isBlank(value[0]) || isBlank(value[value.length - 1])) {
    return { index: 0, message: 'value has leading or trailing whitespace, which systemd would strip' };
  }
  return undefined;
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
