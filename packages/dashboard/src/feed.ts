/**
 * The live feed of `GET /fleetd/v1/events` (text/event-stream): the server sends a
 * `snapshot` first and after every reconnect, then `changes`. Shared by the server
 * (fleetd) and the page, which is why this file imports nothing from Node.
 */
export interface DashMachine {
  id: string;
  primaryIP: string;
  metadata: Record<string, string>;
  facts: Record<string, { type: 'bytes' | 'number' | 'string' | 'boolean'; value: number | string | boolean }>;
  /** Units placed on it (globals running there included). */
  units: number;
}

/** What the agent of `machineID` reports about one unit. */
export interface DashUnitState {
  machineID: string;
  load: string;
  active: string;
  sub: string;
  /** fleet's SHA-1 of the version it runs ('' if unknown). */
  hash: string;
  /** Why the agent left it (start vetoed, failed start). */
  message?: string;
}

/** A unit as the dashboard shows it: fleet's unit entity, its states per machine, and why it runs nowhere. */
export interface DashUnit {
  name: string;
  desiredState: 'inactive' | 'loaded' | 'launched';
  /** fleet's API meaning. */
  currentState: 'inactive' | 'loaded' | 'launched';
  /** Placed on (absent: not placed, or global). */
  machineID?: string;
  /** X-Fleet Global=true: runs on every matching machine. */
  global: boolean;
  /** A template (web@.service): cannot be loaded or started. */
  template: boolean;
  /** fleet's SHA-1 of its options (list-unit-files HASH). */
  hash: string;
  /** One per machine that reports it. */
  states: DashUnitState[];
  /** One line when it should run and no machine can take it: "0/3 machines available: ...". */
  unschedulable?: string;
}

/** Something that happened in the cluster, one line for the events view. */
export interface DashEvent {
  /** Increasing. */
  id: number;
  /** ISO 8601. */
  time: string;
  kind: 'placed' | 'moved' | 'revoked' | 'unschedulable' | 'state' | 'unit-submitted' | 'unit-destroyed' | 'desired' | 'machine-joined' | 'machine-left';
  unit?: string;
  machine?: string;
  /** One line: "web.service placed on alpha". */
  message: string;
}

/** `event: snapshot`: replaces everything the page holds (sent first and after every reconnect). */
export interface DashSnapshot {
  revision: number;
  machines: DashMachine[];
  units: DashUnit[];
  events: DashEvent[];
}

/** `event: changes`: what changed since the last message; every key may be absent. */
export interface DashChanges {
  revision: number;
  machines?: { upsert: DashMachine[]; remove: string[] };
  units?: { upsert: DashUnit[]; remove: string[] };
  events?: DashEvent[];
}
