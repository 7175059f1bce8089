import { createRequire } from 'node:module';
import { definePlugin, Stage, withRequirements } from '@fleetd/core';
import { groupOf, groupProblem } from './group.js';
import { zoneSpreadOptions } from './options.js';
import { groupCountInZone, REQUIREMENT, zoneFullReason, zoneOf } from './zones.js';

export { GROUP_OPTION, groupOf, groupOption, groupProblem } from './group.js';
export type { GroupSource, ZoneSpreadRequirement } from './group.js';
export { DEFAULT_KEY, zoneSpreadOptions } from './options.js';
export type { ZoneSpreadOptions, ZoneSpreadOptionsInput } from './options.js';
export { describeZone, groupCountInZone, zoneFullReason, zoneOf } from './zones.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** The plugin's name: its tap name, its config key and its requirement key. */
export const PLUGIN_NAME = REQUIREMENT;

/**
 * Spreads the units of a group across the values of a machine metadata key:
 * a machine scores minus the number of the group's units already running in
 * its zone, so the emptiest zone wins; with `maxPerZone`, a full zone is
 * filtered out with a reason. Units without a group are left alone.
 *
 * No `narrow` tap: a full zone is usually a minority of the machines, and
 * narrowing only pays when it rules out most of them.
 */
export default definePlugin({
  meta: { name: PLUGIN_NAME, version, core: '^0.1.0' },
  options: zoneSpreadOptions,
  apply(hooks, { key, maxPerZone }) {
    // DEFAULT runs after the specifiers plugin (PREPARE), so `Group=%p` is already expanded.
    hooks.resolveUnit.tap({ name: PLUGIN_NAME, stage: Stage.DEFAULT }, (unit) => {
      const group = groupOf(unit);
      return group === undefined ? unit : withRequirements(unit, { [REQUIREMENT]: group });
    });

    hooks.validateUnit.tap({ name: PLUGIN_NAME, stage: Stage.DEFAULT }, (unit) => groupProblem(unit));

    if (maxPerZone !== undefined) {
      // LATE: counting visits every grouped unit, so let the cheap exact checks reject first.
      hooks.filter.tap({ name: PLUGIN_NAME, stage: Stage.LATE }, (unit, machine, cluster) => {
        const group = unit.requirements[REQUIREMENT]?.group;
        if (group === undefined || unit.global) return undefined;
        const zone = zoneOf(machine, key);
        const count = groupCountInZone(unit, group, zone, key, cluster);
        return count >= maxPerZone ? zoneFullReason(key, zone, count, group, maxPerZone) : undefined;
      });
    }

    hooks.score.tap({ name: PLUGIN_NAME, stage: Stage.DEFAULT }, (unit, machine, cluster) => {
      const group = unit.requirements[REQUIREMENT]?.group;
      if (group === undefined || unit.global) return 0;
      return -groupCountInZone(unit, group, zoneOf(machine, key), key, cluster);
    });
  },
});
