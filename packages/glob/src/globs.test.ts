import { describe, expect, it } from 'vitest';
import { compileGlobs, firstMatch, matchesAny, splitPatterns } from './globs.js';

describe('splitPatterns', () => {
  it.each([
    { name: 'no values', values: [], patterns: [] },
    { name: 'one pattern', values: ['db*'], patterns: ['db*'] },
    { name: 'several on one value, any whitespace', values: ['a*  b*\tc.service'], patterns: ['a*', 'b*', 'c.service'] },
    { name: 'several values, in order', values: ['b*', 'a*'], patterns: ['b*', 'a*'] },
    { name: 'empty values and edges dropped', values: ['', '  a*  ', ''], patterns: ['a*'] },
  ])('$name', ({ values, patterns }) => {
    expect(splitPatterns(values)).toEqual(patterns);
  });
});

describe('compileGlobs', () => {
  it('compiles every pattern, in order', () => {
    const globs = compileGlobs('Conflicts', ['web@*.service', 'db.service']);
    expect(globs.patterns).toEqual(['web@*.service', 'db.service']);
    expect(globs.matchers.map((matcher) => matcher.pattern)).toEqual(['web@*.service', 'db.service']);
    expect(globs.problem).toBeUndefined();
    expect(Object.isFrozen(globs) && Object.isFrozen(globs.matchers) && Object.isFrozen(globs.patterns)).toBe(true);
  });

  it.each([
    { name: 'one malformed pattern', patterns: ['[a'], problem: 'Conflicts pattern "[a" is malformed: unterminated character class', matchers: [] },
    {
      name: 'the first of several malformed patterns, keeping the good ones',
      patterns: ['db*', 'web[-x]*', '[a'],
      problem: `Conflicts pattern "web[-x]*" is malformed: unescaped '-' in character class`,
      matchers: ['db*'],
    },
  ])('keeps $name as the problem instead of throwing', ({ patterns, problem, matchers }) => {
    const globs = compileGlobs('Conflicts', patterns);
    expect(globs.problem).toBe(problem);
    expect(globs.patterns).toEqual(patterns);
    expect(globs.matchers.map((matcher) => matcher.pattern)).toEqual(matchers);
  });

  it('names the option it is given', () => {
    expect(compileGlobs('Replaces', ['web\\']).problem).toBe('Replaces pattern "web\\\\" is malformed: trailing backslash');
  });
});

describe('matchesAny', () => {
  const globs = compileGlobs('Conflicts', ['db*', 'web@[12].service']);

  it.each([
    { name: 'the first pattern', unit: 'db.service', expected: true },
    { name: 'the second pattern', unit: 'web@2.service', expected: true },
    { name: 'no pattern', unit: 'web@3.service', expected: false },
  ])('matches by $name', ({ unit, expected }) => {
    expect(matchesAny(globs, unit)).toBe(expected);
  });

  it('is false without globs', () => {
    expect(matchesAny(undefined, 'db.service')).toBe(false);
    expect(matchesAny(compileGlobs('Conflicts', []), 'db.service')).toBe(false);
  });
});

describe('firstMatch', () => {
  it.each([
    { name: 'no names', patterns: ['db*'], names: [], expected: undefined },
    { name: 'no pattern matches', patterns: ['db*'], names: ['web.service'], expected: undefined },
    { name: 'one match', patterns: ['db*'], names: ['web.service', 'db.service'], expected: { pattern: 'db*', name: 'db.service' } },
    {
      name: 'the first pattern in file order, with the first name it matches',
      patterns: ['cache*', 'd?.service', 'db*'],
      names: ['db.service', 'dx.service', 'cache.service'],
      expected: { pattern: 'cache*', name: 'cache.service' },
    },
    { name: 'a malformed pattern matches nothing', patterns: ['[d', 'd*'], names: ['[d'], expected: undefined },
  ])('$name', ({ patterns, names, expected }) => {
    expect(firstMatch(compileGlobs('Conflicts', patterns), names)).toEqual(expected);
  });

  it('is undefined without globs', () => {
    expect(firstMatch(undefined, ['db.service'])).toBeUndefined();
  });
});
