/**
 * @fleetd/glob: Go's `path.Match`, the glob syntax of fleet's `Conflicts`
 * and `Replaces`, as a line-by-line port and as compiled matchers, plus the
 * helpers the plugins share to read a unit's glob option.
 */
export { compileGlob, GlobSyntaxError, pathMatch } from './glob.js';
export type { GlobMatcher } from './glob.js';
export { compileGlobs, firstMatch, matchesAny, splitPatterns } from './globs.js';
export type { CompiledGlobs, GlobMatch } from './globs.js';
