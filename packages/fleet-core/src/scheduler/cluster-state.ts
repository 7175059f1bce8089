import { ErrorCodes, FleetError } from '../errors.js';
import type { ClusterView, MachineView, ResolvedUnit } from '../hooks/views.js';
import type { Machine } from '../model/machine.js';
import { createMachine } from '../model/machine.js';
import { needsMachine } from '../model/states.js';
import type { Placement, Unit } from '../model/unit.js';
import { LoadOrder } from './load-order.js';
import type { Resolution, UnitResolver } from './resolve.js';

/** A machine's live record; its `units` set is what least-loaded and conflicts read. */
export class MachineSlot implements MachineView {
  private readonly unitSet = new Set<string>();
  unitsVersion = 0;

  constructor(
    public machine: Machine,
    readonly index: number,
    /** Told when the load changes (the state's load order). */
    private readonly loads?: { loadChanged(slot: MachineSlot): void },
  ) {}

  get id(): string {
    return this.machine.id;
  }

  get metadata(): Readonly<Record<string, string>> {
    return this.machine.metadata;
  }

  get units(): ReadonlySet<string> {
    return this.unitSet;
  }

  get load(): number {
    return this.unitSet.size;
  }

  addUnit(name: string): void {
    if (this.unitSet.has(name)) return;
    this.unitSet.add(name);
    this.unitsVersion++;
    this.loads?.loadChanged(this);
  }

  deleteUnit(name: string): void {
    if (!this.unitSet.delete(name)) return;
    this.unitsVersion++;
    this.loads?.loadChanged(this);
  }

  /** One of its units got a new version: what plugins derived from the units may differ. */
  unitChanged(): void {
    this.unitsVersion++;
  }
}

/** Input of a scheduling round when the caller has no live state. */
export interface SchedulingSnapshot {
  readonly machines: readonly Machine[];
  readonly units: readonly Unit[];
  readonly placements?: readonly Placement[];
}

type MetadataIndex = Map<string, Map<string, MachineSlot[]>>;

/**
 * The cluster the engine schedules against, kept up to date incrementally
 * (a watch mirror calls the setters) so a round never rebuilds it. Placements
 * are kept as written even when their machine is gone: the scheduler decides
 * what to do with them.
 */
export class ClusterState implements ClusterView {
  private sorted: MachineSlot[] = [];
  private readonly slotsById = new Map<string, MachineSlot>();
  private readonly freeIndexes: number[] = [];
  private nextIndex = 0;
  private readonly unitsByName = new Map<string, Unit>();
  /**
   * Each unit's resolution once asked for, until the unit changes: filters
   * look units up per machine (conflicts asks for every unit on a machine),
   * so this is one map lookup instead of a unit lookup plus the resolver's
   * cache lookup and hash check.
   */
  private readonly resolutions = new Map<string, Resolution>();
  /** Units resolved as global, and units not resolved since they last changed: what globalUnitNames reads. */
  private readonly globalUnits = new Set<string>();
  private readonly unresolved = new Set<string>();
  private readonly placedOn = new Map<string, string>();
  private readonly globalsOn = new Map<string, MachineSlot[]>();
  private metadataIndex: MetadataIndex = new Map();
  private keyIndex = new Map<string, MachineSlot[]>();
  private requirementIndex = new Map<string, Set<string>>();
  private readonly loadOrder = new LoadOrder<MachineSlot>(() => this.sorted);
  private changeCount = 0;

  constructor(private readonly resolver: UnitResolver) {}

  /**
   * Counts every change to machines, units, placements and global units. The
   * same version means the same cluster, so a scheduler may reuse what it
   * verified at that version (that every placement still holds).
   */
  get version(): number {
    return this.changeCount;
  }

  static fromSnapshot(snapshot: SchedulingSnapshot, resolver: UnitResolver): ClusterState {
    const state = new ClusterState(resolver);
    for (const machine of snapshot.machines) {
      if (state.slotsById.has(machine.id)) {
        throw new FleetError(ErrorCodes.SNAPSHOT_INVALID, `snapshot lists machine ${machine.id} twice`);
      }
      state.upsertMachine(machine);
    }
    for (const unit of snapshot.units) {
      if (state.unitsByName.has(unit.name)) {
        throw new FleetError(ErrorCodes.SNAPSHOT_INVALID, `snapshot lists unit ${unit.name} twice`, { unit: unit.name });
      }
      state.upsertUnit(unit);
    }
    for (const placement of snapshot.placements ?? []) state.setPlacement(placement.unit, placement.machine);
    return state;
  }

