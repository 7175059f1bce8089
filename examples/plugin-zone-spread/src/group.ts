import { unitOptionValues } from '@fleetd/core';
import type { ResolvedUnit, UnitOptionSpec } from '@fleetd/core';

/**
 * The `[X-Fleet]` option naming a unit's group, declared in the plugin's
 * `meta.unitOptions`: fleet never had it, and the validation plugin refuses
 * options no assembled plugin declares.
 */
export const GROUP_OPTION = Object.freeze({
  name: 'Group',
  description: "the group whose units are spread across zones (default: an instance's template prefix)",
}) satisfies UnitOptionSpec;

/** Where a unit's group came from: its `Group=` option, or its template (`web@1.service` → `web`). */
export type GroupSource = 'option' | 'template';

/** `unit.requirements['zone-spread']`: the unit's group, derived once per unit version. */
export interface ZoneSpreadRequirement {
  readonly group: string;
  readonly source: GroupSource;
}

declare module '@fleetd/core' {
  interface UnitRequirements {
    /** Set by the zone-spread plugin only for units that belong to a group. */
    readonly 'zone-spread'?: ZoneSpreadRequirement;
  }
}

/** The last `Group=` value, trimmed: a later assignment overrides an earlier one, as in systemd. */
export function groupOption(unit: Pick<ResolvedUnit, 'fleetOptions'>): string | undefined {
  return unitOptionValues(unit, GROUP_OPTION).at(-1)?.trim();
}

/**
 * A unit's group: `Group=` when given, else the template prefix of an
 * instance, else none (the unit is not spread). Templates themselves are
 * never placed, so they have no group.
 */
export function groupOf(unit: Pick<ResolvedUnit, 'fleetOptions' | 'nameInfo'>): ZoneSpreadRequirement | undefined {
  if (unit.nameInfo.isTemplate) return undefined;
  const option = groupOption(unit);
  if (option !== undefined && option !== '') return { group: option, source: 'option' };
  if (unit.nameInfo.isInstance) return { group: unit.nameInfo.prefix, source: 'template' };
  return undefined;
}

/** A problem with the unit's `Group=` option, refused at submit; undefined when it is fine or absent. */
export function groupProblem(unit: Pick<ResolvedUnit, 'fleetOptions'>): string | undefined {
  return groupOption(unit) === '' ? `${GROUP_OPTION.name}= needs a group name` : undefined;
}
