import { setsUnitOption, unitOptionSpelling } from '@fleetd/core';
import type { ResolvedUnit, UnitOptionTable } from '@fleetd/core';
import { validationReasons } from './reasons.js';

/**
 * The first combination the unit sets that a declared option `excludes`, as
 * a problem naming both options as the unit spells them; undefined when there
 * is none. Declared options are gone through in table order (plugin order,
 * then declaration order), and each one's `excludes` in the order its owner
 * wrote them. An option counts as set by `setsUnitOption` (its `isSet`, or a
 * value: `Global=false` sets nothing). An excluded option no assembled plugin
 * declares means nothing to the cluster, so it excludes nothing.
 */
export function exclusionProblem(unit: Pick<ResolvedUnit, 'fleetOptions'>, table: Pick<UnitOptionTable, 'options' | 'get'>): string | undefined {
  for (const option of table.options) {
    if (option.excludes === undefined || option.excludes.length === 0 || !setsUnitOption(unit, option)) continue;
    for (const name of option.excludes) {
      const excluded = table.get(name);
      if (excluded !== undefined && excluded !== option && setsUnitOption(unit, excluded)) {
        return validationReasons.cannotCombine(unitOptionSpelling(unit, option), unitOptionSpelling(unit, excluded));
      }
    }
  }
  return undefined;
}
