import { codePointLength, endsWithContinuation, isCommentLine, skipBlanks } from './syntax.js';

/** A 1-based position in the original text. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/**
 * One physical line that contributed to a logical line, and where it starts in
 * the joined text. A comment line inside a continuation adds nothing to the
 * joined text (systemd skips it) but stays in the value fleet's client reads.
 */
interface Segment {
  readonly line: number;
  readonly text: string;
  readonly start: number;
  readonly comment: boolean;
}

/**
 * One `Key=Value` or `[Section]` line after backslash-continuations were joined.
 * `text` is what systemd parses (each continuing backslash turned into a space,
 * comment lines left out); valueFrom() gives the value as fleet's client
 * (go-systemd) keeps it, backslash-newlines and all. It remembers its physical
 * lines so an error found anywhere in the joined text can still point at the
 * line and column the user typed.
 */
export class LogicalLine {
  readonly #segments: Segment[] = [];
  #text = '';

  get text(): string {
    return this.#text;
  }

  append(line: number, text: string): void {
    this.#segments.push({ line, text, start: this.#text.length, comment: false });
    this.#text += text;
  }

  /** A comment line inside the continuation: skipped by systemd, kept in the value by go-systemd. */
  appendComment(line: number, text: string): void {
    this.#segments.push({ line, text, start: this.#text.length, comment: true });
  }

  /** Drops the final backslash in favour of a space, as systemd does (same length). */
  replaceLastCharWithSpace(): void {
    this.#text = `${this.#text.slice(0, -1)} `;
  }

  /**
   * The text from `index` of the joined text on, the way go-systemd's
   * deserializer keeps a continued value: each physical line as written
   * (its final backslash kept, comment lines kept), joined by "\n". The blank
   * line that ends a continuation adds an empty last line only after a line
   * ending in a backslash (go-systemd: `Description=Demo \` then a blank line
   * gives `Demo \` + newline), not after a comment it stopped at. Untrimmed.
   */
  valueFrom(index: number): string {
    const first = this.#segmentAt(index);
    const at = this.#segments.indexOf(first);
    let value = first.text.slice(Math.min(index - first.start, first.text.length));
    for (let i = at + 1; i < this.#segments.length; i++) {
      const segment = this.#segments[i] as Segment;
      const previous = this.#segments[i - 1] as Segment;
      const closingBlank = i === this.#segments.length - 1 && !segment.comment && isBlankLine(segment.text);
      if (closingBlank && !previous.text.endsWith('\\')) break;
      value += `\n${segment.text}`;
    }
    return value;
  }

  /** Position of the character at `index`; `index === text.length` means just past the end. */
  locate(index: number): Position {
    const segment = this.#segmentAt(index);
    const offset = Math.min(index - segment.start, segment.text.length);
    return { line: segment.line, column: codePointLength(segment.text.slice(0, offset)) + 1 };
  }

  #segmentAt(index: number): Segment {
    let found: Segment | undefined;
    for (const segment of this.#segments) {
      if (segment.start > index) break;
      // Comment lines and empty lines hold no character of the joined text; keep the previous one.
      if (segment.comment) continue;
      if (segment.text.length > 0 || found === undefined) found = segment;
    }
    if (found === undefined) throw new Error('LogicalLine.locate() on an empty line');
    return found;
  }
}

function isBlankLine(text: string): boolean {
  return skipBlanks(text, 0, text.length) === text.length;
}

/** systemd's read_line() ends a line at "\n", "\r\n" or a lone "\r". */
const LINE_BREAK = /\r\n|\r|\n/;

/**
 * Joins continuation lines the way systemd's config_parse() does: comment lines
 * are set aside before anything else (so they are skipped inside a continuation
 * and a trailing backslash on a comment continues nothing; inside a
 * continuation they are kept for the value, see LogicalLine); a line whose raw
 * text ends in an odd run of backslashes continues on the next line, its last
 * backslash becoming a space; a continuation still open at EOF just ends.
 */
export function* logicalLines(body: string): Generator<LogicalLine> {
  const physical = body.split(LINE_BREAK);
  let pending: LogicalLine | undefined;
  for (let i = 0; i < physical.length; i++) {
    const text = physical[i] ?? '';
    if (isCommentLine(text)) {
      pending?.appendComment(i + 1, text);
      continue;
    }
    const logical = pending ?? new LogicalLine();
    logical.append(i + 1, text);
    pending = undefined;
    if (endsWithContinuation(text)) {
      logical.replaceLastCharWithSpace();
      pending = logical;
      continue;
    }
    yield logical;
  }
  if (pending !== undefined) yield pending;
}

/** Position of the first NUL byte, if any; checked over the whole text, comments included. */
export function findNul(body: string): Position | undefined {
  const index = body.indexOf('\0');
  if (index === -1) return undefined;
  const before = body.slice(0, index).split(LINE_BREAK);
  const lineText = before[before.length - 1] ?? '';
  return { line: before.length, column: codePointLength(lineText) + 1 };
}
