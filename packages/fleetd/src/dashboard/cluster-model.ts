import { currentStateOf, fleetUnitHash, parseUnitName, withDesiredState, withOperatorMetadata } from '@fleetd/core';
import { decodeDesiredState, decodeMachine, decodePlacement, decodeUnit, decodeUnitState, fleetOptionsOf } from '@fleetd/core/unstable';
import type { CurrentState, DesiredState, KeyValue, Machine, Unit, UnitState, WatchEvent } from '@fleetd/core';
import type { KeyLayout, ParsedKey, SchedulingSnapshot } from '@fleetd/core/unstable';
import type { DashChanges, DashEvent, DashMachine, DashUnit } from '@fleetd/dashboard';
import { parseGlobal } from '@fleetd/plugin-global';
import { EventLog } from './event-log.js';

interface Published<T> {
  readonly record: T;
  readonly json: string;
}

/**
 * The cluster as the dashboard shows it, kept from the registry's keys (a
 * mirror's reset and watch events), with what changed since the last flush.
 * Only the units and machines a change touched are rebuilt, and only those
 * whose record differs are sent: a state report costs one unit record.
 */
export class ClusterModel {
  readonly log: EventLog;
  private readonly files = new Map<string, Unit>();
  private readonly desired = new Map<string, DesiredState>();
  private readonly placements = new Map<string, string>();
  /** Unit → machine → the state that machine reports. */
  private readonly states = new Map<string, Map<string, UnitState>>();
  /** Machine → units it reports a state for (its global units are among them). */
  private readonly reportedOn = new Map<string, Set<string>>();
  private readonly placedOn = new Map<string, Set<string>>();
  private readonly presence = new Map<string, Machine>();
  private readonly overlay = new Map<string, Record<string, string>>();
  /** Why a unit that should run has no machine (the unschedulable pass). */
  private readonly reasons = new Map<string, string>();
  private readonly dirtyUnits = new Set<string>();
  private readonly dirtyMachines = new Set<string>();
  private readonly units = new Map<string, Published<DashUnit>>();
  private readonly machines = new Map<string, Published<DashMachine>>();
  /** Placements removed in the batch being applied: a revocation unless the unit was destroyed with it. */
  private revoked: { unit: string; machine: string }[] = [];
  /** Events logged since the last flush. */
  private pending: DashEvent[] = [];
  revision = 0;
  /** Whether units, placements or machines changed since the unschedulable pass last asked (not mere states). */
  schedulingChanged = true;
  /** Keys that did not decode (skipped, as the API's reads skip them). */
  invalidKeys = 0;

  constructor(
    private readonly layout: KeyLayout,
    log = new EventLog(),
  ) {
    this.log = log;
  }

  /** Everything under the prefix (a mirror's first load or re-list): only differences will be sent. */
  reset(items: readonly KeyValue[], revision: number): void {
    for (const name of this.units.keys()) this.dirtyUnits.add(name);
    for (const id of this.machines.keys()) this.dirtyMachines.add(id);
    for (const map of [this.files, this.desired, this.placements, this.states, this.reportedOn, this.placedOn, this.presence, this.overlay]) map.clear();
    for (const kv of items) this.put(kv, false);
    this.revision = revision;
    this.schedulingChanged = true;
  }

  /** One revision's changes, with the events they make. */
  apply(events: readonly WatchEvent[], revision: number): void {
    for (const event of events) {
      if (event.type === 'put') this.put(event.kv, true);
      else this.delete(event.key);
    }
    for (const { unit, machine } of this.revoked) {
      if (this.files.has(unit)) this.record({ kind: 'revoked', unit, machine, message: `${unit} revoked from ${machine}` });
    }
    this.revoked = [];
    this.revision = revision;
  }

  /** The records that changed since the last flush, and the events logged since. */
  flush(): DashChanges | undefined {
    const units = this.flushUnits();
    const machines = this.flushMachines();
    const events = this.pending;
    this.pending = [];
    if (units === undefined && machines === undefined && events.length === 0) return undefined;
    return {
      revision: this.revision,
      ...(units === undefined ? {} : { units }),
      ...(machines === undefined ? {} : { machines }),
      ...(events.length === 0 ? {} : { events }),
    };
  }

