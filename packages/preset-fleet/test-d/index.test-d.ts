import { expectError, expectType } from 'tsd';
import type { AnyFleetPlugin, PluginEntry } from '@fleetd/core';
import { fleetPlugins, fleetPreset } from '@fleetd/preset-fleet';

expectType<readonly AnyFleetPlugin[]>(fleetPlugins);
expectType<PluginEntry[]>(fleetPreset({ disable: ['conflicts'], weights: { 'least-loaded': 2 } }));
expectError(fleetPreset({ disable: 'conflicts' }));
expectError(fleetPreset({ weights: { 'least-loaded': 'high' } }));
