import type { FleetError } from '../errors.js';
import { withOperatorMetadata } from '../model/machine.js';
import type { Machine } from '../model/machine.js';
import { withDesiredState } from '../model/unit.js';
import type { Unit } from '../model/unit.js';
import type { DesiredState } from '../model/states.js';
import type { KeyValue, WatchEvent } from '../registry/types.js';
import type { ClusterState } from '../scheduler/cluster-state.js';
import { decodeDesiredState, decodeMachine, decodePlacement, decodeUnit } from '../store/codec.js';
import type { KeyLayout, ParsedKey } from '../store/layout.js';
import type { MirrorHandlers } from './mirror.js';

/** The store revisions a fenced write compares against. */
export interface SeenRevisions {
  /** mod revision of placements/<unit>; 0 when absent. */
  placement(unit: string): number;
  /** mod revision of units/<unit>; 0 when absent. */
  unit(unit: string): number;
  /** Records a placement this process wrote (`machine`), or deleted (undefined), at `modRevision`, before its watch event arrives. */
  recordPlacement(unit: string, modRevision: number, machine: string | undefined): void;
}

interface StoredFile {
  /** The unit as stored, inactive; the desired state is applied on top. */
  readonly unit: Unit;
  readonly modRevision: number;
}

/**
 * Feeds a ClusterState from registry keys: unit files and desired states
 * become units, leased presence keys become machines, placements stay
 * placements. Undecodable keys are reported and skipped, never fatal.
 */
export class ClusterMirror implements MirrorHandlers, SeenRevisions {
  private readonly files = new Map<string, StoredFile>();
  private readonly desired = new Map<string, DesiredState>();
  private readonly placementRevisions = new Map<string, number>();
  /** Placements as the store has them: what the state returns to after a failed or refused commit. */
  private readonly stored = new Map<string, string>();
  /** Machines as their agents announce them, before the operator overlay. */
  private readonly announced = new Map<string, Machine>();
  /** Operator metadata by machine ID (fleet's PATCH /machines); wins over announced metadata. */
  private readonly overlay = new Map<string, Map<string, string>>();

  private state: ClusterState;
  /** While a revision is applied: machines whose operator metadata changed, rebuilt once at its end. */
  private pendingMachines: Set<string> | undefined;

  /** `createState` makes the empty state to fill, now and on every re-list. */
  constructor(
    private readonly layout: KeyLayout,
    private readonly createState: () => ClusterState,
    private readonly onChange: () => void,
    private readonly onInvalid: (error: FleetError) => void,
  ) {
    this.state = createState();
  }

  get cluster(): ClusterState {
    return this.state;
  }

  placement(unit: string): number {
    return this.placementRevisions.get(unit) ?? 0;
  }

  unit(unit: string): number {
    return this.files.get(unit)?.modRevision ?? 0;
  }

  recordPlacement(unit: string, modRevision: number, machine: string | undefined): void {
    if (machine === undefined) {
      this.placementRevisions.delete(unit);
      this.stored.delete(unit);
    } else {
      this.placementRevisions.set(unit, modRevision);
      this.stored.set(unit, machine);
    }
  }

  /**
   * Puts the state's placements back to what the store holds. A round that
   * failed half-way, or had writes refused, left decisions in the state that
   * the store never took (and undid some that it did take).
   */
  restorePlacements(): void {
    for (const [unit, machine] of this.stored) {
      if (this.state.placedMachineId(unit) !== machine) this.state.setPlacement(unit, machine);
    }
    for (const [unit] of [...this.state.placements()]) {
      if (!this.stored.has(unit)) this.state.setPlacement(unit, undefined);
    }
  }

  reset(items: readonly KeyValue[]): void {
    this.files.clear();
    this.desired.clear();
    this.placementRevisions.clear();
    this.stored.clear();
    this.announced.clear();
    this.overlay.clear();
    this.state = this.createState();
    // Machines and units first, so placements land on known records.
    const ordered = [...items].sort((a, b) => rank(this.layout.parse(a.key)) - rank(this.layout.parse(b.key)));
    this.pendingMachines = new Set();
    try {
      for (const kv of ordered) this.put(kv);
    } finally {
      this.refreshPendingMachines();
    }
    this.onChange();
  }

