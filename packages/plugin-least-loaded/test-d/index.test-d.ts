import { expectError, expectType } from 'tsd';
import type { FleetPlugin } from '@fleetd/core';
import leastLoaded, { loadScore } from '@fleetd/plugin-least-loaded';

expectType<FleetPlugin<undefined>>(leastLoaded);
expectType<number>(loadScore({ load: 3 }));
expectError(loadScore({ units: 3 }));
