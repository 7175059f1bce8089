import { expectAssignable, expectError, expectNotAssignable, expectType } from 'tsd';
import type { FleetPlugin, ResolvedUnit, UnitOptionSpec, UnitRequirements } from '@fleetd/core';
import zoneSpread, {
  GROUP_OPTION,
  groupOf,
  zoneFullReason,
  type ZoneSpreadOptions,
  type ZoneSpreadOptionsInput,
  type ZoneSpreadRequirement,
} from 'fleetd-plugin-zone-spread';

// What apply receives: the key always set (default `zone`), the limit optional.
expectType<FleetPlugin<ZoneSpreadOptions>>(zoneSpread);
expectType<{ key: string; maxPerZone?: number | undefined }>({} as ZoneSpreadOptions);

// What a config may write: every field optional, each with its own type.
expectAssignable<ZoneSpreadOptionsInput>({});
expectAssignable<ZoneSpreadOptionsInput>({ key: 'rack' });
expectAssignable<ZoneSpreadOptionsInput>({ key: 'zone', maxPerZone: 2 });
expectNotAssignable<ZoneSpreadOptionsInput>({ key: 3 });
expectNotAssignable<ZoneSpreadOptionsInput>({ maxPerZone: '2' });

// The requirement key is typed by declaration merging on UnitRequirements.
expectType<ZoneSpreadRequirement | undefined>({} as UnitRequirements['zone-spread']);
expectType<'option' | 'template'>({} as ZoneSpreadRequirement['source']);

// The declared option: a UnitOptionSpec named Group, without aliases or exclusions.
expectAssignable<UnitOptionSpec>(GROUP_OPTION);
expectType<'Group'>(GROUP_OPTION.name);
expectError(GROUP_OPTION.aliases);
expectNotAssignable<string>(GROUP_OPTION);
expectType<ZoneSpreadRequirement | undefined>(groupOf({} as ResolvedUnit));
expectError(groupOf('web@1.service'));
expectType<string>(zoneFullReason('zone', undefined, 2, 'web', 2));
