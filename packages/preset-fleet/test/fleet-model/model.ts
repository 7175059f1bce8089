// A reference model of fleet v1.0's engine loop, written for reading, not speed.
// Each function names the Go function it models (engine/reconciler.go,
// engine/scheduler.go, engine/state.go, agent/state.go, machine/, registry/job.go).
// Wherever fleet ranges over a Go map, this model goes in name order; README.md
// lists those places.
import { conflicts, isGlobal, peers, replaces, requiredTarget, requiredTargetMetadata } from './job.js';
import type { FleetUnit } from './job.js';
import { pathMatch } from './path-match.js';

export interface FleetMachine {
  readonly id: string;
  readonly metadata: Readonly<Record<string, string>>;
}

// ---------------------------------------------------------------------------
// The registry (etcd): units, the schedule (job/<name>/target keys), machines.

export interface Registry {
  readonly machines: FleetMachine[];
  readonly units: Map<string, FleetUnit>;
  /** Unit name → target machine ID: the `job/<name>/target` keys. */
  readonly targets: Map<string, string>;
}

export function createRegistry(machines: readonly FleetMachine[], units: readonly FleetUnit[]): Registry {
  return { machines: [...machines], units: new Map(units.map((unit) => [unit.name, unit])), targets: new Map() };
}

/** registry.UnscheduleUnit: deletes the target only if it names `machineId` (etcd PrevValue). True when it wrote. */
function unscheduleUnit(registry: Registry, name: string, machineId: string): boolean {
  if (registry.targets.get(name) !== machineId) return false;
  registry.targets.delete(name);
  return true;
}

/** registry.ScheduleUnit: creates the target only if there is none (etcd PrevNoExist). True when it wrote. */
function scheduleUnit(registry: Registry, name: string, machineId: string): boolean {
  if (registry.targets.has(name)) return false;
  registry.targets.set(name, machineId);
  return true;
}

// ---------------------------------------------------------------------------
// machine/: MatchID and HasMetadata.

const SHORT_ID_LENGTH = 8;

/** MachineState.MatchID: the full ID, or the first 8 characters of it. */
export function matchId(machine: FleetMachine, id: string): boolean {
  const shortId = machine.id.length <= SHORT_ID_LENGTH ? machine.id : machine.id.slice(0, SHORT_ID_LENGTH);
  return machine.id === id || shortId === id;
}

