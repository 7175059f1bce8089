import { formatFact } from '@fleetd/core';
import type { MachineFact, MachineFacts } from '@fleetd/core';
import { formatAmount, RESERVED_SUFFIX } from './table.js';
import type { ResourceSpec, ResourceTable } from './table.js';

/** The package machines must run for their capacity to be known, as reasons name it. */
export const PACKAGE_NAME = '@fleetd/plugin-resources';

/**
 * A machine's capacity as its facts announce it, per resource slot of the
 * table. Derived once per machine record (facts change only with it).
 */
export interface MachineCapacity {
  /** False when the machine announces neither `cpu` nor `memory`: the plugin does not run on it. */
  readonly announced: boolean;
  /** The capacity fact's value (0 when absent or unusable). */
  readonly total: Float64Array;
  /** `<name>.reserved` (0 when absent). */
  readonly reserved: Float64Array;
  /** What units placed by fleetd may use: total − reserved. */
  readonly available: Float64Array;
  /** Per slot, why the machine offers none of it (the fact is absent or of another type), or undefined. */
  readonly unusable: readonly (string | undefined)[];
}

function wrongType(factName: string, value: MachineFact, spec: ResourceSpec): string {
  const shown = value.type === 'string' ? JSON.stringify(value.value) : formatFact(value);
  return `the machine announces ${factName} as ${value.type} ${shown}, not ${spec.factType}`;
}

/** A usable fact value, or why it is not usable. */
function readFact(facts: MachineFacts, factName: string, spec: ResourceSpec): number | string | undefined {
  const value = facts[factName];
  if (value === undefined) return undefined;
  return value.type === spec.factType ? value.value : wrongType(factName, value, spec);
}

/** The capacity `facts` announce for every resource of `table`. */
export function machineCapacity(facts: MachineFacts | undefined, table: ResourceTable): MachineCapacity {
  const known = facts ?? {};
  const count = table.specs.length;
  const total = new Float64Array(count);
  const reserved = new Float64Array(count);
  const available = new Float64Array(count);
  const unusable: (string | undefined)[] = [];
  for (const spec of table.specs) {
    const capacity = readFact(known, spec.name, spec);
    const reservation = readFact(known, `${spec.name}${RESERVED_SUFFIX}`, spec);
    let problem: string | undefined;
    if (capacity === undefined) problem = 'the machine has none';
    else if (typeof capacity === 'string') problem = capacity;
    else if (typeof reservation === 'string') problem = reservation;
    unusable.push(problem);
    if (problem !== undefined) continue;
    total[spec.slot] = capacity as number;
    reserved[spec.slot] = typeof reservation === 'number' ? reservation : 0;
    available[spec.slot] = (capacity as number) - (reserved[spec.slot] as number);
  }
  return Object.freeze({ announced: known.cpu !== undefined || known.memory !== undefined, total, reserved, available, unusable: Object.freeze(unusable) });
}

/** Slack for sums of fractional cores (0.1 + 0.2 is not 0.3 in floating point); bytes and counts are whole numbers anyway. */
export const EPSILON = 1e-9;

/** Whether `amount` more fits on top of `used` in the slot's available capacity. */
export function fits(capacity: MachineCapacity, slot: number, used: number, amount: number): boolean {
  return used + amount <= (capacity.available[slot] as number) + EPSILON;
}

/**
 * Why a request does not fit: `memory: requests 2 GiB, 1.5 GiB free of 8 GiB`,
 * `(1 GiB reserved)` appended when the machine reserves some; or why the
 * machine offers none of the resource.
 */
export function shortageReason(spec: ResourceSpec, amount: number, capacity: MachineCapacity, used: number): string {
  const requests = `${spec.name}: requests ${formatAmount(spec.measure, amount)}`;
  if (!capacity.announced) return `${requests}, the machine announces no capacity (${PACKAGE_NAME} does not run on it)`;
  const unusable = capacity.unusable[spec.slot];
  if (unusable !== undefined) return `${requests}, ${unusable}`;
  const free = Math.max(0, (capacity.available[spec.slot] as number) - used);
  const reserved = capacity.reserved[spec.slot] as number;
  const note = reserved > 0 ? ` (${formatAmount(spec.measure, reserved)} reserved)` : '';
  return `${requests}, ${formatAmount(spec.measure, free)} free of ${formatAmount(spec.measure, capacity.total[spec.slot] as number)}${note}`;
}
