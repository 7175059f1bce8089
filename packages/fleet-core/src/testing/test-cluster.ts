import { ErrorCodes, FleetError } from '../errors.js';
import type { Machine } from '../model/machine.js';
import type { DesiredState } from '../model/states.js';
import { createUnit, withDesiredState } from '../model/unit.js';
import { templateOf } from '../unit/index.js';
import type { ClusterView } from '../hooks/views.js';
import { assemblePlugins } from '../plugin/host.js';
import type { AssembleOptions, PluginEntry, PluginHost } from '../plugin/host.js';
import type { ClusterState } from '../scheduler/cluster-state.js';
import type { MachineRejection, RoundResult, UnitExplanation, UnschedulableUnit } from '../scheduler/decisions.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { recordingLogger } from './recording-logger.js';
import type { LoggedLine } from './recording-logger.js';

/** A machine in a test: just an ID, or an ID with metadata. */
export type TestMachine = string | (Pick<Machine, 'id'> & Partial<Machine>);

/** A unit in a test: its unit-file text (desired state `launched`), or text and state. */
export type TestUnit = string | { readonly contents: string; readonly desiredState?: DesiredState };

export interface TestClusterOptions extends AssembleOptions {
  readonly plugins: readonly PluginEntry[];
  readonly machines?: readonly TestMachine[];
  /** Unit name → unit. */
  readonly units?: Readonly<Record<string, TestUnit>>;
  /**
   * Unit name → unit the registry holds without today's submit-time checks
   * (stored by an older fleetd, or before a plugin was installed): what the
   * engine must cope with anyway. See `store`.
   */
  readonly stored?: Readonly<Record<string, TestUnit>>;
  /** Unit name → machine ID, for units that start out placed. */
  readonly placements?: Readonly<Record<string, string>>;
  /** Cycles of revalidate → place per round (the engine's `maxPasses`). Default 3. */
  readonly maxPasses?: number;
  /** Best candidates kept per placement, with their per-plugin scores. Default 3. */
  readonly keepCandidates?: number;
}

/** What the core's own tests reach inside a test cluster; not exported from @fleetd/core/testing. */
export interface TestClusterInternals {
  readonly scheduler: Scheduler;
  readonly state: ClusterState;
}

const internals = new WeakMap<TestCluster, TestClusterInternals>();

/** The scheduler and mutable state behind a test cluster (core tests only). */
export function testClusterInternals(cluster: TestCluster): TestClusterInternals {
  return internals.get(cluster) as TestClusterInternals;
}

/**
 * An in-process cluster for plugin tests: describe machines and units, run
 * scheduling rounds with the plugins under test, read placements and reasons.
 */
export class TestCluster {
  readonly rounds: RoundResult[] = [];
  /**
   * Every line plugins logged (unless the options name a logger), and every
   * plugin error raised outside a round (explanations), at level `error`.
   */
  readonly logs: readonly LoggedLine[];
  private readonly failures = new Map<string, UnschedulableUnit>();
  readonly #scheduler: Scheduler;
  readonly #state: ClusterState;

