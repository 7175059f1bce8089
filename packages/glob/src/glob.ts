/**
 * Go's `path.Match`, ported faithfully (src/path/match.go, the version that
 * reports ErrBadPattern for a malformed pattern whatever the name):
 *
 * - `*` matches any run of non-`/` characters, `?` one non-`/` character;
 * - `[...]` is a non-empty character class of characters and `lo-hi` ranges,
 *   `[^...]` its negation (a class may match `/`, as in Go);
 * - `\` escapes the next character, inside a class too;
 * - the whole name must match, not a substring;
 * - a malformed pattern (unclosed or empty class, unescaped `-` in a class,
 *   trailing `\`) is an error for every name, never a silent non-match.
 *
 * Go works on the UTF-8 bytes of both strings, decoding runes only for `?` and
 * classes, and a `*` may skip a single byte, even inside a multi-byte
 * character; this port does the same on the UTF-8 encoding of JavaScript
 * strings, so it agrees with Go on every well-formed string (a lone surrogate
 * has no UTF-8 form; it is encoded as U+FFFD).
 *
 * `pathMatch` is the line-by-line port; `compileGlob` parses a pattern once
 * into chunks of byte literals, `?` and classes and matches names without
 * allocating (ASCII names, which unit names always are, are not even encoded).
 */

const SLASH = 0x2f;
const STAR = 0x2a;
const QUESTION = 0x3f;
const BACKSLASH = 0x5c;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const CARET = 0x5e;
const DASH = 0x2d;
const RUNE_ERROR = 0xfffd;

const encoder = new TextEncoder();

/** Thrown for a malformed pattern: Go's `ErrBadPattern`, with what is wrong. */
export class GlobSyntaxError extends Error {
  override readonly name = 'GlobSyntaxError';

  constructor(
    /** The pattern as given. */
    readonly pattern: string,
    /** What is wrong with it: `unterminated character class`, `empty character class`, ... */
    readonly detail: string,
  ) {
    super(`malformed glob ${JSON.stringify(pattern)}: ${detail} (Go: syntax error in pattern)`);
  }
}

/** A compiled glob: call it with a name. Malformed patterns never compile. */
export interface GlobMatcher {
  (name: string): boolean;
  /** The pattern as given. */
  readonly pattern: string;
  /**
   * The one name the pattern matches when it has no `*`, `?` or class (after
   * unescaping `\x`), so callers can look the name up instead of scanning;
   * undefined for a real glob.
   */
  readonly literal: string | undefined;
}

// ---------------------------------------------------------------------------
// UTF-8 decoding exactly as Go's utf8.DecodeRune: invalid or short input
// decodes as (RuneError, 1). Results go to module variables (no allocation).

let decodedRune = 0;
let decodedSize = 0;

