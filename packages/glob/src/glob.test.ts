import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileGlob, GlobSyntaxError, pathMatch } from './glob.js';

/**
 * Go's own table, every row: src/path/match_test.go `matchTests` (golang/go).
 * `bad` rows are ErrBadPattern: Go reports it whatever the name, matching or not.
 */
const goMatchTests: readonly (readonly [pattern: string, s: string, match: boolean, bad?: 'ErrBadPattern'])[] = [
  ['abc', 'abc', true],
  ['*', 'abc', true],
  ['*c', 'abc', true],
  ['a*', 'a', true],
  ['a*', 'abc', true],
  ['a*', 'ab/c', false],
  ['a*/b', 'abc/b', true],
  ['a*/b', 'a/c/b', false],
  ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
  ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
  ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false],
  ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
  ['a*b?c*x', 'abxbbxdbxebxczzx', true],
  ['a*b?c*x', 'abxbbxdbxebxczzy', false],
  ['ab[c]', 'abc', true],
  ['ab[b-d]', 'abc', true],
  ['ab[e-g]', 'abc', false],
  ['ab[^c]', 'abc', false],
  ['ab[^b-d]', 'abc', false],
  ['ab[^e-g]', 'abc', true],
  ['a\\*b', 'a*b', true],
  ['a\\*b', 'ab', false],
  ['a?b', 'a☺b', true],
  ['a[^a]b', 'a☺b', true],
  ['a???b', 'a☺b', false],
  ['a[^a][^a][^a]b', 'a☺b', false],
  ['[a-ζ]*', 'α', true],
  ['*[a-ζ]', 'A', false],
  ['a?b', 'a/b', false],
  ['a*b', 'a/b', false],
  ['[\\]a]', ']', true],
  ['[\\-]', '-', true],
  ['[x\\-]', 'x', true],
  ['[x\\-]', '-', true],
  ['[x\\-]', 'z', false],
  ['[\\-x]', 'x', true],
  ['[\\-x]', '-', true],
  ['[\\-x]', 'a', false],
  ['[]a]', ']', false, 'ErrBadPattern'],
  ['[-]', '-', false, 'ErrBadPattern'],
  ['[x-]', 'x', false, 'ErrBadPattern'],
  ['[x-]', '-', false, 'ErrBadPattern'],
  ['[x-]', 'z', false, 'ErrBadPattern'],
  ['[-x]', 'x', false, 'ErrBadPattern'],
  ['[-x]', '-', false, 'ErrBadPattern'],
  ['[-x]', 'a', false, 'ErrBadPattern'],
  ['\\', 'a', false, 'ErrBadPattern'],
  ['[a-b-c]', 'a', false, 'ErrBadPattern'],
  ['[', 'a', false, 'ErrBadPattern'],
  ['[^', 'a', false, 'ErrBadPattern'],
  ['[^bc', 'a', false, 'ErrBadPattern'],
  ['a[', 'a', false, 'ErrBadPattern'],
  ['a[', 'ab', false, 'ErrBadPattern'],
  ['a[', 'x', false, 'ErrBadPattern'],
  ['a/b[', 'x', false, 'ErrBadPattern'],
  ['*x', 'xxx', true],
];

const rows = goMatchTests.map(([pattern, s, match, bad]) => ({
  name: `Match(${JSON.stringify(pattern)}, ${JSON.stringify(s)}) = ${bad ?? match}`,
  pattern,
  s,
  match,
  bad: bad !== undefined,
}));

/** The outcome of a match as one comparable value: the answer, or the error's detail. */
function outcome(match: () => boolean): boolean | string {
  try {
    return match();
  } catch (error) {
    if (error instanceof GlobSyntaxError) return `bad: ${error.detail}`;
    throw error;
  }
}