  private constructor(
    readonly host: PluginHost,
    logs: readonly LoggedLine[],
    scheduling: Pick<TestClusterOptions, 'maxPasses' | 'keepCandidates'>,
  ) {
    this.logs = logs;
    this.#scheduler = new Scheduler(host, {
      ...(scheduling.maxPasses === undefined ? {} : { maxPasses: scheduling.maxPasses }),
      ...(scheduling.keepCandidates === undefined ? {} : { keepCandidates: scheduling.keepCandidates }),
    });
    this.#state = this.#scheduler.createState();
    internals.set(this, { scheduler: this.#scheduler, state: this.#state });
  }

  static async create(options: TestClusterOptions): Promise<TestCluster> {
    const recording = recordingLogger();
    const host = await assemblePlugins(options.plugins, { logger: recording.logger, ...options });
    const cluster = new TestCluster(host, recording.lines, options);
    for (const machine of options.machines ?? []) cluster.addMachine(machine);
    for (const [name, unit] of Object.entries(options.units ?? {})) cluster.submit(name, ...contentsOf(unit));
    for (const [name, unit] of Object.entries(options.stored ?? {})) cluster.store(name, ...contentsOf(unit));
    for (const [unit, machine] of Object.entries(options.placements ?? {})) cluster.#state.setPlacement(unit, machine);
    return cluster;
  }

  /** The cluster as plugins see it (machines with their units, placements, resolved units). */
  get state(): ClusterView {
    return this.#state;
  }

  // Changing the cluster

  /** Submits a unit as fleetd would: validated by the plugins' validateUnit taps first. */
  submit(name: string, contents: string, desiredState: DesiredState = 'launched'): this {
    const unit = createUnit({ name, contents, desiredState });
    this.host.validateUnit(unit);
    this.#state.upsertUnit(unit);
    return this;
  }

  /**
   * Puts a unit in the cluster as the registry may hold it, without the
   * plugins' validateUnit taps (an older fleetd stored it, or the plugin was
   * installed later): for testing what a plugin's filters make of a unit its
   * validation would refuse.
   */
  store(name: string, contents: string, desiredState: DesiredState = 'launched'): this {
    this.#state.upsertUnit(createUnit({ name, contents, desiredState }));
    return this;
  }

  /** Submits an instance (`web@1.service`) with its template's contents, as `fleetctl start web@1.service` does. */
  submitInstance(name: string, desiredState: DesiredState = 'launched'): this {
    const template = templateOf(name);
    const file = template === undefined ? undefined : this.#state.rawUnit(template)?.file;
    if (file === undefined) {
      throw new FleetError(ErrorCodes.UNIT_NOT_FOUND, `${name}: its template ${template ?? '(none: not an instance)'} is not submitted`, { unit: name });
    }
    const unit = createUnit({ name, contents: file, desiredState });
    this.host.validateUnit(unit);
    this.#state.upsertUnit(unit);
    return this;
  }

  setDesiredState(name: string, desiredState: DesiredState): this {
    this.#state.upsertUnit(withDesiredState(this.requireUnit(name), desiredState));
    return this;
  }

  destroy(name: string): this {
    this.requireUnit(name);
    this.#state.removeUnit(name);
    this.#state.setPlacement(name, undefined);
    this.failures.delete(name);
    return this;
  }

  addMachine(machine: TestMachine): this {
    this.#state.upsertMachine(toMachine(machine));
    return this;
  }

  removeMachine(id: string): this {
    this.#state.removeMachine(id);
    return this;
  }

  setMetadata(id: string, metadata: Readonly<Record<string, string>>): this {
    const slot = this.#state.machine(id);
    if (slot === undefined) throw new FleetError(ErrorCodes.MACHINE_INVALID, `machine ${id} is not in the test cluster`);
    this.#state.upsertMachine({ ...slot.machine, metadata });
    return this;
  }

  // Scheduling

  /** One scheduling round, as the engine runs it: decide, bind, tell roundComplete taps. */
  async schedule(): Promise<RoundResult> {
    const result = await this.#scheduler.schedule(this.#state);
    this.rounds.push(result);
    for (const placement of result.placements) this.failures.delete(placement.unit);
    for (const unit of result.unschedulable) this.failures.set(unit.unit, unit);
    return result;
  }

  /** Rounds until one changes nothing (at most `maxRounds`); returns the last. */
  async settle(maxRounds = 100): Promise<RoundResult> {
    let result = await this.schedule();
    for (let round = 1; round < maxRounds && (result.placements.length > 0 || result.revocations.length > 0); round++) {
      result = await this.schedule();
    }
    return result;
  }

  // Reading the outcome

  placementOf(unit: string): string | undefined {
    return this.#state.placementOf(unit)?.id;
  }

  /** Unit name → machine ID for every placed unit. */
  placements(): Record<string, string> {
    const placements: Record<string, string> = {};
    for (const [unit, machine] of [...this.#state.placements()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (this.#state.machine(machine) !== undefined) placements[unit] = machine;
    }
    return placements;
  }

  /** Units running on a machine (placed and global), sorted by name. */
  unitsOn(machine: string): string[] {
    return [...(this.#state.machine(machine)?.units ?? [])].sort();
  }

  /** Machines a global unit runs on, sorted. */
  globalMachines(unit: string): string[] {
    return this.#state
      .globalMachines(unit)
      .map((slot) => slot.id)
      .sort();
  }

  /** How many units run in the whole cluster (placed plus global instances). */
  runningCount(): number {
    return this.#state.machines.reduce((count, slot) => count + slot.load, 0);
  }

  /** The unschedulable record from the last round that considered the unit. */
  unschedulable(unit: string): UnschedulableUnit | undefined {
    return this.failures.get(unit);
  }

  summary(unit: string): string | undefined {
    return this.failures.get(unit)?.summary;
  }

  reasons(unit: string): readonly MachineRejection[] {
    return this.failures.get(unit)?.rejections ?? [];
  }

  explain(unit: string): UnitExplanation {
    return this.#scheduler.explain(this.#state, unit);
  }

  private requireUnit(name: string) {
    const unit = this.#state.rawUnit(name);
    if (unit === undefined) throw new FleetError(ErrorCodes.UNIT_NOT_FOUND, `unit ${name} is not in the test cluster`, { unit: name });
    return unit;
  }
}

function contentsOf(unit: TestUnit): [contents: string, desiredState: DesiredState | undefined] {
  return typeof unit === 'string' ? [unit, undefined] : [unit.contents, unit.desiredState];
}

function toMachine(machine: TestMachine): Machine {
  return typeof machine === 'string' ? { id: machine, metadata: {} } : { metadata: {}, ...machine };
}

/** Builds a test cluster; call `settle()` or `schedule()` on it. */
export function createTestCluster(options: TestClusterOptions): Promise<TestCluster> {
  return TestCluster.create(options);
}

/** Builds a test cluster and schedules until it settles. */
export async function simulate(options: TestClusterOptions): Promise<TestCluster> {
  const cluster = await TestCluster.create(options);
  await cluster.settle();
  return cluster;
}
