import { expectError, expectType } from 'tsd';
import type { FleetPlugin, ResolvedUnit } from '@fleetd/core';
import global, { isGlobalUnit, parseGlobal, TRUE_VALUES } from '@fleetd/plugin-global';

declare const unit: ResolvedUnit;

expectType<FleetPlugin<undefined>>(global);
expectType<boolean>(parseGlobal(['true']));
expectType<boolean>(parseGlobal([]));
expectError(parseGlobal('true'));
expectType<boolean>(isGlobalUnit(unit));
expectType<boolean>(isGlobalUnit({ fleetOptions: new Map([['Global', ['yes']]]) }));
expectError(isGlobalUnit({ global: true }));
expectType<readonly string[]>(TRUE_VALUES);
