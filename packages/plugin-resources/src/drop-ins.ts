import type { ResolvedUnit, UnitDropIn } from '@fleetd/core';
import { CGROUP_SECTIONS } from './requests.js';
import type { ResourcesRequirement } from './requests.js';

/** The drop-in's file name in the unit's `.d` directory. */
export const DROP_IN_NAME = 'resources.conf';

/** systemd's `CPUQuota=` for a number of cores: whole percent (0.5 → 50%), at least 1%. */
export function cpuQuota(cores: number): string {
  return `${Math.max(1, Math.round(cores * 100))}%`;
}

/**
 * The drop-in that makes systemd hold the unit to what it requested in
 * `[X-Fleet]`: `MemoryMax=<bytes>` and `CPUQuota=<percent>%` in its type's
 * section. Undefined when it requested neither there (a request taken from
 * the unit's own directives is already its limit), or when its type has no
 * resource control (a timer, a target).
 */
export function resourceDropIn(unit: Pick<ResolvedUnit, 'nameInfo'>, requirement: Pick<ResourcesRequirement, 'requests'> | undefined): UnitDropIn | undefined {
  const section = CGROUP_SECTIONS[unit.nameInfo.type];
  if (section === undefined || requirement === undefined) return undefined;
  const fromXFleet = (resource: string) => requirement.requests.find((request) => request.resource === resource && request.source === 'x-fleet');
  const memory = fromXFleet('memory');
  const cpu = fromXFleet('cpu');
  const lines = [...(memory === undefined ? [] : [`MemoryMax=${memory.amount}`]), ...(cpu === undefined ? [] : [`CPUQuota=${cpuQuota(cpu.amount)}`])];
  if (lines.length === 0) return undefined;
  return Object.freeze({ name: DROP_IN_NAME, text: `[${section}]\n${lines.join('\n')}\n` });
}
