import { expectAssignable, expectError, expectType } from 'tsd';
import type { FleetPlugin, ResolvedUnit, UnitOptionSpec } from '@fleetd/core';
import global, { GLOBAL_OPTION, isGlobalUnit, parseGlobal, TRUE_VALUES } from '@fleetd/plugin-global';

declare const unit: ResolvedUnit;

expectType<FleetPlugin<undefined>>(global);
expectType<boolean>(parseGlobal(['true']));
expectType<boolean>(parseGlobal([]));
expectError(parseGlobal('true'));
expectType<boolean>(isGlobalUnit(unit));
expectType<boolean>(isGlobalUnit({ fleetOptions: new Map([['Global', ['yes']]]) }));
expectError(isGlobalUnit({ global: true }));
expectType<readonly string[]>(TRUE_VALUES);

// The declared option: a UnitOptionSpec whose isSet is parseGlobal.
expectAssignable<UnitOptionSpec>(GLOBAL_OPTION);
expectType<'Global'>(GLOBAL_OPTION.name);
expectType<readonly ['MachineOf', 'Replaces']>(GLOBAL_OPTION.excludes);
expectType<(values: readonly string[]) => boolean>(GLOBAL_OPTION.isSet);
expectError((GLOBAL_OPTION.name = 'Global'));
