import { createRequire } from 'node:module';
import { definePlugin, Stage, unitOptionValues, withRequirements } from '@fleetd/core';
import type { ResolvedUnit, UnitOptionSpec } from '@fleetd/core';
import { metadataCandidates, metadataVerdict, parseMetadataRequirement } from './requirement.js';
import type { MetadataRequirement } from './requirement.js';

export {
  conditionMismatch,
  matchesEqualityGroup,
  matchesMetadata,
  METADATA_OPERATORS,
  metadataCandidates,
  metadataMismatch,
  metadataVerdict,
  narrowestEqualityGroup,
  NUMERIC_METADATA_OPERATORS,
  parseMetadataExpression,
  parseMetadataNumber,
  parseMetadataRequirement,
} from './requirement.js';
export type {
  MachineMetadata,
  MetadataComparison,
  MetadataCondition,
  MetadataEqualityGroup,
  MetadataExpression,
  MetadataExpressionResult,
  MetadataIndex,
  MetadataInequality,
  MetadataOperator,
  MetadataRequirement,
  NumericMetadataOperator,
} from './requirement.js';

// The core range is the package's peer range, so that it follows the releases (one place to change).
const { version, peerDependencies } = createRequire(import.meta.url)('../package.json') as { version: string; peerDependencies: { '@fleetd/core': string } };

/** The option this plugin owns: fleet's `MachineMetadata` and its legacy `X-Condition…` spelling (both are read). */
export const METADATA_OPTION = Object.freeze({
  name: 'MachineMetadata',
  aliases: Object.freeze(['X-ConditionMachineMetadata'] as const),
  description: 'run only on machines whose metadata matches key=value (same key repeated: any of its values), key!=value, or key>=N, >N, <=N, <N',
}) satisfies UnitOptionSpec;

/** The option's spellings, in the order their values are read. */
export const METADATA_OPTIONS = Object.freeze([METADATA_OPTION.name, ...METADATA_OPTION.aliases] as const);

declare module '@fleetd/core' {
  interface UnitRequirements {
    readonly metadata?: MetadataRequirement;
  }
}

/**
 * The unit's metadata requirement, read from `MachineMetadata` and
 * `X-ConditionMachineMetadata`; undefined when the unit has none.
 */
export function metadataRequirement(unit: Pick<ResolvedUnit, 'fleetOptions'>): MetadataRequirement | undefined {
  const values = unitOptionValues(unit, METADATA_OPTION);
  if (values.length === 0) return undefined;
  const requirement = parseMetadataRequirement(values);
  const empty = requirement.equals.length === 0 && requirement.conditions.length === 0 && requirement.errors.length === 0;
  return empty ? undefined : requirement;
}

/**
 * fleet's `MachineMetadata` (`X-ConditionMachineMetadata`) with `!=` and
 * numeric comparisons. Parsed once per unit version in `resolveUnit`; `narrow`
 * limits candidates to the machines of the most selective `key=value` group
 * (an index lookup), `filter` checks the rest without allocating.
 */
export default definePlugin({
  meta: { name: 'metadata', version, core: peerDependencies['@fleetd/core'], unitOptions: [METADATA_OPTION] },
  apply(hooks) {
    hooks.resolveUnit.tap((unit) => {
      const requirement = metadataRequirement(unit);
      return requirement === undefined ? unit : withRequirements(unit, { metadata: requirement });
    });

    // A template's values hold unexpanded specifiers (hostname=%i reads hostname= there): its instances are checked.
    hooks.validateUnit.tap((unit) => (unit.nameInfo.isTemplate ? undefined : unit.requirements.metadata?.problem));

    hooks.narrow.tap((unit, cluster, narrowing) => {
      const requirement = unit.requirements.metadata;
      // No requirement: the filter passes every machine, so the core need not call it.
      if (requirement === undefined) return narrowing.passesEverywhere?.();
      if (requirement.problem !== undefined) {
        narrowing.restrict([], requirement.problem);
        return;
      }
      const candidates = metadataCandidates(requirement, cluster);
      if (candidates !== undefined) narrowing.restrict(candidates.machines, candidates.group.reason);
    });

    hooks.filter.tap({ stage: Stage.EARLY }, (unit, machine, cluster) => {
      const requirement = unit.requirements.metadata;
      return requirement === undefined ? undefined : metadataVerdict(requirement, machine.metadata, cluster);
    });
  },
});
