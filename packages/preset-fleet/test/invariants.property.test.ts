// Invariants of fleet's rules over random clusters, with every first-party plugin.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemblePlugins, createUnit, withDesiredState } from '@fleetd/core';
import type { PluginHost, Unit } from '@fleetd/core';
import { simulate } from '@fleetd/core/testing';
import { Scheduler } from '@fleetd/core/unstable';
import type { ClusterState } from '@fleetd/core/unstable';
import { fleetPreset } from '../src/index.js';

const zones = ['a', 'b', 'c'] as const;
const machineIds: readonly string[] = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'];

type UnitSpec =
  | { kind: 'plain'; zone: string | undefined }
  | { kind: 'pinned'; machine: string }
  | { kind: 'follower'; peer: number; zone: string | undefined }
  | { kind: 'conflicting'; pattern: string; zone: string | undefined };

const zoneArb = fc.option(fc.constantFrom(...zones), { nil: undefined });
const unitArb: fc.Arbitrary<UnitSpec> = fc.oneof(
  fc.record({ kind: fc.constant('plain' as const), zone: zoneArb }),
  fc.record({ kind: fc.constant('pinned' as const), machine: fc.constantFrom(...machineIds, 'gone') }),
  fc.record({ kind: fc.constant('follower' as const), peer: fc.nat(15), zone: zoneArb }),
  fc.record({ kind: fc.constant('conflicting' as const), pattern: fc.constantFrom('u0*', 'u1?.service', 'u[2-4].service', 'u*'), zone: zoneArb }),
);
const clusterArb = fc.record({
  machines: fc.uniqueArray(fc.record({ id: fc.constantFrom(...machineIds), zone: fc.constantFrom(...zones) }), { selector: (m) => m.id, minLength: 1 }),
  units: fc.array(unitArb, { maxLength: 16 }),
});

const name = (index: number) => `u${index}.service`;

function unitFile(spec: UnitSpec, index: number): string {
  const options: string[] = [];
  if (spec.kind === 'pinned') options.push(`MachineID=${spec.machine}`);
  if (spec.kind === 'follower' && spec.peer !== index) options.push(`MachineOf=${name(spec.peer)}`);
  if (spec.kind === 'conflicting') options.push(`Conflicts=${spec.pattern}`);
  if (spec.kind !== 'pinned' && spec.zone !== undefined) options.push(`MachineMetadata=zone=${spec.zone}`);
  return `[Service]\nExecStart=/bin/true\n${options.length > 0 ? `\n[X-Fleet]\n${options.join('\n')}\n` : ''}`;
}

