import { expectAssignable, expectError, expectType } from 'tsd';
import type { FleetPlugin, UnitNameInfo } from '@fleetd/core';
import specifiers, { expandFleetOptions, expandSpecifiers } from '@fleetd/plugin-specifiers';
import type { SpecifierNameInfo } from '@fleetd/plugin-specifiers';

declare const nameInfo: UnitNameInfo;

expectType<FleetPlugin<undefined>>(specifiers);
expectType<string>(expandSpecifiers('%p.socket', nameInfo));
expectType<string>(expandSpecifiers('%i', { name: 'a@b.service', prefix: 'a', instance: 'b' }));
expectType<string>(expandSpecifiers('%i', { name: 'a.service', prefix: 'a', instance: undefined }));
expectError(expandSpecifiers('%i', { name: 'a.service' }));
expectError(expandSpecifiers('%i', 'a.service'));
expectAssignable<SpecifierNameInfo>(nameInfo);
expectType<ReadonlyMap<string, readonly string[]>>(expandFleetOptions(new Map([['MachineOf', ['%p.socket']]]), nameInfo));