  unitRecords(): DashUnit[] {
    return [...this.units.values()].map((published) => published.record);
  }

  machineRecords(): DashMachine[] {
    return [...this.machines.values()].map((published) => published.record);
  }

  /** Units that should run on one machine and have none: what the unschedulable pass explains. */
  unplacedUnits(): string[] {
    const unplaced: string[] = [];
    for (const [name, unit] of this.files) {
      if (this.placements.has(name) || (this.desired.get(name) ?? 'inactive') === 'inactive') continue;
      if (isGlobal(unit) || parseUnitName(name).isTemplate) continue;
      unplaced.push(name);
    }
    return unplaced.sort();
  }

  /** The units and machines as the scheduler sees them. */
  schedulingSnapshot(): SchedulingSnapshot {
    return {
      machines: [...this.presence.keys()].map((id) => this.machine(id) as Machine),
      units: [...this.files.keys()].map((name) => this.unit(name) as Unit),
      placements: [...this.placements].map(([unit, machine]) => ({ unit, machine })),
    };
  }

  /** The unschedulable pass's answer: every unit's reason, or none. */
  setReasons(reasons: ReadonlyMap<string, string>): void {
    for (const [name, reason] of reasons) {
      if (this.reasons.get(name) === reason) continue;
      this.reasons.set(name, reason);
      this.dirtyUnits.add(name);
      this.record({ kind: 'unschedulable', unit: name, message: `${name} cannot be placed: ${reason}` });
    }
    for (const name of this.reasons.keys()) {
      if (reasons.has(name)) continue;
      this.reasons.delete(name);
      this.dirtyUnits.add(name);
    }
  }

  private record(event: Omit<DashEvent, 'id' | 'time'>): void {
    this.pending.push(this.log.add(event));
  }

  private put(kv: KeyValue, live: boolean): void {
    const parsed = this.layout.parse(kv.key);
    if (parsed === undefined) return;
    try {
      this.putParsed(parsed, kv, live);
    } catch {
      this.invalidKeys++;
    }
  }

  private putParsed(parsed: ParsedKey, kv: KeyValue, live: boolean): void {
    const { name } = parsed;
    if (parsed.kind !== 'state') this.schedulingChanged = true;
    switch (parsed.kind) {
      case 'unit': {
        const replaced = this.files.has(name);
        this.files.set(name, decodeUnit(kv.key, name, kv.value));
        this.touchUnit(name);
        if (live) this.record({ kind: 'unit-submitted', unit: name, message: replaced ? `${name} replaced by a new version` : `${name} submitted` });
        return;
      }
      case 'desired': {
        const desired = decodeDesiredState(kv.key, kv.value);
        const before = this.desired.get(name);
        this.desired.set(name, desired);
        this.dirtyUnits.add(name);
        // A unit's first desired state `inactive` is its submission (fleet's client submits, then starts): no news.
        const news = before === undefined ? desired !== 'inactive' : before !== desired;
        if (live && news) this.record({ kind: 'desired', unit: name, message: `${name} desired state ${desired}` });
        return;
      }
      case 'placement':
        this.place(name, decodePlacement(kv.key, kv.value), live);
        return;
      case 'state':
        this.report(decodeUnitState(kv.key, kv.value), parsed.machine as string, live);
        return;
      case 'machine': {
        const joined = !this.presence.has(name);
        this.presence.set(name, decodeMachine(kv.key, name, kv.value));
        this.dirtyMachines.add(name);
        if (live && joined) this.record({ kind: 'machine-joined', machine: name, message: `machine ${name} joined` });
        return;
      }
      case 'metadata': {
        const machine = parsed.machine as string;
        this.overlay.set(machine, { ...this.overlay.get(machine), [name]: kv.value });
        this.dirtyMachines.add(machine);
        return;
      }
      default:
        return;
    }
  }

