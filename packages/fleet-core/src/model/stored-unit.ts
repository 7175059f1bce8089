import type { UnitOption } from '../unit/index.js';

/** A unit file as the store holds it (units/<name>): JSON, so etcdctl shows something a person can read. */
export interface StoredUnit {
  readonly options: readonly UnitOption[];
  readonly hash: string;
  /** The file as submitted, when it came as text; display only (fleetctl cat). */
  readonly text?: string;
}

/** The stored form of a unit; defined here so the size limit measures exactly what the store writes. */
export function encodeStoredUnit(unit: {
  readonly file: { readonly options: readonly UnitOption[] };
  readonly hash: string;
  readonly text?: string | undefined;
}): string {
  const stored: StoredUnit = { options: unit.file.options, hash: unit.hash, ...(unit.text === undefined ? {} : { text: unit.text }) };
  return JSON.stringify(stored);
}
