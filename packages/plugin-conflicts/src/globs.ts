import { compileGlob, GlobSyntaxError } from './glob.js';
import type { GlobMatcher } from './glob.js';

/**
 * A unit's glob option (`Conflicts`, `Replaces`) compiled once in
 * `resolveUnit`: the patterns as written and a matcher for each. A malformed
 * pattern is not thrown from resolveUnit (that would make the unit
 * unresolvable); it is kept as `problem`, which validateUnit reports at
 * submit and the filter returns as a reason if such a unit reaches the engine.
 */
export interface CompiledGlobs {
  /** The patterns, in file order. */
  readonly patterns: readonly string[];
  /** One matcher per well-formed pattern, in file order. */
  readonly matchers: readonly GlobMatcher[];
  /** `<Option> pattern "[a" is malformed: unterminated character class` for the first malformed pattern, or undefined. */
  readonly problem: string | undefined;
}

/**
 * Splits option values into patterns: a value may hold several, separated by
 * whitespace (a unit name never contains any), and empty ones are dropped.
 */
export function splitPatterns(values: readonly string[]): string[] {
  const patterns: string[] = [];
  for (const value of values) {
    for (const pattern of value.split(/\s+/)) if (pattern !== '') patterns.push(pattern);
  }
  return patterns;
}

/** Compiles patterns of `option` (used in the problem text), keeping the first malformed one's problem. */
export function compileGlobs(option: string, patterns: readonly string[]): CompiledGlobs {
  const matchers: GlobMatcher[] = [];
  let problem: string | undefined;
  for (const pattern of patterns) {
    try {
      matchers.push(compileGlob(pattern));
    } catch (error) {
      if (!(error instanceof GlobSyntaxError)) throw error;
      problem ??= `${option} pattern ${JSON.stringify(pattern)} is malformed: ${error.detail}`;
    }
  }
  return Object.freeze({ patterns: Object.freeze([...patterns]), matchers: Object.freeze(matchers), problem });
}

/** Whether any of the compiled patterns matches `name` (false for none). */
export function matchesAny(globs: CompiledGlobs | undefined, name: string): boolean {
  if (globs === undefined) return false;
  const matchers = globs.matchers;
  for (let i = 0; i < matchers.length; i++) if ((matchers[i] as GlobMatcher)(name)) return true;
  return false;
}
