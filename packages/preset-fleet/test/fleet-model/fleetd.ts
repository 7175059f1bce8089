// The same cluster through fleetd: the preset's plugins assembled as fleetd
// assembles them, the engine's Scheduler, its ClusterState, rounds to a fixed point.
import { assemblePlugins, createUnit, isFleetError } from '@fleetd/core';
import type { PluginHost, PluginLogger, Unit, UnitOption } from '@fleetd/core';
import { Scheduler } from '@fleetd/core/unstable';
import type { ClusterState } from '@fleetd/core/unstable';
import { fleetPreset } from '../../src/index.js';
import type { DesiredState, FleetUnit } from './job.js';
import type { FleetMachine } from './model.js';

/** Rounds fleetd is given, as many as the model gets. */
export const MAX_FLEETD_ROUNDS = 50;

export interface FleetdOutcome {
  readonly placements: Record<string, string>;
  readonly globals: Record<string, string[]>;
  readonly settled: boolean;
  readonly rounds: number;
}

/** Plugins' error lines: any is a failure of the comparison (warnings, such as X-ConditionMachineBootID's, are not). */
const loggedErrors: string[] = [];
const quiet = (plugin: string): PluginLogger => ({
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: (message) => void loggedErrors.push(`${plugin}: ${message}`),
});

let sharedHost: Promise<PluginHost> | undefined;

/** One host for every run, as one fleetd runs one host. */
export function fleetdHost(): Promise<PluginHost> {
  sharedHost ??= assemblePlugins(fleetPreset(), { logger: quiet });
  return sharedHost;
}

/** Plugin errors logged since the last call. */
export function takeLoggedErrors(): string[] {
  return loggedErrors.splice(0);
}

/** The unit as fleet's API receives it: options, with a [Service] section. */
export function toFleetdUnit(unit: FleetUnit, desiredState: DesiredState = unit.targetState): Unit {
  const options: UnitOption[] = [
    { section: 'Service', name: 'ExecStart', value: '/bin/true' },
    ...unit.xFleet.map(({ name, value }) => ({ section: 'X-Fleet', name, value })),
  ];
  return createUnit({ name: unit.name, contents: options, desiredState });
}

/** A fleetd engine on an in-memory cluster. */
export class FleetdCluster {
  readonly scheduler: Scheduler;
  readonly state: ClusterState;

  constructor(readonly host: PluginHost) {
    this.scheduler = new Scheduler(host);
    this.state = this.scheduler.createState();
  }

  /** Why fleetd refuses the unit at submit (its validateUnit taps), or undefined. */
  refusal(unit: FleetUnit): string | undefined {
    try {
      this.host.validateUnit(toFleetdUnit(unit));
      return undefined;
    } catch (error) {
      if (isFleetError(error)) return error.message;
      throw error;
    }
  }

  addMachine(machine: FleetMachine): void {
    this.state.upsertMachine({ id: machine.id, metadata: { ...machine.metadata } });
  }

  removeMachine(id: string): void {
    this.state.removeMachine(id);
  }

  submit(unit: FleetUnit): void {
    this.state.upsertUnit(toFleetdUnit(unit));
  }

  destroy(name: string): void {
    this.state.removeUnit(name);
    this.state.setPlacement(name, undefined);
  }

  settle(maxRounds = MAX_FLEETD_ROUNDS): FleetdOutcome {
    const plan = this.scheduler.settle(this.state, maxRounds);
    if (plan.pluginErrors.length > 0) throw new Error(`fleetd plugin errors: ${plan.pluginErrors.map((e) => e.message).join('; ')}`);
    return { ...this.outcome(), settled: plan.settled, rounds: plan.rounds };
  }

  outcome(): Pick<FleetdOutcome, 'placements' | 'globals'> {
    const placements: Record<string, string> = {};
    for (const [unit, machine] of [...this.state.placements()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (this.state.machine(machine) !== undefined && this.state.rawUnit(unit) !== undefined) placements[unit] = machine;
    }
    const globals: Record<string, string[]> = {};
    for (const unit of [...this.state.units()].map((u) => u.name).sort()) {
      if (this.state.unit(unit)?.global === true)
        globals[unit] = this.state
          .globalMachines(unit)
          .map((slot) => slot.id)
          .sort();
    }
    return { placements, globals };
  }
}
