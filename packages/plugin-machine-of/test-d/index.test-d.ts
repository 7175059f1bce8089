import { expectAssignable, expectError, expectType } from 'tsd';
import type { FleetPlugin, PluginContext, PluginHooks, PluginMeta, ResolvedUnit, UnitOptionSpec } from '@fleetd/core';
import machineOf, { MACHINE_OF_OPTION, MAX_CYCLE_SEARCH, machineOfCycle, machineOfPeers, machineOfProblem, machineOfReasons } from '@fleetd/plugin-machine-of';
import type { MachineOfRequirement, PeerLookup } from '@fleetd/plugin-machine-of';

declare const unit: ResolvedUnit;
declare const lookup: PeerLookup;

// A plugin without options, declaring the [X-Fleet] option it owns.
expectType<FleetPlugin<undefined>>(machineOf);
expectType<PluginMeta>(machineOf.meta);
expectType<readonly UnitOptionSpec[] | undefined>(machineOf.meta.unitOptions);
expectAssignable<UnitOptionSpec>(MACHINE_OF_OPTION);
expectType<'MachineOf'>(MACHINE_OF_OPTION.name);
expectType<readonly string[]>(MACHINE_OF_OPTION.aliases);
expectError((MACHINE_OF_OPTION.name = 'Other'));
// apply gets hooks bound to the plugin (taps carry no name) and no options.
expectType<PluginHooks>({} as Parameters<typeof machineOf.apply>[0]);
expectError(machineOf.apply({} as PluginHooks, 'options', {} as PluginContext));

// Parsing needs only the [X-Fleet] options, so any tool can call it on any unit view.
expectType<MachineOfRequirement>(machineOfPeers(unit));
expectType<MachineOfRequirement>(machineOfPeers({ fleetOptions: new Map([['MachineOf', ['db.service']]]) }));
expectError(machineOfPeers({ options: [] }));
expectError(machineOfPeers(unit).push('x.service'));

// The requirement key is typed by declaration merging.
expectType<MachineOfRequirement | undefined>(unit.requirements['machine-of']);

expectType<string | undefined>(machineOfProblem(unit));
expectType<readonly string[] | undefined>(machineOfCycle(unit, lookup));
expectError(machineOfCycle({ name: 'a.service' }, lookup));
expectType<string>(machineOfReasons.waiting('db.service'));
expectType<string>(machineOfReasons.cycle(['a.service', 'b.service', 'a.service']));
expectAssignable<number>(MAX_CYCLE_SEARCH);
