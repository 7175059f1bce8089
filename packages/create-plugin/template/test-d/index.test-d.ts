import { expectAssignable, expectNotAssignable, expectType } from 'tsd';
import type { FleetPlugin } from '@fleetd/core';
import plugin, { fullReason } from '{{packageName}}';
import type { Options } from '{{packageName}}';

// The options type users write and the one apply receives are part of the plugin's API.
expectType<FleetPlugin<{ maxUnits: number }>>(plugin);
expectAssignable<Options>({});
expectAssignable<Options>({ maxUnits: 3 });
expectNotAssignable<Options>({ maxUnits: '3' });
expectType<string | undefined>(fullReason(1, 2));
