/**
 * What the page knows of the cluster, kept from the live feed: machines and units by key,
 * the newest events first (capped), and the state of the connection. Views subscribe and
 * re-render on each applied message; the versions tell them what changed, so a view of
 * the units does not filter and sort 10,000 units again for a batch that only brought events.
 */
import type { DashChanges, DashEvent, DashMachine, DashSnapshot, DashUnit } from '../src/feed.js';

/** Events kept in the page, newest first; older ones are dropped. */
export const EVENT_CAP = 1000;

/** `live`: a snapshot arrived since the last error. `connecting`: none yet. `lost`: the feed broke. */
export type Connection = 'connecting' | 'live' | 'lost';

export class Store {
  readonly machines = new Map<string, DashMachine>();
  readonly units = new Map<string, DashUnit>();
  /** Newest first, at most EVENT_CAP. */
  events: readonly DashEvent[] = [];
  revision = -1;
  connection: Connection = 'connecting';
  /** Bumped at every change subscribers are told of: a view rendered at an older one missed a change. */
  version = 0;
  /** Bumped whenever `machines` (or `units`, `events`) changes: a key for memoized views. */
  machinesVersion = 0;
  unitsVersion = 0;
  eventsVersion = 0;
  private readonly listeners = new Set<() => void>();
  private unitList: { version: number; list: readonly DashUnit[] } | undefined;
  private machineList: { version: number; list: readonly DashMachine[] } | undefined;

  constructor(private readonly eventCap = EVENT_CAP) {}

  /** Replaces everything: sent first and after every reconnect. */
  applySnapshot(snapshot: DashSnapshot): void {
    this.machines.clear();
    this.units.clear();
    for (const machine of snapshot.machines) this.machines.set(machine.id, machine);
    for (const unit of snapshot.units) this.units.set(unit.name, unit);
    this.events = newestFirst(snapshot.events).slice(0, this.eventCap);
    this.revision = snapshot.revision;
    this.connection = 'live';
    this.machinesVersion += 1;
    this.unitsVersion += 1;
    this.eventsVersion += 1;
    this.notify();
  }

  /** Upserts and removals are idempotent; an event already held (by id) is not added twice. */
  applyChanges(changes: DashChanges): void {
    if (changes.machines !== undefined && applyKeyed(this.machines, changes.machines, (machine) => machine.id)) this.machinesVersion += 1;
    if (changes.units !== undefined && applyKeyed(this.units, changes.units, (unit) => unit.name)) this.unitsVersion += 1;
    if (changes.events !== undefined && changes.events.length > 0) this.addEvents(changes.events);
    this.revision = Math.max(this.revision, changes.revision);
    this.notify();
  }

  setConnection(connection: Connection): void {
    if (connection === this.connection) return;
    this.connection = connection;
    this.notify();
  }

  /** Every unit, in no particular order; the same array until the units change. */
  unitArray(): readonly DashUnit[] {
    if (this.unitList?.version !== this.unitsVersion) this.unitList = { version: this.unitsVersion, list: [...this.units.values()] };
    return this.unitList.list;
  }

  /** Every machine by ID; the same array until the machines change. */
  machineArray(): readonly DashMachine[] {
    if (this.machineList?.version !== this.machinesVersion) {
      const list = [...this.machines.values()].sort((a, b) => compareText(a.id, b.id));
      this.machineList = { version: this.machinesVersion, list };
    }
    return this.machineList.list;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private addEvents(events: readonly DashEvent[]): void {
    const newest = this.events[0]?.id ?? -Infinity;
    const fresh = newestFirst(events.filter((event) => event.id > newest));
    if (fresh.length === 0) return;
    this.events = fresh.concat(this.events).slice(0, this.eventCap);
    this.eventsVersion += 1;
  }

  private notify(): void {
    this.version += 1;
    for (const listener of this.listeners) listener();
  }
}

function applyKeyed<T>(map: Map<string, T>, change: { upsert: readonly T[]; remove: readonly string[] }, key: (item: T) => string): boolean {
  let changed = false;
  for (const id of change.remove) changed = map.delete(id) || changed;
  for (const item of change.upsert) {
    map.set(key(item), item);
    changed = true;
  }
  return changed;
}

function newestFirst(events: readonly DashEvent[]): DashEvent[] {
  return [...events].sort((a, b) => b.id - a.id);
}

/** Plain code-unit order: stable, locale-free and fast enough for 10,000 names. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
