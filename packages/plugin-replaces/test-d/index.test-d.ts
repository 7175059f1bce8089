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
  REPLACES_OPTION,
  replacedOn,
  replacedPeerProblem,
  replacePatterns,
  replacesCycle,
  replacesReasons,
  replacesRequirement,
  replacesUnit,
  replaceTargets,
} from '@fleetd/plugin-replaces';
import type { ReplacesRequirement, ReplaceTargets } from '@fleetd/plugin-replaces';

declare const unit: ResolvedUnit;
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
expectAssignable<CompiledGlobs | undefined>(unit.requirements.replaces);

// The peer rule takes MachineOf as the table declares it (or nothing when no plugin does).
expectType<string | undefined>(replacedPeerProblem(unit, declared));
expectType<string | undefined>(replacedPeerProblem(unit, { name: 'MachineOf' }));
expectError(replacedPeerProblem(unit, 'MachineOf'));

expectType<boolean>(replacesUnit(unit, 'old.service'));
expectType<boolean>(replacesUnit({ name: 'new.service', requirements: {} }, 'old.service'));
expectError(replacesUnit({ name: 'new.service' }, 'old.service'));

expectType<string | undefined>(replacedOn(unit, { units: new Set(['new.service']) }, cluster));
expectError(replacedOn(unit, { units: ['new.service'] }, cluster));

const targets = replaceTargets(unit, cluster);
expectType<ReplaceTargets>(targets);
expectType<string | undefined>(targets.first);
expectType<ReadonlyMap<MachineView, string>>(targets.machines);
expectError(targets.machines.set(cluster.machines[0] as MachineView, 'x'));

expectType<string | undefined>(replacesCycle(unit, cluster));
expectType<string | undefined>(replacesCycle(unit, cluster, new Set(['a.service'])));
expectError(replacesCycle(unit, cluster, 'a.service'.length));

expectType<string>(replacesReasons.replacedBy('new.service'));
expectType<string>(replacesReasons.takesMachineOf('old.service'));
expectType<string>(replacesReasons.cycleWith('a.service'));
expectType<string>(replacesReasons.peerMatchesOwnPattern('MachineOf', 'db.service', 'Replaces', 'db*'));
expectAssignable<number>(MAX_CYCLE_SEARCH);
