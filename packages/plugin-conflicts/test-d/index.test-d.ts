import { expectAssignable, expectError, expectType } from 'tsd';
import type { DeclaredUnitOption, FleetPlugin, PluginContext, PluginHooks, PluginMeta, ResolvedUnit, UnitOptionSpec } from '@fleetd/core';
import type { CompiledGlobs } from '@fleetd/glob';
import conflicts, { CONFLICTS_OPTION, conflictingPeerProblem, conflictOn, conflictPatterns, conflictsReasons } from '@fleetd/plugin-conflicts';
import type { ConflictsRequirement } from '@fleetd/plugin-conflicts';
import * as api from '@fleetd/plugin-conflicts';

declare const unit: ResolvedUnit;
declare const declared: DeclaredUnitOption | undefined;

// A plugin without options, declaring the [X-Fleet] option it owns.
expectType<FleetPlugin<undefined>>(conflicts);
expectType<PluginMeta>(conflicts.meta);
expectType<readonly UnitOptionSpec[] | undefined>(conflicts.meta.unitOptions);
expectType<PluginHooks>({} as Parameters<typeof conflicts.apply>[0]);
expectError(conflicts.apply({} as PluginHooks, { any: 'options' }, {} as PluginContext));
expectAssignable<UnitOptionSpec>(CONFLICTS_OPTION);
expectType<'Conflicts'>(CONFLICTS_OPTION.name);
expectType<readonly string[]>(CONFLICTS_OPTION.aliases);
expectType<readonly string[]>(CONFLICTS_OPTION.excludes);
expectError((CONFLICTS_OPTION.excludes = []));

// The glob engine lives in @fleetd/glob now; nothing of it is re-exported here.
expectError(api.pathMatch);
expectError(api.compileGlobs);

// Parsing needs only the [X-Fleet] options.
expectType<string[]>(conflictPatterns(unit));
expectType<string[]>(conflictPatterns({ fleetOptions: new Map([['Conflicts', ['db*']]]) }));
expectError(conflictPatterns({ options: [] }));

// The requirement key is typed by declaration merging, with @fleetd/glob's compiled globs.
expectType<ConflictsRequirement | undefined>(unit.requirements.conflicts);
expectAssignable<CompiledGlobs | undefined>(unit.requirements.conflicts);

// The peer rule takes MachineOf as the table declares it (or nothing when no plugin does).
expectType<string | undefined>(conflictingPeerProblem(unit, declared));
expectType<string | undefined>(conflictingPeerProblem(unit, { name: 'MachineOf', aliases: ['X-ConditionMachineOf'] }));
expectError(conflictingPeerProblem(unit, 'MachineOf'));
expectError(conflictingPeerProblem({ fleetOptions: new Map() }, declared));

expectType<string | undefined>(conflictOn(unit, { units: new Set(['db.service']) }, { unit: () => undefined }));
expectError(conflictOn(unit, { units: ['db.service'] }, { unit: () => undefined }));
expectType<string>(conflictsReasons.conflictWith('db.service'));
expectType<string>(conflictsReasons.peerMatchesOwnPattern('MachineOf', 'db.service', 'Conflicts', 'db*'));
