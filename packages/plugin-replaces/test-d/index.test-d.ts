import { expectAssignable, expectError, expectType } from 'tsd';
import type {
  ClusterView,
  DeclaredUnitOption,
  FleetPlugin,
  MachineView,
  PluginContext,
  PluginHooks,
  PluginMeta,
  ResolvedUnit,
  UnitOptionSpec,
} from '@fleetd/core';
import type { CompiledGlobs } from '@fleetd/glob';
import replaces, {
  MAX_CYCLE_SEARCH,
  pushedOn,
  pushLoops,
  REPLACES_OPTION,
  REPLACES_PENALTY,
  replacedOn,
  replacedPeerProblem,
  replacePatterns,
  replacesCycleMembers,
  replacesOneWay,
  replacesReasons,
  replacesRequirement,
  replacesScore,
  replacesUnit,
  replacesVerdict,
  wouldPush,
} from '@fleetd/plugin-replaces';
import type { MachineOfOption, ReplacesLookup, ReplacesRequirement, ReplacingUnit } from '@fleetd/plugin-replaces';

declare const unit: ResolvedUnit;
declare const other: ResolvedUnit;
declare const machine: MachineView;
declare const cluster: ClusterView;
declare const declared: DeclaredUnitOption | undefined;

// A plugin without options, declaring the [X-Fleet] option it owns.
expectType<FleetPlugin<undefined>>(replaces);
expectType<PluginMeta>(replaces.meta);
expectType<readonly UnitOptionSpec[] | undefined>(replaces.meta.unitOptions);
expectType<PluginHooks>({} as Parameters<typeof replaces.apply>[0]);
expectError(replaces.apply({} as PluginHooks, { any: 'options' }, {} as PluginContext));
expectAssignable<UnitOptionSpec>(REPLACES_OPTION);
expectType<'Replaces'>(REPLACES_OPTION.name);
expectError((REPLACES_OPTION.name = 'Other'));

// Parsing needs only the [X-Fleet] options.
expectType<string[]>(replacePatterns(unit));
expectType<string[]>(replacePatterns({ fleetOptions: new Map([['Replaces', ['old.service']]]) }));
expectError(replacePatterns({ options: [] }));
expectType<ReplacesRequirement | undefined>(replacesRequirement(unit));

// The requirement key is typed by declaration merging, with @fleetd/glob's compiled globs.
expectType<ReplacesRequirement | undefined>(unit.requirements.replaces);
expectType<true | undefined>(unit.requirements.replacesFollows);
expectAssignable<CompiledGlobs | undefined>(unit.requirements.replaces);

// The peer rule takes MachineOf as the table declares it (or nothing when no plugin does).
expectType<string | undefined>(replacedPeerProblem(unit, declared));
expectType<string | undefined>(replacedPeerProblem(unit, { name: 'MachineOf' }));
expectError(replacedPeerProblem(unit, 'MachineOf'));

// The relation reads names and compiled globs only.
expectType<boolean>(replacesUnit(unit, 'old.service'));
expectType<boolean>(replacesUnit({ name: 'new.service', requirements: {} }, 'old.service'));
expectError(replacesUnit({ name: 'new.service' }, 'old.service'));
expectType<boolean>(replacesOneWay(unit, other));
expectError(replacesOneWay(unit, 'old.service'));
expectAssignable<ReplacingUnit>(unit);

// Per-machine rules take a machine's units; the index of units with Replaces is optional.
expectAssignable<ReplacesLookup>(cluster);
expectType<string | undefined>(replacesVerdict(unit, machine, cluster));
expectType<string | undefined>(replacesVerdict(unit, { units: new Set(['new.service']) }, cluster, cluster.unitsWithRequirement('replaces')));
expectError(replacesVerdict(unit, { units: ['new.service'] }, cluster));
expectType<string | undefined>(replacedOn(unit, machine, cluster));
expectType<string | undefined>(pushedOn(unit, machine, cluster, new Set(['a.service'])));
expectType<boolean>(wouldPush(unit, 'old.service', cluster));
expectError(wouldPush(unit, other, cluster));
expectType<number>(replacesScore(unit, machine, cluster));
expectType<string[]>(replacesCycleMembers(unit, cluster));
expectType<string[]>(replacesCycleMembers(unit, cluster, new Set(['a.service'])));
expectError(replacesCycleMembers(unit, cluster, ['a.service']));

expectType<string>(replacesReasons.replacedBy('new.service'));
expectType<string>(replacesReasons.onCycleWith('a.service'));
expectType<string>(replacesReasons.pushLoop(['web-1.service', 'web-2.service', 'web-3.service']));

// The push-loop search takes MachineOf as the table declares it (or nothing), and the index of units with Replaces.
expectAssignable<MachineOfOption | undefined>(declared);
expectType<ReadonlyMap<string, readonly string[]>>(pushLoops(unit, cluster, declared, cluster.unitsWithRequirement('replaces')));
expectType<ReadonlyMap<string, readonly string[]>>(pushLoops(unit, cluster, { name: 'MachineOf', aliases: ['X-ConditionMachineOf'] }, new Set<string>()));
expectError(pushLoops(unit, cluster, 'MachineOf', new Set<string>()));
expectError(pushLoops(unit, cluster, declared));
expectType<string>(replacesReasons.peerMatchesOwnPattern('MachineOf', 'db.service', 'Replaces', 'db*'));
expectError(replacesReasons.takesMachineOf('old.service'));
expectAssignable<number>(MAX_CYCLE_SEARCH);
expectAssignable<number>(REPLACES_PENALTY);
