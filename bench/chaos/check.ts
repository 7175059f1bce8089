/**
 * The verdict of a chaos run, computed from what etcd holds and what each
 * machine's systemd runs: pure, so it is tested on hand-made views without a
 * cluster. The constraints are evaluated here from the workload's own
 * description, not through fleetd's plugins, so a plugin bug cannot hide.
 */
import type { MachineSpec, UnitOption, UnitSpec } from './workload.js';

/** What etcd holds under the cluster's key prefix, decoded. */
export interface EtcdView {
  readonly units: ReadonlyMap<string, readonly UnitOption[]>;
  readonly desired: ReadonlyMap<string, string>;
  /** unit → machine, written by the engine (global units have none). */
  readonly placements: ReadonlyMap<string, string>;
  /** Machines whose presence key is alive. */
  readonly machines: ReadonlySet<string>;
  /** machine → unit → the agent's report. */
  readonly states: ReadonlyMap<string, ReadonlyMap<string, { readonly activeState: string; readonly subState: string; readonly message?: string }>>;
}

/** machine → the chaos units its systemd runs (active, activating or reloading). */
export type SystemdView = ReadonlyMap<string, ReadonlySet<string>>;

export interface Expected {
  /** Every unit that must be in etcd, with the desired state it must have. */
  readonly units: ReadonlyMap<string, { readonly spec: UnitSpec; readonly options: readonly UnitOption[] }>;
  /** Units acknowledged as destroyed: not in etcd, running nowhere. */
  readonly destroyed: ReadonlySet<string>;
}

export type ViolationKind =
  | 'machine-missing'
  | 'unit-lost'
  | 'unit-changed'
  | 'desired-state-wrong'
  | 'unit-resurrected'
  | 'not-running'
  | 'runs-more-than-once'
  | 'placement-wrong'
  | 'state-wrong'
  | 'global-missing'
  | 'global-ineligible'
  | 'runs-but-should-not'
  | 'conflict'
  | 'machine-of'
  | 'metadata'
  | 'daemon-exited'
  | 'observation-failed';

export interface Violation {
  readonly kind: ViolationKind;
  readonly unit?: string;
  readonly machine?: string;
  readonly detail: string;
}

export function describeViolation(violation: Violation): string {
  const where = [violation.unit, violation.machine === undefined ? undefined : `on ${violation.machine}`].filter(Boolean).join(' ');
  return `${violation.kind}${where === '' ? '' : ` ${where}`}: ${violation.detail}`;
}

/** Go's path.Match for the patterns the workload uses: `*` is any run of characters but `/`. */
export function globMatches(pattern: string, name: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\?]/g, '\\$&').replace(/\*/g, '[^/]*');
  return new RegExp(`^${source}$`).test(name);
}

export function conflictsWith(a: UnitSpec, b: UnitSpec): boolean {
  if (a.name === b.name) return false;
  return a.conflicts.some((pattern) => globMatches(pattern, b.name)) || b.conflicts.some((pattern) => globMatches(pattern, a.name));
}

export function eligible(spec: UnitSpec, machine: MachineSpec): boolean {
  return Object.entries(spec.metadata).every(([key, values]) => values.includes(machine.metadata[key] ?? '\0'));
}

/** Where systemd runs each unit: unit → machines. */
function runningPlaces(systemd: SystemdView): Map<string, string[]> {
  const places = new Map<string, string[]>();
  for (const [machine, units] of systemd) for (const unit of units) places.set(unit, [...(places.get(unit) ?? []), machine]);
  return places;
}

export function checkCluster(expected: Expected, machines: readonly MachineSpec[], etcd: EtcdView, systemd: SystemdView): Violation[] {
  const places = runningPlaces(systemd);
  return [
    ...checkMachines(machines, etcd),
    ...checkRegistry(expected, etcd),
    ...[...expected.units.values()].flatMap(({ spec }) => checkPlacement(spec, expected, machines, etcd, places.get(spec.name) ?? [])),
    ...checkDestroyed(expected, places),
    ...checkColocation(expected, systemd),
  ];
}

function checkMachines(machines: readonly MachineSpec[], etcd: EtcdView): Violation[] {
  return machines
    .filter((machine) => !etcd.machines.has(machine.id))
    .map((machine) => ({ kind: 'machine-missing', machine: machine.id, detail: 'no presence key in etcd after every fault was repaired' }));
}

