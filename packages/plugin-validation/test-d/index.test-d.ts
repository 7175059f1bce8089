import { expectError, expectType } from 'tsd';
import type { FleetPlugin, ResolvedUnit } from '@fleetd/core';
import validation, { combinationProblem, type ValidationOptions } from '@fleetd/plugin-validation';

expectType<FleetPlugin<ValidationOptions>>(validation);
expectType<{ rejectUnknownOptions: boolean; extraOptions: string[] }>({} as ValidationOptions);
expectType<string | undefined>(combinationProblem({} as ResolvedUnit));
expectError(combinationProblem('web.service'));
