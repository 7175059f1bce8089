import { definePlugin, Stage, unitOptionValues, withRequirements } from '@fleetd/core';
import type { MachineView, PluginMeta, ResolvedUnit, RoundResult, UnitOptionSpec } from '@fleetd/core';

// Example plugins, written as a plugin author would write them. The
// first-party @fleetd/plugin-* packages implement fleet's full semantics.

const meta = (name: string, unitOptions?: readonly UnitOptionSpec[]): PluginMeta => ({
  name,
  version: '0.1.0',
  core: '^0.1.0',
  ...(unitOptions === undefined ? {} : { unitOptions }),
});

type Requirement = readonly [key: string, value: string];

declare module '@fleetd/core' {
  interface UnitRequirements {
    readonly 'demo-metadata'?: readonly Requirement[];
  }
}

/** The `[X-Fleet]` options the demo plugins read; each is declared by the plugin that reads it. */
export const METADATA_OPTION = { name: 'MachineMetadata', description: 'run only on machines with every key=value listed' } satisfies UnitOptionSpec;
export const CONFLICTS_OPTION = { name: 'Conflicts', description: 'never share a machine with the named units' } satisfies UnitOptionSpec;

/** Prefers the machine running the fewest units. */
export const spreadByLoad = definePlugin({
  meta: meta('spread-by-load'),
  apply(hooks) {
    hooks.score.tap((_unit, machine) => -machine.load);
  },
});

/** `MachineMetadata=key=value`: every listed pair must match; an index lookup narrows the candidates first. */
export const requireMetadata = definePlugin({
  meta: meta('demo-metadata', [METADATA_OPTION]),
  apply(hooks) {
    hooks.resolveUnit.tap((unit) => {
      const pairs = unitOptionValues(unit, METADATA_OPTION).map((pair): Requirement => {
        const [key = '', ...value] = pair.split('=');
        return [key, value.join('=')];
      });
      return withRequirements(unit, { 'demo-metadata': pairs });
    });
    hooks.narrow.tap((unit, cluster, narrowing) => {
      const [first] = requirementsOf(unit);
      if (first !== undefined) narrowing.restrict(cluster.machinesWithMetadata(...first), `metadata ${first.join('=')} not matched`);
    });
    hooks.filter.tap({ stage: Stage.EARLY }, (unit, machine) => {
      const missing = requirementsOf(unit).find(([key, value]) => machine.metadata[key] !== value);
      return missing === undefined ? undefined : `metadata ${missing.join('=')} not matched`;
    });
  },
});

function requirementsOf(unit: ResolvedUnit): readonly Requirement[] {
  return unit.requirements['demo-metadata'] ?? [];
}

/** `Conflicts=name`: never share a machine with the named units, whichever side names the other. */
export const avoidConflicts = definePlugin({
  meta: meta('demo-conflicts', [CONFLICTS_OPTION]),
  apply(hooks) {
    hooks.filter.tap((unit, machine: MachineView, cluster) => {
      const avoided = new Set(unitOptionValues(unit, CONFLICTS_OPTION));
      for (const neighbour of machine.units) {
        if (neighbour === unit.name) continue;
        const other = cluster.unit(neighbour);
        const avoidsUs = other !== undefined && unitOptionValues(other, CONFLICTS_OPTION).includes(unit.name);
        if (avoided.has(neighbour) || avoidsUs) return `conflict with ${neighbour}`;
      }
      return undefined;
    });
  },
});

/** What the round log says about a round: one line. */
export function describeRound(result: RoundResult): string {
  const parts = [`${result.placements.length} placed`, `${result.unschedulable.length} unschedulable`];
  if (result.revocations.length > 0) parts.push(`${result.revocations.length} revoked`);
  if (result.pluginErrors.length > 0) parts.push(`${result.pluginErrors.length} plugin errors`);
  return `round ${result.round}: ${parts.join(', ')}`;
}

/**
 * An observer: roundComplete taps are told what every round committed, after
 * the fact, and cannot change it. This one logs a line per round through the
 * logger the host gives it (fleetd's log in a daemon, the report in the demo).
 */
export const roundLog = definePlugin({
  meta: meta('round-log'),
  apply(hooks, _options, { logger }) {
    hooks.roundComplete.tap((result) => logger.info(describeRound(result), { round: result.round }));
  },
});

/** The plugins that decide placements. */
export const demoPlugins = [requireMetadata, avoidConflicts, spreadByLoad] as const;
