// Stand-ins for the other plugins and checks the Replaces tests share.
import { expect } from 'vitest';
import { withGlobal } from '@fleetd/core';
import type { PluginEntry, ResolvedUnit } from '@fleetd/core';
import { testPlugin } from '@fleetd/core/testing';
import type { TestCluster } from '@fleetd/core/testing';
import { matchesAny } from '@fleetd/glob';
import replaces from '../src/index.js';

export const service = '[Service]\nExecStart=/bin/true\n';
export const withFleet = (...lines: string[]): string => `${service}\n[X-Fleet]\n${lines.join('\n')}\n`;
export const replacing = (...patterns: string[]): string => withFleet(`Replaces=${patterns.join(' ')}`);

/** fleet's least-loaded rule (what @fleetd/plugin-least-loaded scores), so units spread as they would in fleet. */
export const spread = testPlugin('spread', (hooks) => hooks.score.tap((_unit, machine) => -machine.load));

/** Units named `global*` are global (what the global plugin decides from `Global=true`). */
export const globalMarker = testPlugin('global-marker', (hooks) => hooks.resolveUnit.tap((unit) => withGlobal(unit, unit.name.startsWith('global'))));

/** A narrow tap that throws: the core then drops all narrowing, so every machine goes through every filter. */
export const noNarrowing = testPlugin('no-narrowing', (hooks) =>
  hooks.narrow.tap(() => {
    throw new Error('narrowing disabled for this test');
  }),
);

/** Keeps the named units on the given machines (what MachineID or metadata would do): `only on m2`. */
export function onlyOn(allowed: Readonly<Record<string, readonly string[]>>): PluginEntry {
  return testPlugin('only', (hooks) =>
    hooks.filter.tap((unit, machine) => {
      const machines = allowed[unit.name];
      return machines === undefined || machines.includes(machine.id) ? undefined : `only on ${machines.join(', ')}`;
    }),
  );
}

const MACHINE_OF = { name: 'MachineOf', aliases: ['X-ConditionMachineOf'], description: 'run on the machine of these units' };

/** Declares MachineOf as the machine-of plugin does: the replaces plugin finds the option through the table, whoever owns it. */
export const machineOfOwner = testPlugin('machine-of', () => undefined, { unitOptions: [MACHINE_OF] });

/** MachineOf as the machine-of plugin applies it (declared, and every peer must run on the machine): `not the machine of db.service`. */
export const followPeers = testPlugin(
  'machine-of',
  (hooks) =>
    hooks.filter.tap((unit, machine, cluster) => {
      for (const peer of unit.fleetOptions.get('MachineOf') ?? []) if (cluster.placementOf(peer) !== machine) return `not the machine of ${peer}`;
      return undefined;
    }),
  { unitOptions: [MACHINE_OF] },
);

export const plugins: PluginEntry[] = [replaces, spread];

export function resolved(cluster: TestCluster, name: string): ResolvedUnit {
  const unit = cluster.state.unit(name);
  if (unit === undefined) throw new Error(`${name} did not resolve`);
  return unit;
}

/**
 * Pairs of units sharing a machine that the rules keep apart, written
 * independently of the plugin: `a` replaces `b` one way (b does not replace
 * a), whether or not they are on a cycle of such edges.
 */
export function sharingPairs(cluster: TestCluster): string[] {
  const pairs: string[] = [];
  const replacesIt = (a: string, b: string): boolean => a !== b && matchesAny(resolved(cluster, a).requirements.replaces, b);
  for (const machine of cluster.state.machines) {
    for (const a of machine.units) {
      for (const b of machine.units) if (replacesIt(a, b) && !replacesIt(b, a)) pairs.push(`${machine.id}: ${a} replaces ${b}`);
    }
  }
  return pairs;
}

/** One more round changes nothing. */
export async function expectSettled(cluster: TestCluster): Promise<void> {
  const again = await cluster.schedule();
  expect([again.placements, again.revocations]).toEqual([[], []]);
}

/** What submitting the unit throws, or undefined when it is accepted. */
export function submitError(cluster: TestCluster, name: string, contents: string): unknown {
  try {
    cluster.submit(name, contents);
    return undefined;
  } catch (error) {
    return error;
  }
}