  /**
   * Applies watch events; `onChange` only when the cluster state changed.
   * Unit states (most of the registry's traffic: every start and stop on
   * every machine) change nothing an engine decides or an agent runs.
   */
  apply(events: readonly WatchEvent[]): void {
    const version = this.state.version;
    this.pendingMachines = new Set();
    try {
      for (const event of events) {
        if (event.type === 'put') this.put(event.kv);
        else this.remove(event.key);
      }
    } finally {
      this.refreshPendingMachines();
    }
    if (this.state.version !== version) this.onChange();
  }

  /**
   * Machines whose metadata changed in this revision (or listing), rebuilt once
   * each at its end: a PATCH of 128 keys is one revision, and rebuilding the
   * machine per key copied its metadata 128 times.
   */
  private refreshPendingMachines(): void {
    const pending = this.pendingMachines;
    this.pendingMachines = undefined;
    for (const id of pending ?? []) this.refreshMachine(id);
  }

  private put(kv: KeyValue): void {
    const parsed = this.layout.parse(kv.key);
    if (parsed === undefined) return;
    try {
      this.putParsed(parsed, kv);
    } catch (error) {
      this.onInvalid(error as FleetError);
    }
  }

  private putParsed(parsed: ParsedKey, kv: KeyValue): void {
    switch (parsed.kind) {
      case 'unit':
        this.files.set(parsed.name, { unit: decodeUnit(kv.key, parsed.name, kv.value), modRevision: kv.modRevision });
        return this.refreshUnit(parsed.name);
      case 'desired':
        this.desired.set(parsed.name, decodeDesiredState(kv.key, kv.value));
        return this.refreshUnit(parsed.name);
      case 'placement': {
        const machine = decodePlacement(kv.key, kv.value);
        this.state.setPlacement(parsed.name, machine);
        this.recordPlacement(parsed.name, kv.modRevision, machine);
        return;
      }
      case 'machine':
        this.announced.set(parsed.name, decodeMachine(kv.key, parsed.name, kv.value));
        return this.machineChanged(parsed.name);
      case 'metadata':
        return this.setOverlay(parsed.machine as string, parsed.name, kv.value);
      default:
        return;
    }
  }

  private setOverlay(machineId: string, key: string, value: string | undefined): void {
    let metadata = this.overlay.get(machineId);
    if (value !== undefined) {
      if (metadata === undefined) this.overlay.set(machineId, (metadata = new Map<string, string>()));
      metadata.set(key, value);
    } else {
      metadata?.delete(key);
      if (metadata?.size === 0) this.overlay.delete(machineId);
    }
    this.machineChanged(machineId);
  }

  private machineChanged(id: string): void {
    if (this.pendingMachines === undefined) this.refreshMachine(id);
    else this.pendingMachines.add(id);
  }

  /** A machine is known while announced; operator metadata is merged over what it announced. */
  private refreshMachine(id: string): void {
    const machine = this.announced.get(id);
    if (machine === undefined) return;
    const overlay = this.overlay.get(id);
    if (overlay === undefined) return this.state.upsertMachine(machine);
    try {
      this.state.upsertMachine(withOperatorMetadata(machine, Object.fromEntries(overlay)));
    } catch (error) {
      this.onInvalid(error as FleetError);
      this.state.upsertMachine(machine);
    }
  }

  private remove(key: string): void {
    const parsed = this.layout.parse(key);
    if (parsed === undefined) return;
    switch (parsed.kind) {
      case 'unit':
        this.files.delete(parsed.name);
        this.state.removeUnit(parsed.name);
        return;
      case 'desired':
        this.desired.delete(parsed.name);
        return this.refreshUnit(parsed.name);
      case 'placement':
        this.recordPlacement(parsed.name, 0, undefined);
        this.state.setPlacement(parsed.name, undefined);
        return;
      case 'machine':
        this.announced.delete(parsed.name);
        this.state.removeMachine(parsed.name);
        return;
      case 'metadata':
        return this.setOverlay(parsed.machine as string, parsed.name, undefined);
      default:
        return;
    }
  }

  /** A unit is known once its file is; without a desired-state key it is inactive. */
  private refreshUnit(name: string): void {
    const file = this.files.get(name);
    if (file === undefined) return;
    const desired = this.desired.get(name) ?? 'inactive';
    try {
      this.state.upsertUnit(desired === 'inactive' ? file.unit : withDesiredState(file.unit, desired));
    } catch (error) {
      this.onInvalid(error as FleetError);
    }
  }
}

function rank(parsed: ParsedKey | undefined): number {
  if (parsed === undefined) return 3;
  if (parsed.kind === 'placement') return 2;
  if (parsed.kind === 'desired') return 1;
  return 0;
}
