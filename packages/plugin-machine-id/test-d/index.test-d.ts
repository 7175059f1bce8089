import { expectAssignable, expectError, expectNotAssignable, expectType } from 'tsd';
import type { FleetPlugin, MachineView, ResolvedUnit, UnitOptionSpec } from '@fleetd/core';
import machineId, { MACHINE_ID_OPTION, machineIdRequirement, resolveMachineId, SHORT_ID_LENGTH } from '@fleetd/plugin-machine-id';
import type { MachineIdOption, MachineIdRequirement, MachineIdResolution } from '@fleetd/plugin-machine-id';

declare const unit: ResolvedUnit;
declare const cluster: { machine(id: string): MachineView | undefined; machinesByIdPrefix(prefix: string): readonly MachineView[] };

expectType<FleetPlugin<undefined>>(machineId);
expectType<8>(SHORT_ID_LENGTH);
expectType<MachineIdRequirement | undefined>(machineIdRequirement(unit));
expectType<MachineIdRequirement | undefined>(machineIdRequirement({ fleetOptions: new Map([['MachineID', ['m1']]]) }));
expectError(machineIdRequirement({ options: new Map() }));

// The requirement is typed on unit.requirements by declaration merging.
expectType<MachineIdRequirement | undefined>(unit.requirements['machine-id']);
expectType<MachineIdOption>(machineIdRequirement(unit)!.option);
expectType<'MachineID' | 'X-ConditionMachineID' | 'X-ConditionMachineBootID'>(machineIdRequirement(unit)!.option);
expectNotAssignable<MachineIdOption>('X-ConditionMachineMetadata');

// The declared option is a UnitOptionSpec whose spellings are literal types.
expectAssignable<UnitOptionSpec>(MACHINE_ID_OPTION);
expectType<'MachineID'>(MACHINE_ID_OPTION.name);
expectType<readonly ['X-ConditionMachineID', 'X-ConditionMachineBootID']>(MACHINE_ID_OPTION.aliases);
expectError((MACHINE_ID_OPTION.name = 'MachineID'));

const resolution = resolveMachineId('abcdef12', cluster);
expectType<MachineIdResolution<MachineView>>(resolution);
if (resolution.kind === 'exact' || resolution.kind === 'short') expectType<MachineView>(resolution.machine);
if (resolution.kind === 'ambiguous') expectType<number>(resolution.matches);
expectError(resolution.machine);
expectError(resolveMachineId('m1', { machine: (id: string) => ({ id }) }));
