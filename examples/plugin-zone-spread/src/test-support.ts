// Shared by the tests only (excluded from the build): the cluster every test
// schedules on, written once so tables only say what differs.
import type { PluginEntry } from '@fleetd/core';
import type { TestMachine, TestUnit } from '@fleetd/core/testing';
import { fleetPreset } from '@fleetd/preset-fleet';
import zoneSpread from './index.js';
import type { ZoneSpreadOptionsInput } from './index.js';

export const service = '[Service]\nExecStart=/bin/true\n';

/** A unit file with an [X-Fleet] section made of `lines`. */
export function unitWith(...lines: string[]): string {
  return `${service}\n[X-Fleet]\n${lines.join('\n')}\n`;
}

/** fleet's plugins, then zone-spread (which declares `Group`, so the validation plugin accepts it). */
export function plugins(options?: ZoneSpreadOptionsInput, weight?: number): PluginEntry[] {
  return fleetPreset({ add: [{ plugin: zoneSpread, options, ...(weight === undefined ? {} : { weight }) }] });
}

/** Machines from `id: zone` pairs; an undefined zone is a machine without the key. */
export function machinesIn(zones: Readonly<Record<string, string | undefined>>, key = 'zone'): TestMachine[] {
  return Object.entries(zones).map(([id, zone]) => ({ id, metadata: zone === undefined ? {} : { [key]: zone } }));
}

/** Template `name@.service` (submitted only, as templates are) plus `count` instances of it. */
export function instances(name: string, count: number, template = service): Record<string, TestUnit> {
  const units: Record<string, TestUnit> = { [`${name}@.service`]: { contents: template, desiredState: 'inactive' } };
  for (let i = 1; i <= count; i++) units[`${name}@${i}.service`] = template;
  return units;
}
