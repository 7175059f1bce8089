import { expectAssignable, expectError, expectType } from 'tsd';
import { compileGlob, compileGlobs, firstMatch, GlobSyntaxError, matchesAny, pathMatch, splitPatterns } from '@fleetd/glob';
import type { CompiledGlobs, GlobMatch, GlobMatcher } from '@fleetd/glob';

// Go's path.Match: a boolean, or a thrown GlobSyntaxError.
expectType<boolean>(pathMatch('web@*.service', 'web@1.service'));
expectError(pathMatch('web@*.service'));
expectError(pathMatch(/web/, 'web.service'));

// The compiled form is a callable matcher that remembers its pattern.
const matcher = compileGlob('web@*.service');
expectType<GlobMatcher>(matcher);
expectType<boolean>(matcher('web@1.service'));
expectType<string>(matcher.pattern);
expectType<string | undefined>(matcher.literal);
expectError(matcher(1));
expectError((matcher.pattern = 'x'));

const error = new GlobSyntaxError('[a', 'unterminated character class');
expectAssignable<Error>(error);
expectType<string>(error.pattern);
expectType<string>(error.detail);

// A glob option's values: split, compiled, matched.
expectType<string[]>(splitPatterns(['a* b*']));
expectError(splitPatterns('a* b*'));

const globs = compileGlobs('Conflicts', ['db*']);
expectType<CompiledGlobs>(globs);
expectType<string | undefined>(globs.problem);
expectType<readonly string[]>(globs.patterns);
expectType<readonly GlobMatcher[]>(globs.matchers);
expectError(globs.matchers.push(matcher));
expectError(compileGlobs(['db*']));
expectType<boolean>(matchesAny(globs, 'db.service'));
expectType<boolean>(matchesAny(undefined, 'db.service'));

const match = firstMatch(globs, ['db.service']);
expectType<GlobMatch | undefined>(match);
expectType<GlobMatch | undefined>(firstMatch(undefined, []));
expectType<string>((match as GlobMatch).pattern);
expectType<string>((match as GlobMatch).name);
expectError(firstMatch(globs, 'db.service'));