/** machine.HasMetadata: for every required key, the machine has it with one of the accepted values. */
export function hasMetadata(machine: FleetMachine, required: ReadonlyMap<string, ReadonlySet<string>>): boolean {
  for (const [key, accepted] of required) {
    const local = Object.hasOwn(machine.metadata, key) ? machine.metadata[key] : undefined;
    if (local === undefined || !accepted.has(local)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// engine/state.go: the snapshot a round works on.

/** job.Job: a non-global unit with where it is scheduled in this round's snapshot ('' = nowhere). */
interface Job {
  readonly unit: FleetUnit;
  targetMachineId: string;
}

/** clusterState: jobs (non-global units), global units, machines. The round mutates job targets as it decides. */
export interface ClusterSnapshot {
  readonly jobs: Map<string, Job>;
  readonly globalUnits: Map<string, FleetUnit>;
  readonly machines: Map<string, FleetMachine>;
}

/** newClusterState. Registry lists come sorted by name (etcd Sort: true); maps keep that order here. */
export function newClusterState(registry: Registry): ClusterSnapshot {
  const jobs = new Map<string, Job>();
  const globalUnits = new Map<string, FleetUnit>();
  for (const unit of [...registry.units.values()].sort(byName)) {
    if (isGlobal(unit)) globalUnits.set(unit.name, unit);
    else jobs.set(unit.name, { unit, targetMachineId: registry.targets.get(unit.name) ?? '' });
  }
  const machines = new Map([...registry.machines].sort((a, b) => compare(a.id, b.id)).map((m) => [m.id, m]));
  return { jobs, globalUnits, machines };
}

/** agent.AgentState: a machine and the units the engine counts on it. */
export class AgentState {
  /** Unit name → unit; read in name order wherever fleet ranged over this map. */
  readonly units = new Map<string, FleetUnit>();

  constructor(readonly machine: FleetMachine) {}

  unitsInNameOrder(): FleetUnit[] {
    return [...this.units.values()].sort(byName);
  }

  unitScheduled(name: string): boolean {
    return this.units.has(name);
  }

  /** HasConflict: a unit here matches one of `unitConflicts`, or has a Conflicts glob matching `unitName`. */
  hasConflict(unitName: string, unitConflicts: readonly string[]): string | undefined {
    for (const other of this.unitsInNameOrder()) {
      if (other.name === unitName) continue;
      if (conflicts(other).some((pattern) => pathMatch(pattern, unitName))) return unitName;
      if (unitConflicts.some((pattern) => pathMatch(pattern, other.name))) return other.name;
    }
    return undefined;
  }

  /**
   * hasReplace: the first unit here (map order: name order in this model) that
   * replaces `unitName` or that `unitName` replaces, but not both ways (a mutual
   * pair is ignored). It returns THAT OTHER unit in either direction, so when the
   * unit being checked is the replaced one, it is its replacer that moves.
   */
  hasReplace(unitName: string, unitReplaces: readonly string[]): string | undefined {
    for (const other of this.unitsInNameOrder()) {
      if (other.name === unitName) continue;
      const replacesOther = unitReplaces.some((pattern) => pathMatch(pattern, other.name));
      const replacedByOther = replaces(other).some((pattern) => pathMatch(pattern, unitName));
      if (replacesOther !== replacedByOther) return other.name;
    }
    return undefined;
  }

  /** AbleToRun, in fleet's order of checks. */
  ableToRun(unit: FleetUnit): { action: JobAction; reason: string } {
    const target = requiredTarget(unit);
    if (target !== undefined && !matchId(this.machine, target)) {
      return { action: 'unschedule', reason: `agent ID "${this.machine.id}" does not match required "${target}"` };
    }
    const metadata = requiredTargetMetadata(unit);
    if (metadata.size > 0 && !hasMetadata(this.machine, metadata)) {
      return { action: 'unschedule', reason: 'local Machine metadata insufficient' };
    }
    for (const peer of peers(unit)) {
      if (!this.unitScheduled(peer)) return { action: 'unschedule', reason: `required peer Unit(${peer}) is not scheduled locally` };
    }
    const conflict = this.hasConflict(unit.name, conflicts(unit));
    if (conflict !== undefined) return { action: 'unschedule', reason: `found conflict with locally-scheduled Unit(${conflict})` };
    const replace = this.hasReplace(unit.name, replaces(unit));
    if (replace !== undefined) return { action: 'reschedule', reason: `found replace with locally-scheduled Unit(${replace})` };
    return { action: 'schedule', reason: '' };
  }
}

export type JobAction = 'schedule' | 'unschedule' | 'reschedule';

/**
 * clusterState.agents, recomputed from the snapshot at every call (fleet does so
 * at every decision, so decisions earlier in a round count). Per machine: every
 * scheduled non-inactive job, then every global unit, WHATEVER ITS TARGET STATE,
 * on each machine whose metadata it accepts and where it conflicts with no unit
 * added before it (jobs first, then globals in name order).
 */
export function agents(snapshot: ClusterSnapshot): Map<string, AgentState> {
  const byMachine = new Map<string, AgentState>();
  for (const machine of snapshot.machines.values()) byMachine.set(machine.id, new AgentState(machine));
  for (const job of snapshot.jobs.values()) {
    if (job.targetMachineId === '' || job.unit.targetState === 'inactive') continue;
    byMachine.get(job.targetMachineId)?.units.set(job.unit.name, job.unit);
  }
  for (const unit of snapshot.globalUnits.values()) {
    for (const agent of byMachine.values()) {
      if (!hasMetadata(agent.machine, requiredTargetMetadata(unit))) continue;
      if (agent.hasConflict(unit.name, conflicts(unit)) !== undefined) continue;
      agent.units.set(unit.name, unit);
    }
  }
  return byMachine;
}

function schedule(snapshot: ClusterSnapshot, name: string, machineId: string): void {
  const job = snapshot.jobs.get(name);
  if (job !== undefined) job.targetMachineId = machineId;
}

// ---------------------------------------------------------------------------
// engine/scheduler.go: the least-loaded scheduler.

/** sortedAgents: fewest units first, ties by machine ID. */
function sortedAgents(snapshot: ClusterSnapshot): AgentState[] {
  return [...agents(snapshot).values()].sort((a, b) => a.units.size - b.units.size || compare(a.machine.id, b.machine.id));
}

/** Decide: the first sorted agent able to run the unit; a machine where it would reschedule counts as able. */
function decide(snapshot: ClusterSnapshot, unit: FleetUnit): string | undefined {
  return sortedAgents(snapshot).find((agent) => agent.ableToRun(unit).action !== 'unschedule')?.machine.id;
}

/** DecideReschedule: the first sorted agent other than the job's own machine, without checking anything else. */
function decideReschedule(snapshot: ClusterSnapshot, job: Job): string | undefined {
  return sortedAgents(snapshot).find((agent) => agent.machine.id !== job.targetMachineId)?.machine.id;
}

// ---------------------------------------------------------------------------
// engine/reconciler.go: one round's tasks.

export interface Task {
  readonly type: 'UnscheduleUnit' | 'AttemptScheduleUnit';
  readonly unit: string;
  readonly machineId: string;
  readonly reason: string;
}

/**
 * A move made by handle_reschedule: `unit` sent from `from` to `to`, the machine
 * DecideReschedule picked without asking AbleToRun. `ableToRun` is what AbleToRun
 * would have answered for the moved unit on `to` at that moment (not
 * 'unschedule'): false is a move fleet never checked and that breaks the unit's
 * own requirements there (the property tells such runs apart, compare.property.test.ts).
 */
export interface RescheduleMove {
  readonly unit: string;
  readonly from: string;
  readonly to: string;
  readonly ableToRun: boolean;
}

/**
 * calculateClusterTasks: the unschedule pass over scheduled jobs, then the placement pass.
 * `moves` collects what handle_reschedule moved (for the property; fleet keeps no such record).
 */
export function calculateClusterTasks(snapshot: ClusterSnapshot, moves: RescheduleMove[] = []): Task[] {
  const tasks: Task[] = [];
  const send = (type: Task['type'], reason: string, unit: string, machineId: string) => tasks.push({ type, unit, machineId, reason });

  // decide(): whether a scheduled job may stay where it is.
  const judge = (job: Job): { action: JobAction; reason: string } => {
    if (job.unit.targetState === 'inactive') return { action: 'unschedule', reason: 'target state inactive' };
    const agent = agents(snapshot).get(job.targetMachineId);
    if (agent === undefined) return { action: 'unschedule', reason: `target Machine(${job.targetMachineId}) went away` };
    const verdict = agent.ableToRun(job.unit);
    if (verdict.action !== 'schedule') {
      return { action: verdict.action, reason: `target Machine(${job.targetMachineId}) unable to run unit: ${verdict.reason}` };
    }
    return { action: 'schedule', reason: '' };
  };

  // handle_reschedule(): moves the OTHER unit of a replace pair off this job's machine.
  const handleReschedule = (job: Job, reason: string): boolean => {
    const agent = agents(snapshot).get(job.targetMachineId);
    if (agent === undefined) return false;
    const other = agent.hasReplace(job.unit.name, replaces(job.unit)); // GetReplacedUnit
    if (other === undefined) return false;
    // Sent before a machine is found for it: with no other machine, the delete still happens.
    send('UnscheduleUnit', reason, other, job.targetMachineId);
    const machineId = decideReschedule(snapshot, job);
    if (machineId === undefined) return false;
    moves.push({ unit: other, from: job.targetMachineId, to: machineId, ableToRun: wouldRun(snapshot, agent.units.get(other), machineId) });
    send('AttemptScheduleUnit', reason, other, machineId);
    schedule(snapshot, other, machineId);
    return true;
  };

  for (const job of snapshot.jobs.values()) {
    if (job.targetMachineId === '') continue;
    const { action, reason } = judge(job);
    if (action === 'reschedule' && handleReschedule(job, reason)) continue;
    if (action !== 'unschedule') continue;
    send('UnscheduleUnit', reason, job.unit.name, job.targetMachineId);
    job.targetMachineId = '';
  }

  for (const job of snapshot.jobs.values()) {
    if (job.targetMachineId !== '' || job.unit.targetState === 'inactive') continue;
    const machineId = decide(snapshot, job.unit);
    if (machineId === undefined) continue;
    send('AttemptScheduleUnit', `target state ${job.unit.targetState} and unit not scheduled`, job.unit.name, machineId);
    job.targetMachineId = machineId;
  }
  return tasks;
}

/** What AbleToRun answers for `unit` on `machineId` now: able unless 'unschedule' (Decide's reading). */
function wouldRun(snapshot: ClusterSnapshot, unit: FleetUnit | undefined, machineId: string): boolean {
  const agent = agents(snapshot).get(machineId);
  return unit !== undefined && agent !== undefined && agent.ableToRun(unit).action !== 'unschedule';
}

/** doTask, on the registry; true when the task wrote. */
function applyTask(registry: Registry, task: Task): boolean {
  return task.type === 'UnscheduleUnit' ? unscheduleUnit(registry, task.unit, task.machineId) : scheduleUnit(registry, task.unit, task.machineId);
}

// ---------------------------------------------------------------------------
// Rounds to a fixed point.

export interface RoundRecord {
  readonly tasks: readonly Task[];
  readonly writes: number;
  readonly moves: readonly RescheduleMove[];
}

/** One Reconcile: snapshot, tasks, then the tasks applied in the order generated. */
export function reconcile(registry: Registry): RoundRecord {
  const moves: RescheduleMove[] = [];
  const tasks = calculateClusterTasks(newClusterState(registry), moves);
  let writes = 0;
  for (const task of tasks) if (applyTask(registry, task)) writes++;
  return { tasks, writes, moves };
}

/** Rounds fleet is given to settle: far more than any settling cluster here needs (a MachineOf chain needs one per link). */
export const MAX_MODEL_ROUNDS = 50;

export interface ModelOutcome {
  /** Non-global unit → machine, for targets naming a machine of the cluster. */
  readonly placements: Record<string, string>;
  /** Global unit → machines the engine counts it on (whatever its target state: see agents()). */
  readonly globals: Record<string, string[]>;
  /** A round made no successful write. */
  readonly settled: boolean;
  readonly rounds: number;
  /** The last round's tasks: not empty in a settled cluster when fleet keeps sending tasks that write nothing. */
  readonly lastTasks: readonly Task[];
  /** Every handle_reschedule move of every round of this run, in order. */
  readonly moves: readonly RescheduleMove[];
}

/** Reconciles until a round writes nothing, at most `maxRounds` rounds. */
export function runToFixedPoint(registry: Registry, maxRounds = MAX_MODEL_ROUNDS): ModelOutcome {
  let last: RoundRecord = { tasks: [], writes: 0, moves: [] };
  const moves: RescheduleMove[] = [];
  let rounds = 0;
  do {
    last = reconcile(registry);
    moves.push(...last.moves);
    rounds++;
  } while (last.writes > 0 && rounds < maxRounds);
  return { ...outcome(registry), settled: last.writes === 0, rounds, lastTasks: last.tasks, moves };
}

/** Where units run now: the schedule, and the engine's view of global units. */
export function outcome(registry: Registry): Pick<ModelOutcome, 'placements' | 'globals'> {
  const machineIds = new Set(registry.machines.map((machine) => machine.id));
  const placements: Record<string, string> = {};
  for (const [name, machineId] of [...registry.targets].sort(([a], [b]) => compare(a, b))) {
    const unit = registry.units.get(name);
    if (unit !== undefined && !isGlobal(unit) && machineIds.has(machineId)) placements[name] = machineId;
  }
  const globals: Record<string, string[]> = {};
  const snapshot = newClusterState(registry);
  const byMachine = agents(snapshot);
  for (const name of snapshot.globalUnits.keys()) {
    globals[name] = [...byMachine.values()].filter((agent) => agent.units.has(name)).map((agent) => agent.machine.id);
  }
  return { placements, globals };
}

/** Go compares strings bytewise; for the ASCII names here that is UTF-16 order. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byName(a: { name: string }, b: { name: string }): number {
  return compare(a.name, b.name);
}
