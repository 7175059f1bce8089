import type { ResolvedUnit } from '@fleetd/core';
import { pathMatch } from '@fleetd/plugin-conflicts';
import { parseGlobal } from '@fleetd/plugin-global';
import { FLEET_OPTIONS, optionValues, spelledAs, words } from './options.js';
import type { FleetOption } from './options.js';

type Present = (unit: ResolvedUnit) => boolean;

const has =
  (option: FleetOption): Present =>
  (unit) =>
    optionValues(unit, option).length > 0;
const isGlobal: Present = (unit) => parseGlobal(optionValues(unit, FLEET_OPTIONS.global));

interface Exclusion {
  readonly option: FleetOption;
  readonly present: Present;
  readonly excludes: readonly { readonly option: FleetOption; readonly present: Present }[];
}

const entry = (option: FleetOption, present: Present = has(option)) => ({ option, present });

/** fleet's invalid combinations: a pinned unit takes no other placement rule, a global one no peer. */
export const EXCLUSIONS: readonly Exclusion[] = [
  {
    ...entry(FLEET_OPTIONS.machineId),
    excludes: [entry(FLEET_OPTIONS.machineOf), entry(FLEET_OPTIONS.conflicts), entry(FLEET_OPTIONS.global, isGlobal), entry(FLEET_OPTIONS.replaces)],
  },
  { ...entry(FLEET_OPTIONS.global, isGlobal), excludes: [entry(FLEET_OPTIONS.machineOf), entry(FLEET_OPTIONS.replaces)] },
  { ...entry(FLEET_OPTIONS.conflicts), excludes: [entry(FLEET_OPTIONS.replaces)] },
];

/** The first invalid combination of options in `unit`, as a sentence naming both options. */
export function combinationProblem(unit: ResolvedUnit): string | undefined {
  for (const rule of EXCLUSIONS) {
    if (!rule.present(unit)) continue;
    const clash = rule.excludes.find((other) => other.present(unit));
    if (clash !== undefined) {
      return `${spelledAs(unit, rule.option)} cannot be combined with ${spelledAs(unit, clash.option)}`;
    }
  }
  return undefined;
}

/** A MachineOf peer the unit also conflicts with or replaces can never be satisfied. */
export function peerProblem(unit: ResolvedUnit): string | undefined {
  const peers = words(optionValues(unit, FLEET_OPTIONS.machineOf));
  for (const option of [FLEET_OPTIONS.conflicts, FLEET_OPTIONS.replaces]) {
    for (const pattern of words(optionValues(unit, option))) {
      const peer = peers.find((name) => safeMatch(pattern, name));
      if (peer !== undefined) {
        return `${spelledAs(unit, FLEET_OPTIONS.machineOf)} peer ${peer} matches the unit's own ${spelledAs(unit, option)} pattern ${pattern}`;
      }
    }
  }
  return undefined;
}

/** A malformed glob is the conflicts plugin's to report; here it simply matches nothing. */
function safeMatch(pattern: string, name: string): boolean {
  try {
    return pathMatch(pattern, name);
  } catch {
    return false;
  }
}
