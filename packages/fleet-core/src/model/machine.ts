import { ErrorCodes, FleetError } from '../errors.js';
import { checkFacts } from './facts.js';
import type { MachineFacts } from './facts.js';

/** A machine of the cluster, as its agent announces it. */
export interface Machine {
  /** Full machine ID (from /etc/machine-id unless configured). */
  readonly id: string;
  /** Operator-given key=value metadata; may change at run time. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly publicIP?: string | undefined;
  /** fleetd version the machine runs. */
  readonly version?: string | undefined;
  /** Typed facts its agent's `machineFacts` taps announced (capacity and the like); `createMachine` always sets it. */
  readonly facts?: MachineFacts | undefined;
}

const MACHINE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const METADATA_KEY = /^[A-Za-z0-9_.-]{1,128}$/;

/** Machine IDs end up in keys and paths, so only a safe alphabet is accepted. */
export function validateMachineId(id: unknown): string {
  if (typeof id === 'string' && MACHINE_ID.test(id)) return id;
  throw new FleetError(
    ErrorCodes.MACHINE_INVALID,
    `machine ID ${JSON.stringify(id)} is invalid: use 1-128 characters of [A-Za-z0-9._-], starting with a letter or digit`,
  );
}

/** Checks a machine description and returns a normalized, frozen copy. */
export function createMachine(input: Machine): Machine {
  const id = validateMachineId(input.id);
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.metadata ?? {})) {
    // __proto__ would silently vanish from a plain object instead of becoming a key.
    if (!METADATA_KEY.test(key) || key === '__proto__' || typeof value !== 'string') {
      throw new FleetError(ErrorCodes.MACHINE_INVALID, `machine ${id}: metadata ${JSON.stringify(key)} must be a key of [A-Za-z0-9_.-] with a string value`);
    }
    metadata[key] = value;
  }
  return Object.freeze({
    id,
    metadata: Object.freeze(metadata),
    publicIP: input.publicIP,
    version: input.version,
    facts: checkFacts(`machine ${id}`, input.facts),
  });
}

/** fleet's short machine ID: the first 8 characters, as `fleetctl list-machines` shows. */
export function shortMachineId(id: string): string {
  return id.slice(0, 8);
}

/**
 * The machine with operator metadata (fleet's PATCH /machines) merged over
 * what its agent announced, by fleet's mergeMetadata rule: the operator's
 * value wins, and an empty operator value (what a PATCH `remove` stores)
 * hides the key, announced or not. Throws like `createMachine` when a merged
 * key or value is invalid.
 */
export function withOperatorMetadata(machine: Machine, overlay: Readonly<Record<string, string>>): Machine {
  const metadata: Record<string, string> = { ...machine.metadata };
  for (const [key, value] of Object.entries(overlay)) {
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a copied record; '' in the overlay removes the key
    if (value === '') delete metadata[key];
    else metadata[key] = value;
  }
  return createMachine({ ...machine, metadata });
}
