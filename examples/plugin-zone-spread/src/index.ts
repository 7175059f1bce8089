import { createRequire } from 'node:module';
import { definePlugin, Stage, withRequirements } from '@fleetd/core';
import type { ResolvedUnit } from '@fleetd/core';
import { GROUP_OPTION, groupOf, groupProblem } from './group.js';
import { zoneSpreadOptions } from './options.js';
import { groupCountInZone, REQUIREMENT, zoneFullReason, zoneOf } from './zones.js';

export { GROUP_OPTION, groupOf, groupOption, groupProblem } from './group.js';
export type { GroupSource, ZoneSpreadRequirement } from './group.js';
export { DEFAULT_KEY, zoneSpreadOptions } from './options.js';
export type { ZoneSpreadOptions, ZoneSpreadOptionsInput } from './options.js';
export { describeZone, groupCountInZone, zoneFullReason, zoneOf } from './zones.js';

// The core range is the package's peer range, so that it follows the releases (one place to change).
const { version, peerDependencies } = createRequire(import.meta.url)('../package.json') as { version: string; peerDependencies: { '@fleetd/core': string } };

/** The group a global unit names with `Group=`, which spreading ignores. */
function ignoredGroup(unit: ResolvedUnit): string | undefined {
  const requirement = unit.requirements[REQUIREMENT];
  return unit.global && requirement?.source === 'option' ? requirement.group : undefined;
}

/** The plugin's name: its config key, its requirement key, and how fleetd names it in reasons and logs. */
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
  meta: { name: PLUGIN_NAME, version, core: peerDependencies['@fleetd/core'], unitOptions: [GROUP_OPTION] },
  options: zoneSpreadOptions,
  apply(hooks, { key, maxPerZone }, { logger }) {
    // The default stage runs after the specifiers plugin (PREPARE), so `Group=%p` is already expanded.
    hooks.resolveUnit.tap((unit) => {
      const group = groupOf(unit);
      return group === undefined ? unit : withRequirements(unit, { [REQUIREMENT]: group });
    });

    hooks.validateUnit.tap((unit) => {
      // Accepted, but a global unit is neither limited nor counted: tell whoever wrote Group= that it does nothing.
      const ignored = ignoredGroup(unit);
      if (ignored !== undefined) {
        logger.warn(`unit ${unit.name}: ${GROUP_OPTION.name}=${ignored} has no effect on a global unit, which runs on every eligible machine`, {
          unit: unit.name,
          group: ignored,
        });
      }
      return groupProblem(unit);
    });

    if (maxPerZone !== undefined) {
      // LATE: counting visits every grouped unit, so let the cheap exact checks reject first.
      hooks.filter.tap({ stage: Stage.LATE }, (unit, machine, cluster) => {
        const group = unit.requirements[REQUIREMENT]?.group;
        if (group === undefined || unit.global) return undefined;
        const zone = zoneOf(machine, key);
        const count = groupCountInZone(unit, group, zone, key, cluster);
        return count >= maxPerZone ? zoneFullReason(key, zone, count, group, maxPerZone) : undefined;
      });
    }

    hooks.score.tap((unit, machine, cluster) => {
      const group = unit.requirements[REQUIREMENT]?.group;
      if (group === undefined || unit.global) return 0;
      return -groupCountInZone(unit, group, zoneOf(machine, key), key, cluster);
    });
  },
});
