import { expectAssignable, expectError, expectType } from 'tsd';
import type { FleetPlugin, ResolvedUnit } from '@fleetd/core';
import machineOf, {
  MACHINE_OF_OPTIONS,
  MAX_CYCLE_SEARCH,
  machineOfCycle,
  machineOfPeers,
  machineOfProblem,
  machineOfReasons,
} from '@fleetd/plugin-machine-of';
import type { MachineOfRequirement, PeerLookup } from '@fleetd/plugin-machine-of';

declare const unit: ResolvedUnit;
declare const lookup: PeerLookup;

expectType<FleetPlugin<undefined>>(machineOf);

// Parsing needs only the [X-Fleet] options, so a validation plugin can call it on any unit view.
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
expectAssignable<readonly string[]>(MACHINE_OF_OPTIONS);
expectAssignable<number>(MAX_CYCLE_SEARCH);
