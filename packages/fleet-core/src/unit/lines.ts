import { codePointLength, endsWithContinuation, skipBlanks } from './syntax.js';

/** A 1-based position in the original text. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** One physical line that contributed to a logical line, and where it starts in it. */
interface Segment {
  readonly line: number;
  readonly text: string;
  readonly start: number;
}

/**
 * One `Key=Value` or `[Section]` line after backslash-continuations were joined.
 * It remembers its physical lines so an error found anywhere in the joined text
 * can still point at the line and column the user typed.
 */
export class LogicalLine {
  readonly #segments: Segment[] = [];
  #text = '';

  get text(): string {
    return this.#text;
  }

  append(line: number, text: string): void {
    this.#segments.push({ line, text, start: this.#text.length });
    this.#text += text;
  }

  /** Drops the final backslash in favour of a space, as systemd does (same length). */
  replaceLastCharWithSpace(): void {
    this.#text = `${this.#text.slice(0, -1)} `;
  }

  /** Position of the character at `index`; `index === text.length` means just past the end. */
  locate(index: number): Position {
    const segment = this.#segmentAt(index);
    const offset = Math.min(index - segment.start, segment.text.length);
    return { line: segment.line, column: codePointLength(segment.text.slice(0, offset)) + 1 };
  }

  #segmentAt(index: number): Segment {
    let found = this.#segments[0];
    for (const segment of this.#segments) {
      if (segment.start > index) break;
      // An empty segment cannot hold a character; keep the previous one.
      if (segment.text.length > 0 || found === undefined) found = segment;
    }
    if (found === undefined) throw new Error('LogicalLine.locate() on an empty line');
    return found;
  }
}

/** systemd's read_line() ends a line at "\n", "\r\n" or a lone "\r". */
const LINE_BREAK = /\r\n|\r|\n/;

/** True when the first non-blank character is `#` or `;`. */
function isComment(text: string): boolean {
  const first = text[skipBlanks(text, 0, text.length)];
  return first === '#' || first === ';';
}

/**
 * Joins continuation lines the way systemd's config_parse() does: comment lines
 * are dropped before anything else (so they are skipped inside a continuation
 * and a trailing backslash on a comment continues nothing); a line whose raw
 * text ends in an odd run of backslashes continues on the next line, its last
 * backslash becoming a space; a continuation still open at EOF just ends.
 */
export function* logicalLines(body: string): Generator<LogicalLine> {
  const physical = body.split(LINE_BREAK);
  let pending: LogicalLine | undefined;
  for (let i = 0; i < physical.length; i++) {
    const text = physical[i] ?? '';
    if (isComment(text)) continue;
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
