import { expectAssignable, expectError, expectType } from 'tsd';
import type { FleetPlugin, GraceMs, ResolvedUnit, UnitOptionSpec } from '@fleetd/core';
import disconnect, {
  disconnectOptions,
  graceOf,
  parseStopAfter,
  STOP_AFTER_DISCONNECT_OPTION,
  stopAfterProblem,
  unitStopAfter,
} from '@fleetd/plugin-disconnect';
import type { DisconnectOptions, ParsedStopAfter, StopAfter } from '@fleetd/plugin-disconnect';

declare const unit: ResolvedUnit;

expectType<FleetPlugin<{ stopAfter: string }>>(disconnect);
expectType<DisconnectOptions>(disconnectOptions.parse({ stopAfter: '90s' }));
expectType<ParsedStopAfter>(parseStopAfter('90s'));
expectError(parseStopAfter(90));
expectType<StopAfter | undefined>(unitStopAfter(unit));
expectType<string | undefined>(stopAfterProblem(unit));
expectType<GraceMs>(graceOf(unit, 'off', undefined));
expectType<GraceMs>(graceOf(unit, 90_000, 5_000));
expectError(graceOf(unit, '90s', undefined));

const parsed = parseStopAfter('2min');
if (parsed.ok) expectType<number | 'off'>(parsed.value);
else expectType<string>(parsed.problem);

expectAssignable<UnitOptionSpec>(STOP_AFTER_DISCONNECT_OPTION);
expectType<'StopAfterDisconnect'>(STOP_AFTER_DISCONNECT_OPTION.name);
expectError((STOP_AFTER_DISCONNECT_OPTION.name = 'StopAfterDisconnect'));