/** No unit lost or changed: every expected unit is in etcd with its file and desired state; destroyed ones stay gone. */
function checkRegistry(expected: Expected, etcd: EtcdView): Violation[] {
  const violations: Violation[] = [];
  for (const [name, { spec, options }] of expected.units) {
    const stored = etcd.units.get(name);
    if (stored === undefined) {
      violations.push({ kind: 'unit-lost', unit: name, detail: 'acknowledged unit is not in etcd' });
      continue;
    }
    if (JSON.stringify(stored) !== JSON.stringify(options))
      violations.push({ kind: 'unit-changed', unit: name, detail: 'stored options differ from the submitted ones' });
    const desired = etcd.desired.get(name);
    if (desired !== spec.desired)
      violations.push({ kind: 'desired-state-wrong', unit: name, detail: `desired ${desired ?? '(none)'}, acknowledged ${spec.desired}` });
  }
  for (const name of expected.destroyed) {
    if (etcd.units.has(name) || etcd.desired.has(name))
      violations.push({ kind: 'unit-resurrected', unit: name, detail: 'destroyed (acknowledged) but back in etcd' });
  }
  return violations;
}

function checkPlacement(spec: UnitSpec, expected: Expected, machines: readonly MachineSpec[], etcd: EtcdView, running: readonly string[]): Violation[] {
  if (spec.desired !== 'launched') {
    return running.map((machine) => ({ kind: 'runs-but-should-not', unit: spec.name, machine, detail: `desired state is ${spec.desired}` }));
  }
  if (spec.global) return checkGlobal(spec, machines, etcd, running);
  const violations: Violation[] = [];
  if (running.length === 0)
    violations.push({
      kind: 'not-running',
      unit: spec.name,
      detail: `launched but runs on no machine (placement: ${etcd.placements.get(spec.name) ?? 'none'})`,
    });
  if (running.length > 1) violations.push({ kind: 'runs-more-than-once', unit: spec.name, detail: `runs on ${running.join(', ')}` });
  const placed = etcd.placements.get(spec.name);
  for (const machine of running) {
    if (machine !== placed)
      violations.push({ kind: 'placement-wrong', unit: spec.name, machine, detail: `runs there but etcd places it on ${placed ?? 'no machine'}` });
    const host = machines.find((m) => m.id === machine);
    if (host !== undefined && !eligible(spec, host))
      violations.push({
        kind: 'metadata',
        unit: spec.name,
        machine,
        detail: `requires ${JSON.stringify(spec.metadata)}, machine has ${JSON.stringify(host.metadata)}`,
      });
    if (spec.machineOf !== undefined && expected.units.has(spec.machineOf)) {
      const leaderAt = etcd.placements.get(spec.machineOf);
      if (leaderAt !== machine)
        violations.push({ kind: 'machine-of', unit: spec.name, machine, detail: `its leader ${spec.machineOf} is placed on ${leaderAt ?? 'no machine'}` });
    }
  }
  if (placed !== undefined) violations.push(...checkState(spec.name, placed, etcd));
  return violations;
}

function checkGlobal(spec: UnitSpec, machines: readonly MachineSpec[], etcd: EtcdView, running: readonly string[]): Violation[] {
  const violations: Violation[] = [];
  for (const machine of machines) {
    const runsThere = running.includes(machine.id);
    if (eligible(spec, machine) && !runsThere)
      violations.push({ kind: 'global-missing', unit: spec.name, machine: machine.id, detail: 'eligible machine does not run this global unit' });
    if (!eligible(spec, machine) && runsThere)
      violations.push({ kind: 'global-ineligible', unit: spec.name, machine: machine.id, detail: `requires ${JSON.stringify(spec.metadata)}` });
    if (eligible(spec, machine)) violations.push(...checkState(spec.name, machine.id, etcd));
  }
  return violations;
}

/** The agent's report in etcd must agree with systemd: active. */
function checkState(unit: string, machine: string, etcd: EtcdView): Violation[] {
  const state = etcd.states.get(machine)?.get(unit);
  if (state?.activeState === 'active') return [];
  const seen =
    state === undefined ? 'no state reported' : `reported ${state.activeState}/${state.subState}${state.message === undefined ? '' : ` (${state.message})`}`;
  return [{ kind: 'state-wrong', unit, machine, detail: `${seen} in etcd for a launched unit` }];
}

function checkDestroyed(expected: Expected, places: ReadonlyMap<string, string[]>): Violation[] {
  return [...expected.destroyed].flatMap((name) =>
    (places.get(name) ?? []).map((machine) => ({ kind: 'runs-but-should-not' as const, unit: name, machine, detail: 'destroyed but still running' })),
  );
}

/** Conflicts never co-located, judged on what systemd actually runs. */
function checkColocation(expected: Expected, systemd: SystemdView): Violation[] {
  const violations: Violation[] = [];
  for (const [machine, names] of systemd) {
    const specs = [...names].flatMap((name) => {
      const known = expected.units.get(name);
      return known === undefined ? [] : [known.spec];
    });
    for (const [i, a] of specs.entries()) {
      for (const b of specs.slice(i + 1)) {
        if (conflictsWith(a, b))
          violations.push({ kind: 'conflict', unit: `${a.name}+${b.name}`, machine, detail: 'conflicting units run on the same machine' });
      }
    }
  }
  return violations;
}
