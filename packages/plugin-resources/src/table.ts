import { factNameProblem, formatBytes } from '@fleetd/core';
import type { MachineFactType } from '@fleetd/core';

/** What a declared resource counts: bytes (`disk.ssd: bytes`, requested as `disk.ssd:10G`) or whole things (`gpu: count`). */
export type ResourceKind = 'bytes' | 'count';

/** How a resource is measured: `cpu` in cores (fractions allowed), `memory` and bytes resources in bytes, counts in whole numbers. */
export type ResourceMeasure = 'cores' | 'bytes' | 'count';

/** The two resources every machine has; a unit requests them with `CPU=` and `Memory=`. */
export const BUILT_IN_RESOURCES = Object.freeze(['cpu', 'memory'] as const);

/** `cpu` or `memory`. */
export type BuiltInResource = (typeof BUILT_IN_RESOURCES)[number];

/** A machine reserves `<name>.reserved` of a resource for what runs outside fleetd. */
export const RESERVED_SUFFIX = '.reserved';

/** One resource the plugin schedules: its name, how it is measured, and its position in per-machine arrays. */
export interface ResourceSpec {
  /** `cpu`, `memory` or the declared name: also the name of the machine fact that announces its capacity. */
  readonly name: string;
  /** How it is counted. */
  readonly measure: ResourceMeasure;
  /** Position in checking order: `cpu` 0, `memory` 1, then the declared resources sorted by name. */
  readonly slot: number;
  /** The fact type a machine announces its capacity (and reservation) in. */
  readonly factType: Extract<MachineFactType, 'bytes' | 'number'>;
}

/** Every resource the plugin schedules, in checking order. */
export interface ResourceTable {
  /** Every resource, by slot. */
  readonly specs: readonly ResourceSpec[];
  /** The declared resources' names, sorted (what `Resource=` may request). */
  readonly declared: readonly string[];
  /** The resource of that name, or undefined. */
  get(name: string): ResourceSpec | undefined;
}

function spec(name: string, measure: ResourceMeasure, slot: number): ResourceSpec {
  return Object.freeze({ name, measure, slot, factType: measure === 'bytes' ? 'bytes' : 'number' });
}

/** The table of `cpu`, `memory` and the declared resources (the plugin's `resources` option). */
export function resourceTable(declared: Readonly<Record<string, ResourceKind>> = {}): ResourceTable {
  const names = Object.keys(declared).sort();
  const specs = [spec('cpu', 'cores', 0), spec('memory', 'bytes', 1), ...names.map((name, index) => spec(name, declared[name] as ResourceKind, index + 2))];
  const byName = new Map(specs.map((entry) => [entry.name, entry]));
  return Object.freeze({ specs: Object.freeze(specs), declared: Object.freeze(names), get: (name: string) => byName.get(name) });
}

/** What is wrong with a name declared in the `resources` option, or undefined. */
export function declaredNameProblem(name: string): string | undefined {
  if ((BUILT_IN_RESOURCES as readonly string[]).includes(name))
    return `${name} is built in: request it with ${name === 'cpu' ? 'CPU=' : 'Memory='}, it needs no declaration`;
  if (name.endsWith(RESERVED_SUFFIX)) return `${name} ends in ${RESERVED_SUFFIX}, which names a reservation fact: choose another name`;
  return factNameProblem(name);
}

/** `2 GiB` for bytes, `1.5` for cores and counts (at most three decimals). */
export function formatAmount(measure: ResourceMeasure, amount: number): string {
  if (measure === 'bytes') return formatBytes(amount);
  return String(Math.round(amount * 1000) / 1000);
}

const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/** A non-negative decimal as written in a unit file or an option (`2`, `0.5`, `.5`), or undefined; no signs, exponents or spaces. */
export function parseDecimal(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}
