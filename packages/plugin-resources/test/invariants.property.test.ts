// No machine is ever over-committed, whatever the order of submissions, machine losses and arrivals.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fact } from '@fleetd/core';
import { createTestCluster } from '@fleetd/core/testing';
import type { TestCluster } from '@fleetd/core/testing';
import { facts, GiB, machine, plugins, service, withDeclared } from './helpers.js';

const MACHINE_IDS = ['m0', 'm1', 'm2', 'm3'] as const;

interface Shape {
  readonly cpu: number;
  readonly memory: number;
  readonly reserved: number;
  readonly gpu: number;
}

interface Request {
  readonly cpu: number | undefined;
  readonly memory: number | undefined;
  readonly gpu: number | undefined;
  readonly global: boolean;
  /** Memory through the unit's own MemoryMax= rather than [X-Fleet]. */
  readonly viaSystemd: boolean;
}

type Step =
  | { readonly kind: 'submit'; readonly request: Request }
  | { readonly kind: 'destroy'; readonly unit: number }
  | { readonly kind: 'lose'; readonly machine: string }
  | { readonly kind: 'arrive'; readonly machine: string; readonly shape: Shape };

const shapeArb: fc.Arbitrary<Shape> = fc.record({
  cpu: fc.constantFrom(1, 2, 4),
  memory: fc.constantFrom(GiB, 2 * GiB, 4 * GiB),
  reserved: fc.constantFrom(0, 0, GiB / 2),
  gpu: fc.constantFrom(0, 1, 2),
});
const requestArb: fc.Arbitrary<Request> = fc.record({
  cpu: fc.option(fc.constantFrom(0.25, 0.5, 1, 1.5), { nil: undefined }),
  memory: fc.option(fc.constantFrom(GiB / 4, GiB / 2, GiB, 1.5 * GiB), { nil: undefined }),
  gpu: fc.option(fc.constantFrom(1, 2), { nil: undefined, freq: 4 }),
  global: fc.nat(9).map((n) => n === 0),
  viaSystemd: fc.boolean(),
});
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('submit' as const), request: requestArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('destroy' as const), unit: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('lose' as const), machine: fc.constantFrom(...MACHINE_IDS) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('arrive' as const), machine: fc.constantFrom(...MACHINE_IDS), shape: shapeArb }) },
);
const scenarioArb = fc.record({
  machines: fc.uniqueArray(fc.record({ id: fc.constantFrom(...MACHINE_IDS), shape: shapeArb }), { selector: (m) => m.id, minLength: 1 }),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 16 }),
});

function machineOf(id: string, shape: Shape) {
  const more = { ...(shape.reserved > 0 ? { 'memory.reserved': fact.bytes(shape.reserved) } : {}), ...(shape.gpu > 0 ? { gpu: fact.number(shape.gpu) } : {}) };
  return machine(id, facts(shape.cpu, shape.memory, more));
}

function unitFile(request: Request): string {
  const xFleet = [
    ...(request.global ? ['Global=true'] : []),
    ...(request.cpu === undefined ? [] : [`CPU=${request.cpu}`]),
    ...(request.memory === undefined || request.viaSystemd ? [] : [`Memory=${request.memory}`]),
    ...(request.gpu === undefined ? [] : [`Resource=gpu:${request.gpu}`]),
  ];
  return service(xFleet, request.memory !== undefined && request.viaSystemd ? [`MemoryMax=${request.memory}`] : []);
}

/** Every machine's summed requests, from the scenario's own bookkeeping, within its capacity minus reservation; every placed unit passes the filter. */
function checkNoOvercommit(cluster: TestCluster, shapes: ReadonlyMap<string, Shape>, requests: ReadonlyMap<string, Request>): void {
  for (const [id, shape] of shapes) {
    const used = { cpu: 0, memory: 0, gpu: 0 };
    for (const unit of cluster.unitsOn(id)) {
      const request = requests.get(unit);
      used.cpu += request?.cpu ?? 0;
      used.memory += request?.memory ?? 0;
      used.gpu += request?.gpu ?? 0;
    }
    const where = `${id}: ${cluster.unitsOn(id).join(', ')}`;
    expect(used.cpu, where).toBeLessThanOrEqual(shape.cpu + 1e-9);
    expect(used.memory, where).toBeLessThanOrEqual(shape.memory - shape.reserved);
    expect(used.gpu, where).toBeLessThanOrEqual(shape.gpu);
  }
  for (const [unit, id] of Object.entries(cluster.placements())) {
    const verdict = cluster
      .explain(unit)
      .machines.find((candidate) => candidate.machine === id)
      ?.verdicts.find((candidate) => candidate.plugin === 'resources');
    expect(verdict, `${unit} on ${id}`).toEqual({ plugin: 'resources', verdict: 'pass' });
  }
}

describe('resources invariants over random clusters', () => {
  it('after every settle, no machine holds more than its capacity minus its reservation, and every placed unit passes the filter', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ machines, steps }) => {
        const shapes = new Map<string, Shape>(machines.map(({ id, shape }) => [id, shape]));
        const cluster = await createTestCluster({ plugins: plugins(withDeclared()), machines: machines.map(({ id, shape }) => machineOf(id, shape)) });
        const requests = new Map<string, Request>();
        let submitted = 0;
        for (const step of steps) {
          if (step.kind === 'submit') {
            const name = `u${String(submitted++).padStart(2, '0')}.service`;
            requests.set(name, step.request);
            cluster.submit(name, unitFile(step.request));
          } else if (step.kind === 'destroy') {
            const name = `u${String(step.unit).padStart(2, '0')}.service`;
            if (!requests.delete(name)) continue;
            cluster.destroy(name);
          } else if (step.kind === 'lose') {
            shapes.delete(step.machine);
            cluster.removeMachine(step.machine);
          } else {
            shapes.set(step.machine, step.shape);
            cluster.addMachine(machineOf(step.machine, step.shape));
          }
          await cluster.settle();
          checkNoOvercommit(cluster, shapes, requests);
        }
      }),
      { numRuns: 150 },
    );
  });
});
