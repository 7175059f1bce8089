import { describeThrown, ErrorCodes, FleetError } from '../errors.js';
import type { Machine } from '../model/machine.js';
import { createMachine } from '../model/machine.js';
import { factNameProblem, factProblem, MAX_FACTS } from '../model/facts.js';
import type { MachineFacts } from '../model/facts.js';
import { parseUnitState } from '../model/states.js';
import type { DesiredState } from '../model/states.js';
import { encodeStoredUnit, type StoredUnit } from '../model/stored-unit.js';
import { buildUnit } from '../model/build-unit.js';
import type { Unit, UnitState } from '../model/unit.js';
import type { UnitOption } from '../unit/index.js';

// Values are JSON (fleet's API shapes), so etcdctl shows something a person can read.

export function encodeUnitFile(unit: Unit): string {
  return encodeStoredUnit(unit);
}

/** A stored unit file, as an inactive unit (its desired state lives under its own key); the hash is checked, not trusted. */
export function decodeUnit(key: string, name: string, value: string): Unit {
  const stored = parseJson(key, value) as Partial<StoredUnit>;
  if (!Array.isArray(stored.options)) throw invalidData(key, 'has no options list');
  const text = typeof stored.text === 'string' ? stored.text : undefined;
  // Not createUnit: the size limits were applied when the unit was submitted, and a unit stored by
  // an older fleetd with other limits must still be read (and keep running), not become invalid data.
  const unit = guard(key, () => buildUnit({ name, contents: stored.options as UnitOption[], desiredState: 'inactive', text }));
  if (stored.hash !== undefined && stored.hash !== unit.hash) throw invalidData(key, `hash ${stored.hash} does not match its options`);
  return unit;
}

export function decodeDesiredState(key: string, value: string): DesiredState {
  return guard(key, () => parseUnitState(value, 'desired state'));
}

export function encodePlacement(machine: string): string {
  return JSON.stringify({ machine });
}

export function decodePlacement(key: string, value: string): string {
  const stored = parseJson(key, value) as { machine?: unknown };
  if (typeof stored.machine !== 'string' || stored.machine === '') throw invalidData(key, 'names no machine');
  return stored.machine;
}

export function encodeMachine(machine: Machine): string {
  const facts = machine.facts === undefined || Object.keys(machine.facts).length === 0 ? undefined : machine.facts;
  return JSON.stringify({ id: machine.id, metadata: machine.metadata, publicIP: machine.publicIP, version: machine.version, facts });
}

export function decodeMachine(key: string, id: string, value: string): Machine {
  const stored = parseJson(key, value) as Partial<Machine>;
  if (stored.id !== id) throw invalidData(key, `holds machine ${JSON.stringify(stored.id)}`);
  return guard(key, () =>
    createMachine({ id, metadata: stored.metadata ?? {}, publicIP: stored.publicIP, version: stored.version, facts: readableFacts(stored.facts) }),
  );
}

/**
 * The facts of a stored machine this reader can check. One it cannot (a type
 * a newer fleetd announces) is left out rather than the machine: a machine
 * dropped for a fact would have its units moved.
 */
function readableFacts(facts: unknown): MachineFacts | undefined {
  if (typeof facts !== 'object' || facts === null || Array.isArray(facts)) return undefined;
  const readable = Object.entries(facts).filter(([name, value]) => factNameProblem(name) === undefined && factProblem(value) === undefined);
  return Object.fromEntries(readable.slice(0, MAX_FACTS));
}

export function encodeUnitState(state: UnitState): string {
  return JSON.stringify(state);
}

export function decodeUnitState(key: string, value: string): UnitState {
  const stored = parseJson(key, value) as Partial<UnitState>;
  const fields = ['name', 'hash', 'machineId', 'loadState', 'activeState', 'subState'] as const;
  for (const field of fields) if (typeof stored[field] !== 'string') throw invalidData(key, `has no ${field}`);
  return stored as UnitState;
}

function parseJson(key: string, value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalidData(key, 'is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidData(key, 'is not a JSON object');
  return parsed as Record<string, unknown>;
}

function guard<T>(key: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    throw invalidData(key, describeThrown(error));
  }
}

function invalidData(key: string, problem: string): FleetError {
  return new FleetError(ErrorCodes.STORE_DATA_INVALID, `${key}: ${problem}`);
}
