// Runs one generated cluster through the model and through fleetd: the same
// submissions, a fixed point, one event, a fixed point again.
import { countedAlike } from './cluster-arbitrary.js';
import type { ClusterEvent, GeneratedCluster } from './cluster-arbitrary.js';
import { FleetdCluster, fleetdHost, takeLoggedErrors } from './fleetd.js';
import type { FleetdOutcome } from './fleetd.js';
import { submitRefusal } from './job.js';
import type { FleetUnit } from './job.js';
import { createRegistry, runToFixedPoint } from './model.js';
import type { FleetMachine, ModelOutcome, Registry } from './model.js';
import { pathMatch } from './path-match.js';

/** One fixed point of both sides, with the cluster as it was then. */
export interface Phase {
  readonly name: 'submitted' | 'after event';
  readonly machines: readonly FleetMachine[];
  readonly units: readonly FleetUnit[];
  readonly model: ModelOutcome;
  readonly fleetd: FleetdOutcome;
}

export interface Comparison {
  /** Units one side refuses at submit and the other accepts (both sides get only units neither refuses). */
  readonly refusedByOneSide: readonly { unit: string; fleet: string | undefined; fleetd: string | undefined }[];
  readonly phases: readonly Phase[];
  /** Plugin error lines logged during the run. */
  readonly pluginErrors: readonly string[];
}

export async function compareRuns(cluster: GeneratedCluster): Promise<Comparison> {
  const fleetd = new FleetdCluster(await fleetdHost());
  takeLoggedErrors();
  const refusedByOneSide: Comparison['refusedByOneSide'][number][] = [];
  const accepted: FleetUnit[] = [];
  for (const unit of cluster.units) {
    const fleetRefusal = submitRefusal(unit, pathMatch);
    const fleetdRefusal = fleetd.refusal(unit);
    if ((fleetRefusal === undefined) !== (fleetdRefusal === undefined)) refusedByOneSide.push({ unit: unit.name, fleet: fleetRefusal, fleetd: fleetdRefusal });
    if (fleetRefusal === undefined && fleetdRefusal === undefined) accepted.push(unit);
  }
  const registry = createRegistry(cluster.machines, accepted);
  for (const machine of cluster.machines) fleetd.addMachine(machine);
  for (const unit of accepted) fleetd.submit(unit);

  const phases: Phase[] = [settleBoth('submitted', registry, fleetd)];
  if (applyEvent(cluster, cluster.event, registry, fleetd)) phases.push(settleBoth('after event', registry, fleetd));
  return { refusedByOneSide, phases, pluginErrors: takeLoggedErrors() };
}

function settleBoth(name: Phase['name'], registry: Registry, fleetd: FleetdCluster): Phase {
  const units = [...registry.units.values()];
  const machines = [...registry.machines];
  return { name, machines, units, model: runToFixedPoint(registry), fleetd: fleetd.settle() };
}

/** Applies the event to both sides; false when it changes nothing (none, or a refused unit). */
function applyEvent(cluster: GeneratedCluster, event: ClusterEvent, registry: Registry, fleetd: FleetdCluster): boolean {
  switch (event.kind) {
    case 'none':
      return false;
    case 'remove-machine': {
      const id = nth(cluster.machines, event.machine).id;
      registry.machines.splice(
        registry.machines.findIndex((machine) => machine.id === id),
        1,
      );
      fleetd.removeMachine(id);
      return true;
    }
    case 'set-metadata': {
      const id = nth(cluster.machines, event.machine).id;
      const machine = { id, metadata: event.metadata };
      registry.machines.splice(
        registry.machines.findIndex((m) => m.id === id),
        1,
        machine,
      );
      fleetd.addMachine(machine);
      return true;
    }
    case 'set-state': {
      const unit = registry.units.get(nth(cluster.units, event.unit).name);
      if (unit === undefined) return false;
      const changed = { ...unit, targetState: event.state };
      if (!countedAlike(changed)) return false;
      registry.units.set(unit.name, changed);
      fleetd.submit(changed);
      return true;
    }
    case 'destroy': {
      const name = nth(cluster.units, event.unit).name;
      if (!registry.units.has(name)) return false;
      // fleet's DestroyUnit deletes the unit's whole job directory, its target with it.
      registry.units.delete(name);
      registry.targets.delete(name);
      fleetd.destroy(name);
      return true;
    }
  }
}

/** The item at `index` modulo the length (events name machines and units that way). */
function nth<T>(items: readonly T[], index: number): T {
  return items[index % items.length] as T;
}
