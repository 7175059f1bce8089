// least-loaded promises its score order (narrowing.scoreOrder with the core's load index), so a
// plain unit's decision walks the least loaded machines and stops at the third that passes.
// That must change no decision: the same rounds with a least-loaded that only scores (every
// machine scored) give the same placements, candidates, revocations and unschedulable units.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemblePlugins, createUnit } from '@fleetd/core';
import type { DesiredState, PluginHost } from '@fleetd/core';
import { testPlugin } from '@fleetd/core/testing';
import { Scheduler } from '@fleetd/core/unstable';
import type { ClusterState, RoundPlan } from '@fleetd/core/unstable';
import { loadScore } from '@fleetd/plugin-least-loaded';
import { fleetPreset } from '../src/index.js';

const machineIds = Array.from({ length: 12 }, (_, i) => `m${String(i).padStart(2, '0')}`);
const zones = ['a', 'b'] as const;

type UnitSpec =
  { kind: 'plain' } | { kind: 'zoned'; zone: string } | { kind: 'conflicting'; pattern: string } | { kind: 'global' } | { kind: 'follower'; peer: number };
type Step =
  | { kind: 'submit'; units: UnitSpec[] }
  | { kind: 'desired'; unit: number; state: DesiredState }
  | { kind: 'destroy'; unit: number }
  | { kind: 'machine-leaves'; machine: number }
  | { kind: 'machine-joins'; machine: number };

const unitArb: fc.Arbitrary<UnitSpec> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'plain' as const }) },
  fc.record({ kind: fc.constant('zoned' as const), zone: fc.constantFrom(...zones) }),
  fc.record({ kind: fc.constant('conflicting' as const), pattern: fc.constantFrom('u1*', 'u?.service', 'u*') }),
  fc.record({ kind: fc.constant('global' as const) }),
  fc.record({ kind: fc.constant('follower' as const), peer: fc.nat(40) }),
);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('submit' as const), units: fc.array(unitArb, { minLength: 1, maxLength: 12 }) }) },
  fc.record({ kind: fc.constant('desired' as const), unit: fc.nat(60), state: fc.constantFrom<DesiredState>('inactive', 'loaded', 'launched') }),
  fc.record({ kind: fc.constant('destroy' as const), unit: fc.nat(60) }),
  fc.record({ kind: fc.constant('machine-leaves' as const), machine: fc.nat(machineIds.length - 1) }),
  fc.record({ kind: fc.constant('machine-joins' as const), machine: fc.nat(machineIds.length - 1) }),
);
const scenarioArb = fc.record({ machines: fc.integer({ min: 1, max: machineIds.length }), steps: fc.array(stepArb, { minLength: 1, maxLength: 8 }) });

const name = (index: number) => `u${index}.service`;

function unitFile(spec: UnitSpec, index: number): string {
  const options: string[] = [];
  if (spec.kind === 'zoned') options.push(`MachineMetadata=zone=${spec.zone}`);
  if (spec.kind === 'conflicting') options.push(`Conflicts=${spec.pattern}`);
  if (spec.kind === 'global') options.push('Global=true');
  if (spec.kind === 'follower' && spec.peer !== index) options.push(`MachineOf=${name(spec.peer)}`);
  return `[Service]\nExecStart=/bin/true\n${options.length > 0 ? `\n[X-Fleet]\n${options.join('\n')}\n` : ''}`;
}

/** least-loaded's score without its order: every machine is scored. */
const scoringEveryMachine = testPlugin('least-loaded', (hooks) => {
  hooks.score.tap((_unit, machine) => loadScore(machine));
});

const machineOf = (index: number) => ({ id: machineIds[index] as string, metadata: { zone: zones[index % zones.length] as string } });

/** Applies one step to a state; returns the next unit index. */
function apply(state: ClusterState, step: Step, submitted: number): number {
  switch (step.kind) {
    case 'submit':
      step.units.forEach((spec, offset) => {
        const index = submitted + offset;
        state.upsertUnit(createUnit({ name: name(index), contents: unitFile(spec, index), desiredState: 'launched' }));
      });
      return submitted + step.units.length;
    case 'desired': {
      const unit = state.rawUnit(name(step.unit));
      if (unit !== undefined) state.upsertUnit({ ...unit, desiredState: step.state });
      return submitted;
    }
    case 'destroy':
      state.removeUnit(name(step.unit));
      return submitted;
    case 'machine-leaves':
      state.removeMachine(machineIds[step.machine] as string);
      return submitted;
    case 'machine-joins':
      state.upsertMachine(machineOf(step.machine));
      return submitted;
  }
}

/** What a round decided, as plain data. */
function decisions(plan: RoundPlan) {
  return {
    placements: plan.placements,
    revocations: plan.revocations,
    unschedulable: plan.unschedulable,
    globals: plan.globals,
  };
}

async function hosts(): Promise<[PluginHost, PluginHost]> {
  return Promise.all([assemblePlugins(fleetPreset()), assemblePlugins(fleetPreset({ replace: { 'least-loaded': scoringEveryMachine } }))]);
}

describe("least-loaded's score order", () => {
  it('decides every round exactly as scoring every machine does: placements, candidates, revocations, unschedulable units', async () => {
    const [ordered, exhaustive] = await hosts();
    fc.assert(
      fc.property(scenarioArb, ({ machines, steps }) => {
        const schedulers = [new Scheduler(ordered), new Scheduler(exhaustive)] as const;
        const states = schedulers.map((scheduler) => scheduler.createState({ machines: Array.from({ length: machines }, (_, i) => machineOf(i)), units: [] }));
        let submitted = 0;
        for (const step of steps) {
          let next = submitted;
          for (const state of states) next = apply(state, step, submitted);
          submitted = next;
          const [fast, full] = schedulers.map((scheduler, i) => decisions(scheduler.decide(states[i] as ClusterState)));
          expect(fast).toEqual(full);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('walks a few machines per plain unit instead of every machine', async () => {
    const [ordered, exhaustive] = await hosts();
    const machines = machineIds.map((_, i) => machineOf(i));
    const units = Array.from({ length: 24 }, (_, i) => createUnit({ name: name(i), contents: unitFile({ kind: 'plain' }, i), desiredState: 'launched' }));
    const [fast, full] = [ordered, exhaustive].map((host) => {
      const scheduler = new Scheduler(host);
      return scheduler.decide(scheduler.createState({ machines, units }));
    });
    expect(fast?.placements).toEqual(full?.placements);
    expect(full?.evaluations).toBe(24 * machineIds.length);
    expect(fast?.evaluations).toBe(24 * 3);
  });
});
