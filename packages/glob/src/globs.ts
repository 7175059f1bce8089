import { compileGlob, GlobSyntaxError } from './glob.js';
import type { GlobMatcher } from './glob.js';

/**
 * A glob option's patterns compiled once (the plugins do it per unit version,
 * in `resolveUnit`): the patterns as written and a matcher for each. A
 * malformed pattern is not thrown (a plugin's resolveUnit would then make the
 * unit unresolvable); it is kept as `problem`, for the plugin to report.
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

/** A pattern and a name it matches. */
export interface GlobMatch {
  readonly pattern: string;
  readonly name: string;
}

/**
 * The first well-formed pattern (in file order) that matches one of `names`,
 * with the first name it matches, or undefined. Malformed patterns match
 * nothing here: they are reported as `problem` already.
 */
export function firstMatch(globs: CompiledGlobs | undefined, names: readonly string[]): GlobMatch | undefined {
  if (globs === undefined || names.length === 0) return undefined;
  for (const matcher of globs.matchers) {
    const name = names.find((candidate) => matcher(candidate));
    if (name !== undefined) return { pattern: matcher.pattern, name };
  }
  return undefined;
}
