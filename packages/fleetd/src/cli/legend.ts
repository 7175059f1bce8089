import { shortMachineId } from '@fleetd/core';
import type { WireMachine, WireUnitOption } from '../api/wire.js';

/**
 * fleet's `machineIDLegend`: the short ID plus `...`, or the full ID with `-l`.
 * fleet's IDs were always 32 characters; an ID no longer than the short form
 * is shown whole (`alpha`, not `alpha...`).
 */
export function machineIdLegend(id: string, full: boolean): string {
  const short = shortMachineId(id);
  return full || short === id ? id : `${short}...`;
}

/** fleet's `machineFullLegend`: the ID legend, then `/publicIP` when known. */
export function machineFullLegend(id: string, machine: WireMachine | undefined, full: boolean): string {
  const legend = machineIdLegend(id, full);
  return machine !== undefined && machine.primaryIP !== '' ? `${legend}/${machine.primaryIP}` : legend;
}

/** Metadata as fleet's list-machines printed it: `k=v` pairs sorted by key, comma-separated. */
export function formatMetadata(metadata: Readonly<Record<string, string>>): string {
  const keys = Object.keys(metadata).sort();
  return keys.length === 0 ? '-' : keys.map((key) => `${key}=${metadata[key] ?? ''}`).join(',');
}

/** fleet's `Hash.Short()`: the first 7 hex digits. */
export function shortHash(hash: string, full: boolean): string {
  if (hash === '') return '-';
  return full ? hash : hash.slice(0, 7);
}

const TRUTHY = new Set(['true', 'yes', '1', 'on', 't']);

/**
 * fleet's `suToGlobal`: `[X-Fleet] Global` (last value wins, true/yes/1/on/t).
 * Global units have no single machine, so waiting follows their desired state.
 */
export function isGlobalUnit(options: readonly WireUnitOption[]): boolean {
  let global = false;
  for (const option of options) {
    if (option.section === 'X-Fleet' && option.name === 'Global') global = TRUTHY.has(option.value.toLowerCase());
  }
  return global;
}
