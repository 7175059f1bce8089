import { availableParallelism, totalmem } from 'node:os';
import { fact } from '@fleetd/core';
import type { MachineFact, MachineFacts } from '@fleetd/core';
import type { ResourceSettings } from './options.js';
import { RESERVED_SUFFIX } from './table.js';
import type { ResourceSpec } from './table.js';

/** What this machine measures of itself: its cores and memory. */
export interface MeasuredCapacity {
  /** Cores (`os.availableParallelism()`). */
  readonly cpu: number;
  /** Bytes (`os.totalmem()`). */
  readonly memory: number;
}

/** The host's cores (`os.availableParallelism()`) and memory (`os.totalmem()`). */
export function measureCapacity(): MeasuredCapacity {
  return { cpu: availableParallelism(), memory: totalmem() };
}

function factOf(spec: ResourceSpec, value: number): MachineFact {
  return spec.factType === 'bytes' ? fact.bytes(value) : fact.number(value);
}

/**
 * The facts this machine announces: `cpu` and `memory` (configured, else
 * measured), every declared resource with a configured capacity, and
 * `<name>.reserved` for every non-zero reservation.
 */
export function resourceFacts(settings: Pick<ResourceSettings, 'table' | 'capacity' | 'reserved'>, measured: MeasuredCapacity): MachineFacts {
  const facts: Record<string, MachineFact> = {};
  for (const spec of settings.table.specs) {
    const builtIn = spec.name === 'cpu' ? measured.cpu : spec.name === 'memory' ? measured.memory : undefined;
    const capacity = settings.capacity.get(spec.name) ?? builtIn;
    if (capacity !== undefined) facts[spec.name] = factOf(spec, capacity);
    const reserved = settings.reserved.get(spec.name) ?? 0;
    if (reserved > 0) facts[`${spec.name}${RESERVED_SUFFIX}`] = factOf(spec, reserved);
  }
  return Object.freeze(facts);
}