  private delete(key: string): void {
    const parsed = this.layout.parse(key);
    if (parsed === undefined) return;
    const { name } = parsed;
    if (parsed.kind !== 'state') this.schedulingChanged = true;
    switch (parsed.kind) {
      case 'unit':
        if (!this.files.delete(name)) return;
        this.touchUnit(name);
        this.reasons.delete(name);
        this.record({ kind: 'unit-destroyed', unit: name, message: `${name} destroyed` });
        return;
      case 'desired':
        this.desired.delete(name);
        this.dirtyUnits.add(name);
        return;
      case 'placement': {
        const machine = this.placements.get(name);
        if (machine === undefined) return;
        this.unplace(name, machine);
        this.revoked.push({ unit: name, machine });
        return;
      }
      case 'state':
        this.forgetState(name, parsed.machine as string);
        return;
      case 'machine':
        if (!this.presence.delete(name)) return;
        this.dirtyMachines.add(name);
        this.record({ kind: 'machine-left', machine: name, message: `machine ${name} left` });
        return;
      case 'metadata': {
        const machine = parsed.machine as string;
        const overlay = { ...this.overlay.get(machine) };
        // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a copied record
        delete overlay[name];
        this.overlay.set(machine, overlay);
        this.dirtyMachines.add(machine);
        return;
      }
      default:
        return;
    }
  }

  private place(unit: string, machine: string, live: boolean): void {
    const before = this.placements.get(unit);
    if (before === machine) return;
    if (before !== undefined) this.unplace(unit, before);
    this.placements.set(unit, machine);
    setOf(this.placedOn, machine).add(unit);
    this.dirtyUnits.add(unit);
    this.dirtyMachines.add(machine);
    if (!live) return;
    // A placement replaced in one write is a move; one removed and written again later shows as revoked, then placed.
    const message = before === undefined ? `${unit} placed on ${machine}` : `${unit} moved from ${before} to ${machine}`;
    this.record({ kind: before === undefined ? 'placed' : 'moved', unit, machine, message });
  }

  private unplace(unit: string, machine: string): void {
    this.placements.delete(unit);
    this.placedOn.get(machine)?.delete(unit);
    this.dirtyUnits.add(unit);
    this.dirtyMachines.add(machine);
  }

  private report(state: UnitState, machine: string, live: boolean): void {
    const byMachine = setMapOf(this.states, state.name);
    const before = byMachine.get(machine);
    byMachine.set(machine, state);
    setOf(this.reportedOn, machine).add(state.name);
    this.dirtyUnits.add(state.name);
    this.dirtyMachines.add(machine);
    if (
      !live ||
      (before !== undefined && before.activeState === state.activeState && before.subState === state.subState && before.loadState === state.loadState)
    ) {
      return;
    }
    this.record({ kind: 'state', unit: state.name, machine, message: `${state.name} on ${machine}: ${describeState(state)}` });
  }

  private forgetState(unit: string, machine: string): void {
    const byMachine = this.states.get(unit);
    if (byMachine?.delete(machine) !== true) return;
    if (byMachine.size === 0) this.states.delete(unit);
    this.reportedOn.get(machine)?.delete(unit);
    this.dirtyUnits.add(unit);
    this.dirtyMachines.add(machine);
  }

  /** A unit's file changed: its record, and the machines that count it (Global may have changed). */
  private touchUnit(name: string): void {
    this.dirtyUnits.add(name);
    for (const machine of this.states.get(name)?.keys() ?? []) this.dirtyMachines.add(machine);
  }

  private unit(name: string): Unit | undefined {
    const file = this.files.get(name);
    const desired = this.desired.get(name) ?? 'inactive';
    if (file === undefined || desired === 'inactive') return file;
    return withDesiredState(file, desired);
  }

  private machine(id: string): Machine | undefined {
    const announced = this.presence.get(id);
    const overlay = this.overlay.get(id);
    if (announced === undefined || overlay === undefined) return announced;
    try {
      return withOperatorMetadata(announced, overlay);
    } catch {
      return announced;
    }
  }

  private flushUnits(): DashChanges['units'] {
    return flushDirty(this.dirtyUnits, this.units, (name) => {
      const unit = this.unit(name);
      return unit === undefined ? undefined : this.unitRecord(unit);
    });
  }

  private flushMachines(): DashChanges['machines'] {
    return flushDirty(this.dirtyMachines, this.machines, (id) => {
      const machine = this.machine(id);
      return machine === undefined ? undefined : this.machineRecord(machine);
    });
  }

