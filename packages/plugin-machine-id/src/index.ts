import { createRequire } from 'node:module';
import { definePlugin, fleetOptionValues, Stage, withRequirements } from '@fleetd/core';
import type { ResolvedUnit } from '@fleetd/core';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** Length of fleet's short machine IDs (`fleetctl list-machines`), fleet machine.shortIDLen. */
export const SHORT_ID_LENGTH = 8;

/** What a unit's `MachineID` asks for: one machine, by full ID or by fleet's 8-character short ID. */
export interface MachineIdRequirement {
  /** The value as written (after specifier expansion): a full machine ID or a short one. */
  readonly id: string;
  /** The spelling it was read from. */
  readonly option: 'MachineID' | 'X-ConditionMachineID';
}

declare module '@fleetd/core' {
  interface UnitRequirements {
    readonly 'machine-id'?: MachineIdRequirement;
  }
}

/**
 * The unit's `MachineID` requirement, or undefined when it has none. As in
 * fleet (job.RequiredTarget): the first `MachineID` value counts; the legacy
 * `X-ConditionMachineID` only when there is no `MachineID` value.
 */
export function machineIdRequirement(unit: Pick<ResolvedUnit, 'fleetOptions'>): MachineIdRequirement | undefined {
  const [modern] = fleetOptionValues(unit, 'MachineID');
  if (modern !== undefined) return { id: modern, option: 'MachineID' };
  const [legacy] = fleetOptionValues(unit, 'X-ConditionMachineID');
  if (legacy !== undefined) return { id: legacy, option: 'X-ConditionMachineID' };
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
 * fleet's `MachineID` (`X-ConditionMachineID`): the unit runs only on that
 * machine. A pinned unit costs one filter evaluation: `narrow` restricts its
 * candidates to the machine by index lookup, and `filter` agrees with it.
 */
export default definePlugin({
  meta: { name: 'machine-id', version, core: '^0.1.0' },
  apply(hooks) {
    hooks.resolveUnit.tap('machine-id', (unit) => {
      const requirement = machineIdRequirement(unit);
      return requirement === undefined ? unit : withRequirements(unit, { 'machine-id': requirement });
    });

    // An empty value pins to no machine; refuse it at submit, except on a template
    // (`MachineID=%i` expands to nothing there, and a template is never scheduled).
    hooks.validateUnit.tap('machine-id', (unit) => {
      const requirement = unit.requirements['machine-id'];
      return requirement?.id === '' && !unit.nameInfo.isTemplate ? `${requirement.option} is empty` : undefined;
    });

    hooks.narrow.tap('machine-id', (unit, cluster, narrowing) => {
      const requirement = unit.requirements['machine-id'];
      // Not pinned: the filter passes every machine, so the core need not call it.
      if (requirement === undefined) return narrowing.passesEverywhere?.();
      const resolution = resolveMachineId(requirement.id, cluster);
      narrowing.restrict('machine' in resolution ? [resolution.machine] : [], resolution.reason);
    });

    hooks.filter.tap({ name: 'machine-id', stage: Stage.EARLY }, (unit, machine, cluster) => {
      const requirement = unit.requirements['machine-id'];
      if (requirement === undefined || requirement.id === machine.id) return undefined;
      const resolution = resolveMachineId(requirement.id, cluster);
      return resolution.kind === 'short' && resolution.machine.id === machine.id ? undefined : resolution.reason;
    });
  },
});
