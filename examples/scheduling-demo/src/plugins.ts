import { definePlugin, fleetOptionValues, Stage, withRequirements } from '@fleetd/core';
import type { MachineView, ResolvedUnit } from '@fleetd/core';

// Example plugins, written as a plugin author would write them. The
// first-party @fleetd/plugin-* packages implement fleet's full semantics.

const meta = (name: string) => ({ name, version: '0.1.0', core: '^0.1.0' });

type Requirement = readonly [key: string, value: string];

declare module '@fleetd/core' {
  interface UnitRequirements {
    readonly 'demo-metadata'?: readonly Requirement[];
  }
}

/** Prefers the machine running the fewest units. */
export const spreadByLoad = definePlugin({
  meta: meta('spread-by-load'),
  apply(hooks) {
    hooks.score.tap('spread-by-load', (_unit, machine) => -machine.load);
  },
});

/** `MachineMetadata=key=value`: every listed pair must match; an index lookup narrows the candidates first. */
export const requireMetadata = definePlugin({
  meta: meta('demo-metadata'),
  apply(hooks) {
    hooks.resolveUnit.tap('demo-metadata', (unit) => {
      const pairs = fleetOptionValues(unit, 'MachineMetadata').map((pair): Requirement => {
        const [key = '', ...value] = pair.split('=');
        return [key, value.join('=')];
      });
      return withRequirements(unit, { 'demo-metadata': pairs });
    });
    hooks.narrow.tap('demo-metadata', (unit, cluster, narrowing) => {
      const [first] = requirementsOf(unit);
      if (first !== undefined) narrowing.restrict(cluster.machinesWithMetadata(...first), `metadata ${first.join('=')} not matched`);
    });
    hooks.filter.tap({ name: 'demo-metadata', stage: Stage.EARLY }, (unit, machine) => {
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
  meta: meta('demo-conflicts'),
  apply(hooks) {
    hooks.filter.tap('demo-conflicts', (unit, machine: MachineView, cluster) => {
      const avoided = new Set(fleetOptionValues(unit, 'Conflicts'));
      for (const neighbour of machine.units) {
        if (neighbour === unit.name) continue;
        const avoidsUs = cluster.unit(neighbour)?.fleetOptions.get('Conflicts')?.includes(unit.name) ?? false;
        if (avoided.has(neighbour) || avoidsUs) return `conflict with ${neighbour}`;
      }
      return undefined;
    });
  },
});

export const demoPlugins = [requireMetadata, avoidConflicts, spreadByLoad] as const;
