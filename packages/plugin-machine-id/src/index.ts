import { createRequire } from 'node:module';
import { definePlugin, Stage, withRequirements } from '@fleetd/core';
import type { ResolvedUnit, UnitOptionSpec } from '@fleetd/core';

// The core range is the package's peer range, so that it follows the releases (one place to change).
const { version, peerDependencies } = createRequire(import.meta.url)('../package.json') as { version: string; peerDependencies: { '@fleetd/core': string } };

/** Length of fleet's short machine IDs (`fleetctl list-machines`), fleet machine.shortIDLen. */
export const SHORT_ID_LENGTH = 8;

/**
 * The option this plugin owns. Its spellings are read in this order (fleet
 * job.RequiredTarget): `MachineID`, the deprecated `X-ConditionMachineID`,
 * then the legacy `X-ConditionMachineBootID`, which fleet also read as a
 * machine ID ("better to prevent a job from starting that has a legacy
 * requirement than to ignore it").
 */
export const MACHINE_ID_OPTION = Object.freeze({
  name: 'MachineID',
  aliases: Object.freeze(['X-ConditionMachineID', 'X-ConditionMachineBootID'] as const),
  description: "run only on the machine with this ID (full, or fleet's 8-character short ID)",
  excludes: Object.freeze(['MachineOf', 'Conflicts', 'Global', 'Replaces'] as const),
}) satisfies UnitOptionSpec;

/** A spelling of `MachineID`, in the order fleet reads them. */
export type MachineIdOption = typeof MACHINE_ID_OPTION.name | (typeof MACHINE_ID_OPTION.aliases)[number];

const SPELLINGS: readonly MachineIdOption[] = Object.freeze([MACHINE_ID_OPTION.name, ...MACHINE_ID_OPTION.aliases]);

/** What a unit's `MachineID` asks for: one machine, by full ID or by fleet's 8-character short ID. */
export interface MachineIdRequirement {
  /** The value as written (after specifier expansion): a full machine ID or a short one. */
  readonly id: string;
  /** The spelling it was read from. */
  readonly option: MachineIdOption;
}

declare module '@fleetd/core' {
  interface UnitRequirements {
    readonly 'machine-id'?: MachineIdRequirement;
  }
}

/**
 * The unit's `MachineID` requirement, or undefined when it has none. As in
 * fleet (job.RequiredTarget): the first value of the first spelling that has
 * one counts, `MachineID`, then `X-ConditionMachineID`, then
 * `X-ConditionMachineBootID`, whatever their order in the file.
 */
export function machineIdRequirement(unit: Pick<ResolvedUnit, 'fleetOptions'>): MachineIdRequirement | undefined {
  for (const option of SPELLINGS) {
    const [first] = unit.fleetOptions.get(option) ?? [];
    if (first !== undefined) return { id: first, option };
  }
  return undefined;
}

/** The index lookups a resolution needs (a `ClusterView` has them). */
export interface MachineLookup<M extends { readonly id: string }> {
  machine(id: string): M | undefined;
  machinesByIdPrefix(prefix: string): readonly M[];
}

/**
 * Which machine a `MachineID` value names in a cluster. `reason` is why every
 * other machine is rejected (or, without a machine, why all of them are).
 */
export type MachineIdResolution<M extends { readonly id: string }> =
  | { readonly kind: 'exact' | 'short'; readonly machine: M; readonly reason: string }
  | { readonly kind: 'ambiguous'; readonly matches: number; readonly reason: string }
  | { readonly kind: 'unknown'; readonly reason: string };

/**
 * Resolves a `MachineID` value: a machine with exactly that ID wins; otherwise
 * an 8-character value pins to the one machine whose ID starts with it. Two
 * index lookups (a map, a binary search), never a scan.
 */
export function resolveMachineId<M extends { readonly id: string }>(id: string, cluster: MachineLookup<M>): MachineIdResolution<M> {
  const exact = cluster.machine(id);
  if (exact !== undefined) return { kind: 'exact', machine: exact, reason: pinnedReason(exact.id) };
  if (id.length === SHORT_ID_LENGTH) {
    const matches = cluster.machinesByIdPrefix(id);
    const [only] = matches;
    if (matches.length === 1 && only !== undefined) return { kind: 'short', machine: only, reason: pinnedReason(only.id) };
    if (matches.length > 1) {
      return { kind: 'ambiguous', matches: matches.length, reason: `short machine ID ${id} is ambiguous: ${matches.length} machines match` };
    }
  }
  return { kind: 'unknown', reason: id === '' ? 'MachineID is empty' : `machine ${id} is not in the cluster` };
}

function pinnedReason(machineId: string): string {
  return `pinned to machine ${machineId}`;
}

/**
 * fleet's `MachineID` (`X-ConditionMachineID`, `X-ConditionMachineBootID`):
 * the unit runs only on that machine. A pinned unit costs one filter
 * evaluation: `narrow` restricts its candidates to the machine by index
 * lookup, and `filter` agrees with it.
 */
export default definePlugin({
  meta: { name: 'machine-id', version, core: peerDependencies['@fleetd/core'], unitOptions: [MACHINE_ID_OPTION] },
  apply(hooks, _options, context) {
    hooks.resolveUnit.tap((unit) => {
      const requirement = machineIdRequirement(unit);
      return requirement === undefined ? unit : withRequirements(unit, { 'machine-id': requirement });
    });

    hooks.validateUnit.tap((unit) => {
      const requirement = unit.requirements['machine-id'];
      // A template is never scheduled, and its values hold unexpanded specifiers (`MachineID=%i` is empty there).
      if (requirement === undefined || unit.nameInfo.isTemplate) return undefined;
      if (requirement.id === '') return `${requirement.option} is empty`;
      if (requirement.option === 'X-ConditionMachineBootID') {
        // Accepted as fleet accepted it, but a boot ID changes at every boot and names no machine: tell whoever submits.
        context.logger.warn(
          `unit ${unit.name}: X-ConditionMachineBootID is read as a machine ID, as fleet did: the unit runs only on a machine with ID ${requirement.id} (a boot ID matches none); use MachineID`,
          { unit: unit.name, option: requirement.option, value: requirement.id },
        );
      }
      return undefined;
    });

    hooks.narrow.tap((unit, cluster, narrowing) => {
      const requirement = unit.requirements['machine-id'];
      // Not pinned: the filter passes every machine, so the core need not call it.
      if (requirement === undefined) return narrowing.passesEverywhere?.();
      const resolution = resolveMachineId(requirement.id, cluster);
      narrowing.restrict('machine' in resolution ? [resolution.machine] : [], resolution.reason);
    });

    hooks.filter.tap({ stage: Stage.EARLY }, (unit, machine, cluster) => {
      const requirement = unit.requirements['machine-id'];
      if (requirement === undefined || requirement.id === machine.id) return undefined;
      const resolution = resolveMachineId(requirement.id, cluster);
      return resolution.kind === 'short' && resolution.machine.id === machine.id ? undefined : resolution.reason;
    });
  },
});
