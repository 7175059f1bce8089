import type { ResolvedUnit } from '@fleetd/core';
import { fleetOptionValues } from '@fleetd/core';

/** An [X-Fleet] option under its current name and fleet's legacy spelling. */
export interface FleetOption {
  readonly name: string;
  readonly legacy: string;
}

export const FLEET_OPTIONS = {
  machineId: { name: 'MachineID', legacy: 'X-ConditionMachineID' },
  machineOf: { name: 'MachineOf', legacy: 'X-ConditionMachineOf' },
  metadata: { name: 'MachineMetadata', legacy: 'X-ConditionMachineMetadata' },
  conflicts: { name: 'Conflicts', legacy: 'X-Conflicts' },
  global: { name: 'Global', legacy: 'Global' },
  replaces: { name: 'Replaces', legacy: 'Replaces' },
} as const satisfies Record<string, FleetOption>;

/** Every [X-Fleet] key fleet understood (fleet refused others with "unrecognized requirement"). */
export const KNOWN_FLEET_OPTIONS: readonly string[] = [
  ...new Set(Object.values(FLEET_OPTIONS).flatMap((option) => [option.name, option.legacy])),
  'X-ConditionMachineBootID',
];

export function optionValues(unit: Pick<ResolvedUnit, 'fleetOptions'>, option: FleetOption): readonly string[] {
  return option.name === option.legacy ? fleetOptionValues(unit, option.name) : fleetOptionValues(unit, option.name, option.legacy);
}

/** The spelling the unit used, for messages that quote the user's own words. */
export function spelledAs(unit: Pick<ResolvedUnit, 'fleetOptions'>, option: FleetOption): string {
  return unit.fleetOptions.has(option.name) ? option.name : option.legacy;
}

/** Whitespace-separated words of every value: Conflicts and Replaces list several globs per line. */
export function words(values: readonly string[]): string[] {
  return values.flatMap((value) => value.split(/\s+/).filter((word) => word !== ''));
}