  private unitRecord(unit: Unit): DashUnit {
    const machine = this.placements.get(unit.name);
    const byMachine = this.states.get(unit.name);
    const fleetHash = fleetUnitHash(unit.file);
    const reason = this.reasons.get(unit.name);
    const global = isGlobal(unit);
    return {
      name: unit.name,
      desiredState: unit.desiredState,
      currentState: global ? globalCurrentState(byMachine) : currentStateOf(machine, machine === undefined ? undefined : byMachine?.get(machine)),
      ...(machine === undefined ? {} : { machineID: machine }),
      global,
      template: parseUnitName(unit.name).isTemplate,
      hash: fleetHash,
      states: [...(byMachine?.values() ?? [])].sort(byMachineId).map((state) => ({
        machineID: state.machineId,
        load: state.loadState,
        active: state.activeState,
        sub: state.subState,
        hash: state.hash === unit.hash ? fleetHash : '',
        ...(state.message === undefined ? {} : { message: state.message }),
      })),
      ...(reason === undefined ? {} : { unschedulable: reason }),
    };
  }

  private machineRecord(machine: Machine): DashMachine {
    let count = this.placedOn.get(machine.id)?.size ?? 0;
    for (const name of this.reportedOn.get(machine.id) ?? []) {
      const file = this.files.get(name);
      if (file !== undefined && isGlobal(file) && !this.placements.has(name)) count++;
    }
    return { id: machine.id, primaryIP: machine.publicIP ?? '', metadata: { ...machine.metadata }, facts: { ...machine.facts }, units: count };
  }
}

/**
 * The records of the dirty keys that differ from what was last published
 * (`recordOf` undefined: gone), published now; the dirty set is emptied.
 */
function flushDirty<T>(
  dirty: Set<string>,
  published: Map<string, Published<T>>,
  recordOf: (key: string) => T | undefined,
): { upsert: T[]; remove: string[] } | undefined {
  const upsert: T[] = [];
  const remove: string[] = [];
  for (const key of dirty) {
    const record = recordOf(key);
    if (record === undefined) {
      if (published.delete(key)) remove.push(key);
    } else if (publish(published, key, record)) {
      upsert.push(record);
    }
  }
  dirty.clear();
  return upsert.length === 0 && remove.length === 0 ? undefined : { upsert, remove };
}

/** Whether the record changed since it was last published; publishes it if so. */
function publish<T>(published: Map<string, Published<T>>, key: string, record: T): boolean {
  const json = JSON.stringify(record);
  if (published.get(key)?.json === json) return false;
  published.set(key, { record, json });
  return true;
}

/** Each unit file's Global flag, worked out once: a machine's record asks it of every unit the machine reports, at every change there. */
const globalFiles = new WeakMap<Unit['file'], boolean>();

/** fleet's Global option, as @fleetd/plugin-global reads it. */
function isGlobal(unit: Unit): boolean {
  let global = globalFiles.get(unit.file);
  if (global === undefined) {
    global = parseGlobal(fleetOptionsOf(unit.file).get('Global') ?? []);
    globalFiles.set(unit.file, global);
  }
  return global;
}

/**
 * fleet's API calls every global unit inactive (it has no placement); the
 * dashboard says what its machines report: launched where any runs it.
 */
function globalCurrentState(byMachine: ReadonlyMap<string, UnitState> | undefined): CurrentState {
  let current: CurrentState = 'inactive';
  for (const [machine, state] of byMachine ?? []) {
    const onMachine = currentStateOf(machine, state);
    if (onMachine === 'launched') return 'launched';
    if (onMachine === 'loaded') current = 'loaded';
  }
  return current;
}

function describeState(state: UnitState): string {
  if (state.loadState !== 'loaded') return `${state.loadState}, ${state.activeState} (${state.subState})`;
  return `${state.activeState} (${state.subState})`;
}

function byMachineId(a: UnitState, b: UnitState): number {
  return a.machineId < b.machineId ? -1 : a.machineId > b.machineId ? 1 : 0;
}

function setOf<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (set === undefined) map.set(key, (set = new Set()));
  return set;
}

function setMapOf<K, K2, V>(map: Map<K, Map<K2, V>>, key: K): Map<K2, V> {
  let inner = map.get(key);
  if (inner === undefined) map.set(key, (inner = new Map<K2, V>()));
  return inner;
}