describe("Go's path.Match table", () => {
  it('has every row of match_test.go', () => {
    expect(rows).toHaveLength(56);
  });

  it.each(rows.filter((row) => !row.bad))('pathMatch: $name', ({ pattern, s, match }) => {
    expect(pathMatch(pattern, s)).toBe(match);
  });

  it.each(rows.filter((row) => !row.bad))('compileGlob: $name', ({ pattern, s, match }) => {
    expect(compileGlob(pattern)(s)).toBe(match);
  });

  it.each(rows.filter((row) => row.bad))('pathMatch throws ErrBadPattern: $name', ({ pattern, s }) => {
    expect(() => pathMatch(pattern, s)).toThrow(GlobSyntaxError);
  });

  it.each(rows.filter((row) => row.bad))('compileGlob refuses the pattern: $name', ({ pattern }) => {
    expect(() => compileGlob(pattern)).toThrow(GlobSyntaxError);
  });
});

describe('malformed patterns', () => {
  it.each([
    { name: 'an empty class', pattern: '[]a]', detail: 'empty character class' },
    { name: 'an unescaped dash first', pattern: '[-x]', detail: "unescaped '-' in character class" },
    { name: 'a second dash in a range', pattern: '[a-b-c]', detail: "unescaped '-' in character class" },
    { name: 'a range without its upper bound', pattern: '[x-]', detail: 'character range has no upper bound' },
    { name: 'an unclosed class', pattern: 'web[0-9', detail: 'unterminated character class' },
    { name: 'an unclosed negated class', pattern: '[^', detail: 'unterminated character class' },
    { name: 'an escape at the end of a class', pattern: '[a\\', detail: 'unterminated character class' },
    { name: 'a trailing backslash', pattern: 'web\\', detail: 'trailing backslash' },
    { name: 'a bad class after a star', pattern: 'web*[', detail: 'unterminated character class' },
  ])('reports $name', ({ pattern, detail }) => {
    const error = outcome(() => pathMatch(pattern, 'web.service'));
    expect(error).toBe(`bad: ${detail}`);
    expect(() => compileGlob(pattern)).toThrow(new GlobSyntaxError(pattern, detail));
    expect(() => compileGlob(pattern)).toThrow(`malformed glob ${JSON.stringify(pattern)}: ${detail} (Go: syntax error in pattern)`);
  });

  it('is an error even when an earlier chunk already failed to match (Go checks the rest of the pattern)', () => {
    expect(outcome(() => pathMatch('x*[', 'abc'))).toBe('bad: unterminated character class');
    expect(outcome(() => pathMatch('a*b[', 'abc'))).toBe('bad: unterminated character class');
  });

  it('carries the pattern and a readable message', () => {
    const error = new GlobSyntaxError('[a', 'unterminated character class');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('GlobSyntaxError');
    expect(error.pattern).toBe('[a');
  });
});

