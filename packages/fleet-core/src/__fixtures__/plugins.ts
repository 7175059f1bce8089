// Small stand-ins for the first-party plugins, so the core's tests exercise
// every hook without depending on plugin packages built on top of the core.
import { fleetOptionValues, Stage, withGlobal, withRequirements } from '../index.js';
import type { MachineView } from '../index.js';
import { testPlugin } from '../testing/index.js';

export const leastLoaded = testPlugin('least-loaded', (hooks) => {
  hooks.score.tap((_unit, machine) => -machine.load);
});

/** Prefers machines whose `tier` metadata is `fast`: a second scorer to test weights. */
export const preferFast = testPlugin('prefer-fast', (hooks) => {
  hooks.score.tap((_unit, machine) => (machine.metadata['tier'] === 'fast' ? 1 : 0));
});

export const pin = testPlugin('pin', (hooks) => {
  hooks.narrow.tap((unit, cluster, narrowing) => {
    const [id] = fleetOptionValues(unit, 'MachineID');
    if (id === undefined) return;
    const machine = cluster.machine(id);
    narrowing.restrict(machine === undefined ? [] : [machine], `unit is pinned to ${id}`);
  });
  hooks.filter.tap({ stage: Stage.EARLY }, (unit, machine) => {
    const [id] = fleetOptionValues(unit, 'MachineID');
    return id === undefined || id === machine.id ? undefined : `unit is pinned to ${id}`;
  });
});

export const metadata = testPlugin('metadata', (hooks) => {
  hooks.resolveUnit.tap((unit) => {
    const wanted = fleetOptionValues(unit, 'MachineMetadata').map((pair) => pair.split('=') as [string, string]);
    return withRequirements(unit, { metadata: wanted });
  });
  hooks.filter.tap((unit, machine) => {
    for (const [key, value] of unit.requirements['metadata'] as [string, string][]) {
      if (machine.metadata[key] !== value) return `metadata ${key}=${value} not matched`;
    }
    return undefined;
  });
});

export const conflicts = testPlugin('conflicts', (hooks) => {
  hooks.filter.tap((unit, machine, cluster) => {
    const mine = fleetOptionValues(unit, 'Conflicts');
    for (const other of machine.units) {
      if (other === unit.name) continue;
      const theirs = fleetOptionValues(cluster.unit(other) ?? unit, 'Conflicts');
      if (mine.includes(other) || theirs.includes(unit.name)) return `conflict with ${other}`;
    }
    return undefined;
  });
});

export const machineOf = testPlugin('machine-of', (hooks) => {
  hooks.narrow.tap((unit, cluster, narrowing) => {
    for (const peer of fleetOptionValues(unit, 'MachineOf')) {
      const machine = cluster.placementOf(peer);
      narrowing.restrict(machine === undefined ? [] : [machine], `waiting for ${peer} to be placed`);
    }
  });
  hooks.filter.tap((unit, machine: MachineView, cluster) => {
    for (const peer of fleetOptionValues(unit, 'MachineOf')) {
      if (cluster.placementOf(peer) !== machine) return `not the machine of ${peer}`;
    }
    return undefined;
  });
});

export const global = testPlugin('global', (hooks) => {
  hooks.resolveUnit.tap((unit) => withGlobal(unit, fleetOptionValues(unit, 'Global').at(-1) === 'true'));
});

export const fleetLike = [pin, metadata, conflicts, machineOf, global, leastLoaded] as const;
