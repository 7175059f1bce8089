import { expectAssignable, expectError, expectType } from 'tsd';
import type { FleetPlugin, PluginContext, PluginHooks, ResolvedUnit, UnitOptionTable } from '@fleetd/core';
import validation, {
  closestOption,
  exclusionProblem,
  MAX_SUGGESTION_DISTANCE,
  unrecognizedOption,
  validationOptions,
  validationReasons,
  type ValidationOptions,
} from '@fleetd/plugin-validation';
import * as api from '@fleetd/plugin-validation';

declare const unit: ResolvedUnit;
declare const table: UnitOptionTable;

// A plugin with one option, declaring no [X-Fleet] option of its own.
expectType<FleetPlugin<ValidationOptions>>(validation);
expectType<{ rejectUnknownOptions: boolean }>({} as ValidationOptions);
expectError<ValidationOptions>({ rejectUnknownOptions: true, extraOptions: ['Group'] });
expectType<PluginHooks>({} as Parameters<typeof validation.apply>[0]);
expectType<PluginContext>({} as Parameters<typeof validation.apply>[2]);
expectAssignable<{ '~standard': unknown }>(validationOptions);

// The option lists of earlier versions are gone: the table of declared options replaces them.
expectError(api.KNOWN_FLEET_OPTIONS);
expectError(api.EXCLUSIONS);
expectError(api.combinationProblem);

// The checks read any unit view and the table of declared options.
expectType<string | undefined>(unrecognizedOption(unit, table));
expectType<string | undefined>(unrecognizedOption({ fleetOptions: new Map([['Zone', ['a']]]) }, table));
expectError(unrecognizedOption(unit, new Set(['MachineID'])));
expectType<string | undefined>(closestOption('MachinID', table));
expectError(closestOption('MachinID', ['MachineID']));
expectType<string | undefined>(exclusionProblem(unit, table));
expectError(exclusionProblem('web.service', table));
expectAssignable<number>(MAX_SUGGESTION_DISTANCE);

expectType<string>(validationReasons.unrecognized('Zone'));
expectType<string>(validationReasons.unrecognized('Grop', 'Group'));
expectType<string>(validationReasons.cannotCombine('MachineID', 'Global'));