function decodeRune(b: Uint8Array, i: number, end: number): void {
  const n = end - i;
  if (n <= 0) return setDecoded(RUNE_ERROR, 0);
  const b0 = b[i] as number;
  if (b0 < 0x80) return setDecoded(b0, 1);
  if (b0 < 0xc2 || b0 > 0xf4) return setDecoded(RUNE_ERROR, 1);
  let size: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b0 < 0xe0) {
    size = 2;
  } else if (b0 < 0xf0) {
    size = 3;
    if (b0 === 0xe0) lo = 0xa0;
    else if (b0 === 0xed) hi = 0x9f;
  } else {
    size = 4;
    if (b0 === 0xf0) lo = 0x90;
    else if (b0 === 0xf4) hi = 0x8f;
  }
  if (n < size) return setDecoded(RUNE_ERROR, 1);
  const b1 = b[i + 1] as number;
  if (b1 < lo || b1 > hi) return setDecoded(RUNE_ERROR, 1);
  if (size === 2) return setDecoded(((b0 & 0x1f) << 6) | (b1 & 0x3f), 2);
  const b2 = b[i + 2] as number;
  if (b2 < 0x80 || b2 > 0xbf) return setDecoded(RUNE_ERROR, 1);
  if (size === 3) return setDecoded(((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f), 3);
  const b3 = b[i + 3] as number;
  if (b3 < 0x80 || b3 > 0xbf) return setDecoded(RUNE_ERROR, 1);
  return setDecoded(((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f), 4);
}

function setDecoded(rune: number, size: number): void {
  decodedRune = rune;
  decodedSize = size;
}

// ---------------------------------------------------------------------------
// Shared by the port and the compiler: Go's scanChunk and getEsc.

let chunkStar = false;
let chunkStart = 0;
let chunkEnd = 0;

/** Go's scanChunk on `p[i:end]`: the next run of non-star terms, maybe after stars; sets chunkStar/Start/End (the rest starts at chunkEnd). */
function scanChunk(p: Uint8Array, i: number, end: number): void {
  let star = false;
  while (i < end && p[i] === STAR) {
    i++;
    star = true;
  }
  chunkStar = star;
  chunkStart = i;
  let inRange = false;
  for (let j = i; j < end; j++) {
    switch (p[j]) {
      case BACKSLASH:
        // A trailing backslash is reported by the chunk parser.
        if (j + 1 < end) j++;
        break;
      case OPEN:
        inRange = true;
        break;
      case CLOSE:
        inRange = false;
        break;
      case STAR:
        if (!inRange) {
          chunkEnd = j;
          return;
        }
        break;
    }
  }
  chunkEnd = end;
}

let escRune = 0;
let escNext = 0;

/** Go's getEsc: a possibly escaped character of a class in `p[i:end]`; sets escRune/escNext or throws. */
function getEsc(pattern: string, p: Uint8Array, i: number, end: number, upper: boolean): void {
  if (i >= end) throw new GlobSyntaxError(pattern, 'unterminated character class');
  if (p[i] === DASH) throw new GlobSyntaxError(pattern, "unescaped '-' in character class");
  if (p[i] === CLOSE) throw new GlobSyntaxError(pattern, upper ? 'character range has no upper bound' : 'empty character class');
  if (p[i] === BACKSLASH) {
    i++;
    if (i >= end) throw new GlobSyntaxError(pattern, 'unterminated character class');
  }
  decodeRune(p, i, end);
  if (decodedRune === RUNE_ERROR && decodedSize === 1) throw new GlobSyntaxError(pattern, 'invalid UTF-8 in character class');
  escRune = decodedRune;
  escNext = i + decodedSize;
  if (escNext >= end) throw new GlobSyntaxError(pattern, 'unterminated character class');
}

// ---------------------------------------------------------------------------
// The line-by-line port.

/**
 * Reports whether `name` matches the shell pattern `pattern`, exactly as Go's
 * `path.Match`. Throws a {@link GlobSyntaxError} when the pattern is malformed
 * (Go's `ErrBadPattern`), whatever the name. For repeated matching, compile
 * the pattern once with {@link compileGlob}.
 */
export function pathMatch(pattern: string, name: string): boolean {
  const p = encoder.encode(pattern);
  const s = encoder.encode(name);
  const pEnd = p.length;
  const sEnd = s.length;
  let pi = 0;
  let si = 0;
  pattern: while (pi < pEnd) {
    scanChunk(p, pi, pEnd);
    const star = chunkStar;
    const cs = chunkStart;
    const ce = chunkEnd;
    pi = ce;
    if (star && cs === ce) {
      // Trailing * matches the rest of the name unless it has a /.
      return s.indexOf(SLASH, si) < 0;
    }
    // Look for a match at the current position.
    let t = portMatchChunk(pattern, p, cs, ce, s, si, sEnd);
    // If this is the last chunk, the name must be exhausted.
    if (t >= 0 && (t === sEnd || pi < pEnd)) {
      si = t;
      continue;
    }
    if (star) {
      // Look for a match skipping i+1 bytes; cannot skip /.
      for (let i = si; i < sEnd && s[i] !== SLASH; i++) {
        t = portMatchChunk(pattern, p, cs, ce, s, i + 1, sEnd);
        if (t >= 0) {
          if (pi === pEnd && t < sEnd) continue;
          si = t;
          continue pattern;
        }
      }
    }
    // Before returning false, check that the rest of the pattern is well formed.
    while (pi < pEnd) {
      scanChunk(p, pi, pEnd);
      const restStart = chunkStart;
      const restEnd = chunkEnd;
      pi = restEnd;
      portMatchChunk(pattern, p, restStart, restEnd, s, sEnd, sEnd);
    }
    return false;
  }
  return si === sEnd;
}

/**
 * Go's matchChunk: whether `p[cs:ce]` (literals, classes, `?`) matches the
 * start of `s[si:sEnd]`; the index after the match, or -1. Like Go it keeps
 * parsing the chunk after a mismatch, so a malformed chunk always throws.
 */
function portMatchChunk(pattern: string, p: Uint8Array, cs: number, ce: number, s: Uint8Array, si: number, sEnd: number): number {
  let failed = false;
  let i = cs;
  while (i < ce) {
    if (!failed && si >= sEnd) failed = true;
    const c = p[i] as number;
    if (c === OPEN) {
      let r = 0;
      if (!failed) {
        decodeRune(s, si, sEnd);
        r = decodedRune;
        si += decodedSize;
      }
      i++;
      let negated = false;
      if (i < ce && p[i] === CARET) {
        negated = true;
        i++;
      }
      let match = false;
      let ranges = 0;
      for (;;) {
        if (i < ce && p[i] === CLOSE && ranges > 0) {
          i++;
          break;
        }
        getEsc(pattern, p, i, ce, false);
        const lo = escRune;
        let hi = lo;
        i = escNext;
        if (p[i] === DASH) {
          getEsc(pattern, p, i + 1, ce, true);
          hi = escRune;
          i = escNext;
        }
        if (lo <= r && r <= hi) match = true;
        ranges++;
      }
      if (match === negated) failed = true;
    } else if (c === QUESTION) {
      if (!failed) {
        if (s[si] === SLASH) failed = true;
        decodeRune(s, si, sEnd);
        si += decodedSize;
      }
      i++;
    } else {
      if (c === BACKSLASH) {
        i++;
        if (i >= ce) throw new GlobSyntaxError(pattern, 'trailing backslash');
      }
      if (!failed) {
        if (p[i] !== s[si]) failed = true;
        si++;
      }
      i++;
    }
  }
  return failed ? -1 : si;
}

// ---------------------------------------------------------------------------
// The compiled form.

const LITERAL = 0;
const ANY = 1;
const CLASS = 2;

type Term =
  | { readonly kind: typeof LITERAL; readonly bytes: Uint8Array }
  | { readonly kind: typeof ANY }
  | { readonly kind: typeof CLASS; readonly negated: boolean; readonly ranges: Int32Array };

interface Chunk {
  readonly star: boolean;
  readonly terms: readonly Term[];
}

/**
 * Compiles a pattern once, validating it completely (Go reports a malformed
 * pattern for every name, so validating up front changes no answer). The
 * matcher it returns is `pathMatch(pattern, name)` without the re-parsing.
 * Throws a {@link GlobSyntaxError} for a malformed pattern.
 */
export function compileGlob(pattern: string): GlobMatcher {
  const p = encoder.encode(pattern);
  const chunks: Chunk[] = [];
  for (let pi = 0; pi < p.length;) {
    scanChunk(p, pi, p.length);
    const star = chunkStar;
    const cs = chunkStart;
    const ce = chunkEnd;
    pi = ce;
    chunks.push({ star, terms: parseChunk(pattern, p, cs, ce) });
  }
  const literal = literalOf(chunks);
  let test: (name: string) => boolean;
  if (literal !== undefined) {
    test = (name) => name === literal;
  } else {
    // Cheap necessary conditions first: most names a glob is tried on differ
    // in their first or last characters, and those checks need no encoding.
    const prefix = asciiPrefix(chunks);
    const suffix = asciiSuffix(chunks);
    test = (name) => {
      if (!name.startsWith(prefix) || !name.endsWith(suffix)) return false;
      const length = nameBytes(name);
      return matchChunks(chunks, bytes, length);
    };
  }
  return Object.freeze(Object.assign(test, { pattern, literal }));
}

/**
 * The ASCII characters every match starts with: the leading literal of a
 * first chunk without a star, up to its first non-ASCII byte. A name's UTF-8
 * starts with these bytes exactly when the string starts with these characters.
 */
function asciiPrefix(chunks: readonly Chunk[]): string {
  const [first] = chunks;
  const [term] = first === undefined || first.star ? [] : first.terms;
  if (term?.kind !== LITERAL) return '';
  let end = 0;
  while (end < term.bytes.length && (term.bytes[end] as number) < 0x80) end++;
  return String.fromCharCode(...term.bytes.subarray(0, end));
}

/**
 * The ASCII characters every match ends with: the trailing literal of the
 * last chunk (which must match up to the end of the name, star or not), from
 * its last non-ASCII byte on.
 */
function asciiSuffix(chunks: readonly Chunk[]): string {
  const last = chunks.at(-1);
  const term = last?.terms.at(-1);
  if (term?.kind !== LITERAL) return '';
  let start = term.bytes.length;
  while (start > 0 && (term.bytes[start - 1] as number) < 0x80) start--;
  return String.fromCharCode(...term.bytes.subarray(start));
}

/** The only name a star-free, class-free, `?`-free pattern matches, or undefined. */
function literalOf(chunks: readonly Chunk[]): string | undefined {
  if (chunks.length === 0) return '';
  const [chunk] = chunks;
  if (chunks.length > 1 || chunk === undefined || chunk.star || chunk.terms.length !== 1) return undefined;
  const [term] = chunk.terms;
  return term?.kind === LITERAL ? new TextDecoder().decode(term.bytes) : undefined;
}

/** Parses a chunk the way Go's matchChunk reads it, throwing where Go would return ErrBadPattern. */
function parseChunk(pattern: string, p: Uint8Array, cs: number, ce: number): Term[] {
  const terms: Term[] = [];
  let literal: number[] = [];
  const flush = (): void => {
    if (literal.length === 0) return;
    terms.push({ kind: LITERAL, bytes: Uint8Array.from(literal) });
    literal = [];
  };
  let i = cs;
  while (i < ce) {
    const c = p[i] as number;
    if (c === OPEN) {
      flush();
      i++;
      let negated = false;
      if (i < ce && p[i] === CARET) {
        negated = true;
        i++;
      }
      const ranges: number[] = [];
      for (;;) {
        if (i < ce && p[i] === CLOSE && ranges.length > 0) {
          i++;
          break;
        }
        getEsc(pattern, p, i, ce, false);
        const lo = escRune;
        let hi = lo;
        i = escNext;
        if (p[i] === DASH) {
          getEsc(pattern, p, i + 1, ce, true);
          hi = escRune;
          i = escNext;
        }
        ranges.push(lo, hi);
      }
      terms.push({ kind: CLASS, negated, ranges: Int32Array.from(ranges) });
    } else if (c === QUESTION) {
      flush();
      terms.push({ kind: ANY });
      i++;
    } else {
      if (c === BACKSLASH) {
        i++;
        if (i >= ce) throw new GlobSyntaxError(pattern, 'trailing backslash');
      }
      literal.push(p[i] as number);
      i++;
    }
  }
  flush();
  return terms;
}

// The name being matched, as UTF-8: ASCII names are copied into a reused
// buffer, others encoded. Matching is synchronous and never re-entered.
let bytes = new Uint8Array(256);

function nameBytes(name: string): number {
  const length = name.length;
  if (bytes.length < length) bytes = new Uint8Array(Math.max(length, bytes.length * 2));
  for (let i = 0; i < length; i++) {
    const code = name.charCodeAt(i);
    if (code >= 0x80) {
      const encoded = encoder.encode(name);
      if (bytes.length < encoded.length) bytes = new Uint8Array(encoded.length * 2);
      bytes.set(encoded);
      return encoded.length;
    }
    bytes[i] = code;
  }
  return length;
}

/** Go's Match loop over precompiled chunks. */
function matchChunks(chunks: readonly Chunk[], s: Uint8Array, sEnd: number): boolean {
  let si = 0;
  const count = chunks.length;
  next: for (let c = 0; c < count; c++) {
    const chunk = chunks[c] as Chunk;
    const last = c === count - 1;
    if (chunk.star && chunk.terms.length === 0) {
      // Trailing * matches the rest of the name unless it has a /.
      for (let i = si; i < sEnd; i++) if (s[i] === SLASH) return false;
      return true;
    }
    let t = matchTerms(chunk.terms, s, si, sEnd);
    if (t >= 0 && (t === sEnd || !last)) {
      si = t;
      continue;
    }
    if (chunk.star) {
      for (let i = si; i < sEnd && s[i] !== SLASH; i++) {
        t = matchTerms(chunk.terms, s, i + 1, sEnd);
        if (t >= 0) {
          if (last && t < sEnd) continue;
          si = t;
          continue next;
        }
      }
    }
    return false;
  }
  return si === sEnd;
}

function matchTerms(terms: readonly Term[], s: Uint8Array, si: number, sEnd: number): number {
  for (let k = 0; k < terms.length; k++) {
    const term = terms[k] as Term;
    if (term.kind === LITERAL) {
      const literal = term.bytes;
      if (sEnd - si < literal.length) return -1;
      for (let j = 0; j < literal.length; j++) if (s[si + j] !== literal[j]) return -1;
      si += literal.length;
    } else if (term.kind === ANY) {
      if (si >= sEnd || s[si] === SLASH) return -1;
      decodeRune(s, si, sEnd);
      si += decodedSize;
    } else {
      if (si >= sEnd) return -1;
      decodeRune(s, si, sEnd);
      const r = decodedRune;
      si += decodedSize;
      const ranges = term.ranges;
      let match = false;
      for (let j = 0; j < ranges.length; j += 2) {
        if ((ranges[j] as number) <= r && r <= (ranges[j + 1] as number)) {
          match = true;
          break;
        }
      }
      if (match === term.negated) return -1;
    }
  }
  return si;
}