describe('compileGlob', () => {
  it.each([
    { name: 'a plain name', pattern: 'web.service', literal: 'web.service' },
    { name: 'an escaped star', pattern: 'web\\*.service', literal: 'web*.service' },
    { name: 'an escaped class opener', pattern: '\\[a]', literal: '[a]' },
    { name: 'the empty pattern', pattern: '', literal: '' },
    { name: 'a star', pattern: 'web*', literal: undefined },
    { name: 'a question mark', pattern: 'web?', literal: undefined },
    { name: 'a class', pattern: 'web[12]', literal: undefined },
  ])('exposes the literal name of $name', ({ pattern, literal }) => {
    const matcher = compileGlob(pattern);
    expect(matcher.pattern).toBe(pattern);
    expect(matcher.literal).toBe(literal);
    if (literal !== undefined) expect(matcher(literal)).toBe(true);
  });

  it.each([
    { name: 'unit instances', pattern: 'web@*.service', yes: ['web@1.service', 'web@.service'], no: ['web.service', 'api@1.service'] },
    { name: 'one character', pattern: 'web@?.service', yes: ['web@1.service'], no: ['web@12.service', 'web@.service'] },
    { name: 'a class of digits', pattern: 'web@[0-4].service', yes: ['web@0.service', 'web@4.service'], no: ['web@5.service'] },
    { name: 'a negated class', pattern: 'web@[^0-4].service', yes: ['web@5.service', 'web@x.service'], no: ['web@0.service'] },
    { name: 'several stars', pattern: '*@*.*', yes: ['web@1.service', '@.'], no: ['web.service'] },
    { name: 'the empty pattern', pattern: '', yes: [''], no: ['a'] },
  ])('matches $name', ({ pattern, yes, no }) => {
    const matcher = compileGlob(pattern);
    for (const name of yes) expect(matcher(name), name).toBe(true);
    for (const name of no) expect(matcher(name), name).toBe(false);
  });

  it('lets a star skip part of a multi-byte character, as Go does on bytes', () => {
    // Read from match.go: the star loop advances one byte at a time and `?`
    // decodes a stray continuation byte as one (invalid) rune.
    expect(pathMatch('*??', '☺')).toBe(true);
    expect(compileGlob('*??')('☺')).toBe(true);
    expect(pathMatch('??', '☺')).toBe(false);
  });

  it('matches names longer than its scratch buffer', () => {
    const long = `${'a'.repeat(5000)}.service`;
    expect(compileGlob('a*.service')(long)).toBe(true);
    expect(compileGlob('a*.socket')(long)).toBe(false);
    expect(compileGlob('*☺')(`${'a'.repeat(700)}☺`)).toBe(true);
  });
});

// Alphabets rich in metacharacters and multi-byte characters, so random
// patterns hit every branch (and many malformed ones).
const patternChars = ['a', 'b', 'x', '/', '.', '*', '*', '?', '[', ']', '^', '-', '\\', '☺', 'α', 'ζ', '𝄞'];
const nameChars = ['a', 'b', 'x', '/', '.', '-', ']', '^', '*', '\\', '☺', 'α', 'ζ', '𝄞'];
const patternArb = fc.array(fc.constantFrom(...patternChars), { maxLength: 10 }).map((chars) => chars.join(''));
const nameArb = fc.array(fc.constantFrom(...nameChars), { maxLength: 10 }).map((chars) => chars.join(''));
const escape = (name: string): string => name.replace(/[*?[\]\\]/g, (ch) => `\\${ch}`);

describe('properties', () => {
  it('the compiled matcher agrees with the line-by-line port, errors included', () => {
    fc.assert(
      fc.property(patternArb, nameArb, (pattern, name) => {
        let compiled: boolean | string;
        try {
          compiled = compileGlob(pattern)(name);
        } catch (error) {
          compiled = error instanceof GlobSyntaxError ? `bad: ${error.detail}` : 'other error';
        }
        expect(compiled).toBe(outcome(() => pathMatch(pattern, name)));
      }),
      { numRuns: 5000 },
    );
  });

  it('a malformed pattern is an error for every name', () => {
    fc.assert(
      fc.property(patternArb, nameArb, nameArb, (pattern, a, b) => {
        expect(typeof outcome(() => pathMatch(pattern, a))).toBe(typeof outcome(() => pathMatch(pattern, b)));
      }),
      { numRuns: 2000 },
    );
  });

  it('an escaped name matches exactly itself', () => {
    fc.assert(
      fc.property(nameArb, nameArb, (name, other) => {
        const matcher = compileGlob(escape(name));
        expect(matcher.literal).toBe(name);
        expect(pathMatch(escape(name), name)).toBe(true);
        expect(pathMatch(escape(name), other)).toBe(name === other);
      }),
    );
  });

  it('a star matches any name without a slash, and never crosses one', () => {
    fc.assert(
      fc.property(nameArb, (name) => {
        expect(pathMatch('*', name)).toBe(!name.includes('/'));
        expect(compileGlob('*')(name)).toBe(!name.includes('/'));
      }),
    );
  });
});
