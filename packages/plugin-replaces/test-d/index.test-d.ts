import { expectAssignable, expectError, expectType } from 'tsd';
import type { ClusterView, FleetPlugin, MachineView, ResolvedUnit } from '@fleetd/core';
import replaces, {
  MAX_CYCLE_SEARCH,
  REPLACES_OPTIONS,
  replacedOn,
  replacePatterns,
  replacesCycle,
  replacesReasons,
  replacesRequirement,
  replacesUnit,
  replaceTargets,
} from '@fleetd/plugin-replaces';
import type { ReplacesRequirement, ReplaceTargets } from '@fleetd/plugin-replaces';
import type { CompiledGlobs } from '@fleetd/plugin-conflicts';

declare const unit: ResolvedUnit;
declare const cluster: ClusterView;

expectType<FleetPlugin<undefined>>(replaces);

// Parsing needs only the [X-Fleet] options.
expectType<string[]>(replacePatterns(unit));
expectType<string[]>(replacePatterns({ fleetOptions: new Map([['Replaces', ['old.service']]]) }));
expectError(replacePatterns({ options: [] }));
expectType<ReplacesRequirement | undefined>(replacesRequirement(unit));

// The requirement key is typed by declaration merging, with the conflicts plugin's compiled globs.
expectType<ReplacesRequirement | undefined>(unit.requirements.replaces);
expectAssignable<CompiledGlobs | undefined>(unit.requirements.replaces);

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
expectAssignable<readonly string[]>(REPLACES_OPTIONS);
expectAssignable<number>(MAX_CYCLE_SEARCH);
