import { expectAssignable, expectError, expectType } from 'tsd';
import type { FleetPlugin, ResolvedUnit } from '@fleetd/core';
import conflicts, {
  CONFLICTS_OPTIONS,
  compileGlob,
  compileGlobs,
  conflictOn,
  conflictPatterns,
  conflictsReasons,
  GlobSyntaxError,
  matchesAny,
  pathMatch,
  splitPatterns,
} from '@fleetd/plugin-conflicts';
import type { CompiledGlobs, ConflictsRequirement, GlobMatcher } from '@fleetd/plugin-conflicts';

declare const unit: ResolvedUnit;

expectType<FleetPlugin<undefined>>(conflicts);

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

// Parsing needs only the [X-Fleet] options.
expectType<string[]>(conflictPatterns(unit));
expectType<string[]>(conflictPatterns({ fleetOptions: new Map([['Conflicts', ['db*']]]) }));
expectError(conflictPatterns({ options: [] }));
expectType<string[]>(splitPatterns(['a* b*']));

const globs = compileGlobs('Conflicts', ['db*']);
expectType<CompiledGlobs>(globs);
expectType<string | undefined>(globs.problem);
expectType<readonly GlobMatcher[]>(globs.matchers);
expectError(globs.matchers.push(matcher));
expectType<boolean>(matchesAny(globs, 'db.service'));
expectType<boolean>(matchesAny(undefined, 'db.service'));

// The requirement key is typed by declaration merging.
expectType<ConflictsRequirement | undefined>(unit.requirements.conflicts);

expectType<string | undefined>(conflictOn(unit, { units: new Set(['db.service']) }, { unit: () => undefined }));
expectError(conflictOn(unit, { units: ['db.service'] }, { unit: () => undefined }));
expectType<string>(conflictsReasons.conflictWith('db.service'));
expectAssignable<readonly string[]>(CONFLICTS_OPTIONS);
