import type { RejectionSink } from '../hooks/runner.js';
import type { MachineView } from '../hooks/views.js';
import type { MachineRejection, RejectionKind, UnschedulableUnit } from './decisions.js';
import type { Narrowing, Restriction } from './narrowing.js';
import { summarizeRejections } from './summary.js';

/**
 * Per-machine rejections of the unit being decided, written into arrays
 * indexed by machine so evaluating a machine allocates nothing; they are
 * turned into objects only for a unit that ends up unschedulable.
 */
export class RejectionScratch implements RejectionSink {
  private plugins = new Int32Array(0);
  private errors = new Uint8Array(0);
  private messages: (string | undefined)[] = [];

  reset(capacity: number): this {
    if (this.plugins.length < capacity) {
      this.plugins = new Int32Array(capacity * 2);
      this.errors = new Uint8Array(capacity * 2);
      this.messages = new Array<string | undefined>(capacity * 2).fill(undefined);
    }
    return this;
  }

  reject(machineIndex: number, plugin: number, isError: boolean, message: string): void {
    this.plugins[machineIndex] = plugin;
    this.errors[machineIndex] = isError ? 1 : 0;
    this.messages[machineIndex] = message;
  }

  /** Whether the machine's rejection came from a plugin that failed rather than a reason it gave. */
  isError(machineIndex: number): boolean {
    return this.errors[machineIndex] === 1;
  }

  rejection(machine: MachineView, pluginNames: readonly string[]): MachineRejection {
    const kind: RejectionKind = this.errors[machine.index] === 1 ? 'error' : 'filter';
    const plugin = pluginNames[this.plugins[machine.index] as number] ?? 'core';
    return { machine: machine.id, plugin, kind, message: this.messages[machine.index] ?? '' };
  }
}

/**
 * Every machine's rejection for one unit: `rejected` (a subset of the
 * evaluated `candidates`) from the scratch, the machines narrowing left out
 * from the restriction that excluded them. Sorted by machine ID.
 */
export function collectRejections(
  machines: readonly MachineView[],
  candidates: readonly MachineView[],
  rejected: readonly MachineView[],
  narrowing: Narrowing,
  scratch: RejectionScratch,
  pluginNames: readonly string[],
): MachineRejection[] {
  const filtered = rejected.map((machine) => scratch.rejection(machine, pluginNames));
  const narrowed = narrowing.active ? narrowedRejections(machines, candidates, narrowing.restrictions, pluginNames) : [];
  return [...filtered, ...narrowed].sort((a, b) => (a.machine < b.machine ? -1 : a.machine > b.machine ? 1 : 0));
}

/** Builds the explanation of a unit no machine could take. */
export function unschedulableUnit(
  unit: string,
  machines: readonly MachineView[],
  candidates: readonly MachineView[],
  narrowing: Narrowing,
  scratch: RejectionScratch,
  pluginNames: readonly string[],
): UnschedulableUnit {
  const rejections = collectRejections(machines, candidates, candidates, narrowing, scratch, pluginNames);
  return {
    unit,
    summary: summarizeRejections(0, machines.length, rejections),
    machineCount: machines.length,
    rejections,
  };
}

/** A unit that every machine rejects for one reason (its resolution failed). */
export function rejectedEverywhere(unit: string, machines: readonly MachineView[], plugin: string, kind: RejectionKind, message: string): UnschedulableUnit {
  const rejections = machines.map((machine) => ({ machine: machine.id, plugin, kind, message }));
  return { unit, summary: summarizeRejections(0, machines.length, rejections), machineCount: machines.length, rejections };
}

function narrowedRejections(
  machines: readonly MachineView[],
  candidates: readonly MachineView[],
  restrictions: readonly Restriction[],
  pluginNames: readonly string[],
): MachineRejection[] {
  const candidateSet = new Set(candidates);
  const memberships = restrictions.map((restriction) => new Set(restriction.machines));
  const result: MachineRejection[] = [];
  for (const machine of machines) {
    if (candidateSet.has(machine)) continue;
    const first = memberships.findIndex((members) => !members.has(machine));
    const restriction = restrictions[first] as Restriction;
    result.push({
      machine: machine.id,
      plugin: pluginNames[restriction.plugin] ?? 'core',
      kind: 'narrow',
      message: restriction.reason,
    });
  }
  return result;
}