/** Go path.Match for the few patterns generated above. */
function patternMatches(pattern: string, unit: string): boolean {
  const source = pattern.replace(/\./g, '\\.').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${source}$`).test(unit);
}

describe('fleet invariants over random clusters', () => {
  it('placements satisfy MachineID, metadata and MachineOf; conflicting units never share; every unschedulable unit has a reason per machine', async () => {
    await fc.assert(
      fc.asyncProperty(clusterArb, async ({ machines, units }) => {
        const cluster = await simulate({
          plugins: fleetPreset(),
          machines: machines.map(({ id, zone }) => ({ id, metadata: { zone } })),
          units: Object.fromEntries(units.map((spec, index) => [name(index), unitFile(spec, index)])),
        });
        const zoneOf = new Map(machines.map((m) => [m.id, m.zone]));
        const placements = cluster.placements();
        units.forEach((spec, index) => {
          const machine = placements[name(index)];
          if (machine === undefined) {
            expect(cluster.reasons(name(index)).map((r) => r.machine)).toEqual(machines.map((m) => m.id).sort());
            return;
          }
          if (spec.kind === 'pinned') expect(machine).toBe(spec.machine);
          if (spec.kind !== 'pinned' && spec.zone !== undefined) expect(zoneOf.get(machine)).toBe(spec.zone);
          if (spec.kind === 'follower' && spec.peer !== index) expect(placements[name(spec.peer)]).toBe(machine);
          if (spec.kind === 'conflicting') {
            for (const other of cluster.unitsOn(machine)) {
              if (other !== name(index)) expect(patternMatches(spec.pattern, other), `${name(index)} shares ${machine} with ${other}`).toBe(false);
            }
          }
        });
      }),
      { numRuns: 200 },
    );
  });

  it('with least-loaded scoring, no feasible machine with fewer units is passed over', async () => {
    await fc.assert(
      fc.asyncProperty(clusterArb, async ({ machines, units }) => {
        const cluster = await simulate({
          plugins: fleetPreset(),
          machines: machines.map(({ id, zone }) => ({ id, metadata: { zone } })),
          units: Object.fromEntries(units.map((spec, index) => [name(index), unitFile(spec, index)])),
          keepCandidates: machineIds.length,
        });
        const loads = new Map(machines.map((m) => [m.id, 0]));
        for (const placement of cluster.rounds[0]?.placements ?? []) {
          // Every feasible machine is a candidate; its score must be minus its load at decision time.
          for (const candidate of placement.candidates) {
            expect(candidate.byPlugin['least-loaded'] ?? 0).toBe(-(loads.get(candidate.machine) ?? 0) || 0);
          }
          const fewest = Math.min(...placement.candidates.map((candidate) => loads.get(candidate.machine) ?? 0));
          expect(loads.get(placement.machine)).toBe(fewest);
          const tied = placement.candidates
            .filter((c) => loads.get(c.machine) === fewest)
            .map((c) => c.machine)
            .sort();
          expect(placement.machine).toBe(tied[0]);
          loads.set(placement.machine, (loads.get(placement.machine) ?? 0) + 1);
        }
      }),
      { numRuns: 200 },
    );
  });
});

// Replaces with every other option, over random clusters (issue 16): the engine's own Scheduler.settle,
// from random starting placements, then one change and settle again.
const replacesNames = ['a0', 'a1', 'b2', 'b3', 'c4', 'c5', 'd6', 'd7'].map((n) => `${n}.service`);
const replacesPatterns = [...replacesNames, 'a*', 'b?.service', '*', 'c*', 'missing.service'];

type ReplacesSpec =
  | { kind: 'plain'; zone: string | undefined }
  | { kind: 'pinned'; machine: string }
  | { kind: 'follower'; peer: number; zone: string | undefined }
  | { kind: 'global'; zone: string | undefined }
  | { kind: 'replacing'; patterns: string[]; zone: string | undefined; peer: number | undefined };

const replacesUnitArb: fc.Arbitrary<{ spec: ReplacesSpec; state: 'launched' | 'loaded' | 'inactive' }> = fc.record({
  spec: fc.oneof(
    fc.record({ kind: fc.constant('plain' as const), zone: zoneArb }),
    fc.record({ kind: fc.constant('pinned' as const), machine: fc.constantFrom(...machineIds.slice(0, 5)) }),
    fc.record({ kind: fc.constant('follower' as const), peer: fc.nat(7), zone: zoneArb }),
    fc.record({ kind: fc.constant('global' as const), zone: zoneArb }),
    {
      arbitrary: fc.record({
        kind: fc.constant('replacing' as const),
        patterns: fc.array(fc.constantFrom(...replacesPatterns), { minLength: 1, maxLength: 2 }),
        zone: zoneArb,
        peer: fc.option(fc.nat(7), { nil: undefined }),
      }),
      weight: 3,
    },
  ),
  state: fc.constantFrom('launched' as const, 'launched' as const, 'loaded' as const, 'inactive' as const),
});
type ReplacesEvent =
  | { kind: 'state'; unit: number; state: 'launched' | 'inactive' }
  | { kind: 'destroy'; unit: number }
  | { kind: 'remove-machine'; machine: number }
  | { kind: 'zone'; machine: number; zone: string }
  | { kind: 'add-replaces'; unit: number; pattern: string };
const replacesClusterArb = fc.record({
  machines: fc.uniqueArray(fc.record({ id: fc.constantFrom(...machineIds.slice(0, 5)), zone: fc.constantFrom(...zones) }), {
    selector: (m) => m.id,
    minLength: 1,
    maxLength: 5,
  }),
  units: fc.array(replacesUnitArb, { minLength: 1, maxLength: replacesNames.length }),
  initial: fc.array(fc.tuple(fc.nat(7), fc.nat(4)), { maxLength: 6 }),
  event: fc.oneof(
    fc.record({ kind: fc.constant('state' as const), unit: fc.nat(7), state: fc.constantFrom('launched' as const, 'inactive' as const) }),
    fc.record({ kind: fc.constant('destroy' as const), unit: fc.nat(7) }),
    fc.record({ kind: fc.constant('remove-machine' as const), machine: fc.nat(4) }),
    fc.record({ kind: fc.constant('zone' as const), machine: fc.nat(4), zone: fc.constantFrom(...zones) }),
    fc.record({ kind: fc.constant('add-replaces' as const), unit: fc.nat(7), pattern: fc.constantFrom(...replacesPatterns) }),
  ),
});

function replacesUnitFile(spec: ReplacesSpec, name: string, extra: readonly string[] = []): string {
  const options: string[] = [...extra];
  const peerName = (peer: number) => replacesNames[peer] as string;
  if (spec.kind === 'pinned') options.push(`MachineID=${spec.machine}`);
  if (spec.kind === 'global') options.push('Global=true');
  if (spec.kind === 'follower' && peerName(spec.peer) !== name) options.push(`MachineOf=${peerName(spec.peer)}`);
  if (spec.kind === 'replacing') {
    options.push(`Replaces=${spec.patterns.join(' ')}`);
    if (spec.peer !== undefined && peerName(spec.peer) !== name) options.push(`MachineOf=${peerName(spec.peer)}`);
  }
  if (spec.kind !== 'pinned' && spec.zone !== undefined) options.push(`MachineMetadata=zone=${spec.zone}`);
  return `[Service]\nExecStart=/bin/true\n${options.length > 0 ? `\n[X-Fleet]\n${options.join('\n')}\n` : ''}`;
}

/** Every rule the settled state must obey, one line per break; written from fleet's rules, not from the plugins. */
function replacesViolations(state: ClusterState, pinnedTo: ReadonlyMap<string, string>, zoneOf: ReadonlyMap<string, string | undefined>): string[] {
  const found: string[] = [];
  const globsOf = (name: string): string[] =>
    (state.unit(name)?.fleetOptions.get('Replaces') ?? []).flatMap((value) => value.split(/\s+/)).filter((p) => p !== '');
  const replacesIt = (a: string, b: string) => a !== b && globsOf(a).some((pattern) => patternMatches(pattern, b));
  for (const machine of state.machines) {
    for (const a of machine.units) {
      const at = `${a} on ${machine.id}`;
      for (const b of machine.units) if (replacesIt(b, a) && !replacesIt(a, b)) found.push(`${at}: replaced one way by ${b}, which runs there`);
      const pin = pinnedTo.get(a);
      if (pin !== undefined && pin !== machine.id) found.push(`${at}: pinned to ${pin}`);
      const zone = zoneOf.get(a);
      if (zone !== undefined && machine.metadata['zone'] !== zone) found.push(`${at}: wants zone ${zone}`);
      for (const peer of state.unit(a)?.fleetOptions.get('MachineOf') ?? [])
        if (!machine.units.has(peer)) found.push(`${at}: MachineOf peer ${peer} does not run there`);
    }
  }
  return found;
}

describe('Replaces over random clusters, with every other option', () => {
  it('the engine settles from any starting placements and after a change, and no unit runs next to a unit replacing it one way', async () => {
    const host = await assemblePlugins(fleetPreset());
    await fc.assert(
      fc.asyncProperty(replacesClusterArb, async ({ machines, units, initial, event }) => {
        const scheduler = new Scheduler(host);
        const specs = new Map<string, ReplacesSpec>();
        const accepted = units.flatMap(({ spec, state }, i) => {
          const name = replacesNames[i] as string;
          const created = createUnit({ name, contents: replacesUnitFile(spec, name), desiredState: state });
          try {
            host.validateUnit(created);
          } catch {
            return []; // a combination fleet refuses at submit too (MachineOf peer matching its own Replaces, ...)
          }
          specs.set(name, spec);
          return [created];
        });
        const state = scheduler.createState({ machines: machines.map(({ id, zone }) => ({ id, metadata: { zone } })), units: accepted });
        for (const [unit, machine] of initial) {
          const name = replacesNames[unit] as string;
          if (specs.has(name) && specs.get(name)?.kind !== 'global') state.setPlacement(name, machines[machine % machines.length]?.id);
        }
        const check = (when: string) => {
          const plan = scheduler.settle(state);
          expect(plan.settled, `${when}: settled`).toBe(true);
          const pinnedTo = new Map([...specs].flatMap(([name, spec]) => (spec.kind === 'pinned' ? [[name, spec.machine] as const] : [])));
          const zoneOf = new Map([...specs].map(([name, spec]) => [name, spec.kind === 'pinned' ? undefined : spec.zone] as const));
          expect(replacesViolations(state, pinnedTo, zoneOf), when).toEqual([]);
        };
        check('from the starting placements');
        applyReplacesEvent(state, event, machines, specs, host);
        check(`after ${event.kind}`);
      }),
      { numRuns: 2000 },
    );
  });
});

function applyReplacesEvent(
  state: ClusterState,
  event: ReplacesEvent,
  machines: readonly { id: string }[],
  specs: Map<string, ReplacesSpec>,
  host: PluginHost,
): void {
  const names = [...specs.keys()];
  const name = names[('unit' in event ? event.unit : 0) % Math.max(names.length, 1)];
  switch (event.kind) {
    case 'state':
      if (name !== undefined) state.upsertUnit(withDesiredState(state.rawUnit(name) as Unit, event.state));
      return;
    case 'destroy':
      if (name === undefined) return;
      state.removeUnit(name);
      state.setPlacement(name, undefined);
      specs.delete(name);
      return;
    case 'remove-machine':
      state.removeMachine((machines[event.machine % machines.length] as { id: string }).id);
      return;
    case 'zone': {
      const id = (machines[event.machine % machines.length] as { id: string }).id;
      if (state.machine(id) !== undefined) state.upsertMachine({ id, metadata: { zone: event.zone } });
      return;
    }
    case 'add-replaces': {
      // A new version of a running unit gains a Replaces pattern (it keeps its placement, as a replace does).
      const spec = name === undefined ? undefined : specs.get(name);
      if (name === undefined || spec === undefined || spec.kind === 'pinned' || spec.kind === 'global') return;
      const raw = state.rawUnit(name) as Unit;
      const updated = createUnit({ name, contents: replacesUnitFile(spec, name, [`Replaces=${event.pattern}`]), desiredState: raw.desiredState });
      try {
        host.validateUnit(updated);
      } catch {
        return;
      }
      state.upsertUnit(updated);
      return;
    }
  }
}