  // ClusterView

  get machines(): readonly MachineSlot[] {
    return this.sorted;
  }

  /** One more than the highest machine index: the size for per-machine arrays. */
  get indexCapacity(): number {
    return this.nextIndex;
  }

  machine(id: string): MachineSlot | undefined {
    return this.slotsById.get(id);
  }

  machinesByIdPrefix(prefix: string): readonly MachineSlot[] {
    const matches: MachineSlot[] = [];
    for (let i = this.insertionPoint(prefix); i < this.sorted.length; i++) {
      const slot = this.sorted[i] as MachineSlot;
      if (!slot.id.startsWith(prefix)) break;
      matches.push(slot);
    }
    return matches;
  }

  unit(name: string): ResolvedUnit | undefined {
    const resolution = this.resolution(name);
    return resolution?.ok ? resolution.unit : undefined;
  }

  unitsWithRequirement(key: string): ReadonlySet<string> {
    let names = this.requirementIndex.get(key);
    if (names === undefined) {
      names = new Set();
      for (const name of this.unitsByName.keys()) {
        if (this.unit(name)?.requirements[key] !== undefined) names.add(name);
      }
      this.requirementIndex.set(key, names);
    }
    return names;
  }

  placementOf(unit: string): MachineSlot | undefined {
    const machineId = this.placedOn.get(unit);
    return machineId === undefined ? undefined : this.slotsById.get(machineId);
  }

  machinesWithMetadata(key: string, value: string): readonly MachineSlot[] {
    return this.metadataValues(key).get(value) ?? [];
  }

  machinesWithMetadataKey(key: string): readonly MachineSlot[] {
    let slots = this.keyIndex.get(key);
    if (slots === undefined) {
      slots = this.sorted.filter((slot) => Object.hasOwn(slot.metadata, key));
      this.keyIndex.set(key, slots);
    }
    return slots;
  }

  machinesByLoad(): Iterable<MachineSlot> {
    return this.loadOrder.machines();
  }

  // Units and placements

  rawUnit(name: string): Unit | undefined {
    return this.unitsByName.get(name);
  }

  units(): IterableIterator<Unit> {
    return this.unitsByName.values();
  }

  resolution(name: string): Resolution | undefined {
    const known = this.resolutions.get(name);
    if (known !== undefined) return known;
    const unit = this.unitsByName.get(name);
    if (unit === undefined) return undefined;
    const resolution = this.resolver.resolve(unit);
    this.resolutions.set(name, resolution);
    this.unresolved.delete(name);
    if (resolution.ok && resolution.unit.global) this.globalUnits.add(name);
    return resolution;
  }

  /**
   * The units resolved as global: kept as units are resolved, so a round
   * resolves only the units that changed since the last one, not every unit.
   */
  globalUnitNames(): ReadonlySet<string> {
    for (const name of this.unresolved) this.resolution(name);
    return this.globalUnits;
  }

  /** The machine ID a unit's placement names, even when that machine is gone. */
  placedMachineId(unit: string): string | undefined {
    return this.placedOn.get(unit);
  }

  placements(): IterableIterator<[unit: string, machine: string]> {
    return this.placedOn.entries();
  }

  /** How many units have a placement. */
  get placementCount(): number {
    return this.placedOn.size;
  }

  upsertMachine(input: Machine): void {
    const machine = createMachine(input);
    this.changeCount++;
    const existing = this.slotsById.get(machine.id);
    this.invalidateMetadata();
    if (existing !== undefined) {
      existing.machine = machine;
      return;
    }
    const slot = new MachineSlot(machine, this.freeIndexes.pop() ?? this.nextIndex++, this.loadOrder);
    this.slotsById.set(machine.id, slot);
    this.sorted.splice(this.insertionPoint(machine.id), 0, slot);
    this.loadOrder.invalidate();
    this.adoptPlacementsOn(slot);
  }

  removeMachine(id: string): void {
    const slot = this.slotsById.get(id);
    if (slot === undefined) return;
    this.changeCount++;
    this.slotsById.delete(id);
    this.sorted = this.sorted.filter((candidate) => candidate !== slot);
    this.loadOrder.invalidate();
    this.freeIndexes.push(slot.index);
    this.invalidateMetadata();
    for (const [unit, machines] of this.globalsOn)
      this.globalsOn.set(
        unit,
        machines.filter((m) => m !== slot),
      );
  }

  upsertUnit(unit: Unit): void {
    const previous = this.unitsByName.get(unit.name);
    this.changeCount++;
    if (previous !== undefined && previous.hash !== unit.hash) {
      this.resolver.forget(unit.name);
      this.resolutions.delete(unit.name);
      this.globalUnits.delete(unit.name);
    }
    if (previous?.hash !== unit.hash) this.unresolved.add(unit.name);
    if (previous?.hash !== unit.hash) this.requirementIndex = new Map();
    this.unitsByName.set(unit.name, unit);
    if (previous !== undefined && previous.hash !== unit.hash) for (const slot of this.globalsOn.get(unit.name) ?? []) slot.unitChanged();
    const slot = this.placementOf(unit.name);
    if (slot === undefined) return;
    if (previous !== undefined && previous.hash !== unit.hash) slot.unitChanged();
    if (needsMachine(unit.desiredState)) slot.addUnit(unit.name);
    else slot.deleteUnit(unit.name);
  }

  removeUnit(name: string): void {
    this.changeCount++;
    if (this.unitsByName.delete(name)) this.requirementIndex = new Map();
    this.resolver.forget(name);
    this.resolutions.delete(name);
    this.globalUnits.delete(name);
    this.unresolved.delete(name);
    this.clearGlobal(name);
  }

  /** Records (or with `undefined`, clears) where a unit is placed, and updates machine loads. */
  setPlacement(unit: string, machineId: string | undefined): void {
    this.changeCount++;
    this.placementOf(unit)?.deleteUnit(unit);
    if (machineId === undefined) {
      this.placedOn.delete(unit);
      return;
    }
    this.placedOn.set(unit, machineId);
    const record = this.unitsByName.get(unit);
    if (record !== undefined && needsMachine(record.desiredState)) this.slotsById.get(machineId)?.addUnit(unit);
  }

  /** Records the machines a global unit runs on, replacing the previous set. */
  setGlobal(unit: string, machines: readonly MachineSlot[]): void {
    this.changeCount++;
    this.clearGlobal(unit);
    if (machines.length === 0) return;
    for (const slot of machines) slot.addUnit(unit);
    this.globalsOn.set(unit, [...machines]);
  }

  clearGlobal(unit: string): void {
    this.changeCount++;
    for (const slot of this.globalsOn.get(unit) ?? []) slot.deleteUnit(unit);
    this.globalsOn.delete(unit);
  }

  globalMachines(unit: string): readonly MachineSlot[] {
    return this.globalsOn.get(unit) ?? [];
  }

  private invalidateMetadata(): void {
    this.metadataIndex = new Map();
    this.keyIndex = new Map();
  }

  private adoptPlacementsOn(slot: MachineSlot): void {
    for (const [unit, machineId] of this.placedOn) {
      const record = this.unitsByName.get(unit);
      if (machineId === slot.id && record !== undefined && needsMachine(record.desiredState)) slot.addUnit(unit);
    }
  }

  private insertionPoint(id: string): number {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.sorted[middle] as MachineSlot).id < id) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private metadataValues(key: string): Map<string, MachineSlot[]> {
    let byValue = this.metadataIndex.get(key);
    if (byValue !== undefined) return byValue;
    byValue = new Map();
    for (const slot of this.sorted) {
      if (!Object.hasOwn(slot.metadata, key)) continue;
      const value = slot.metadata[key] as string;
      const slots = byValue.get(value);
      if (slots === undefined) byValue.set(value, [slot]);
      else slots.push(slot);
    }
    this.metadataIndex.set(key, byValue);
    return byValue;
  }
}
