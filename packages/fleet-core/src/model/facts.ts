import { ErrorCodes, FleetError } from '../errors.js';

/**
 * One fact a machine announces with its presence, typed so that every reader
 * (the engine's plugins, fleetctl, the API, a machine running other plugins)
 * compares and shows it alike without knowing which plugin measured it.
 */
export type MachineFact =
  | { readonly type: 'bytes'; readonly value: number }
  | { readonly type: 'number'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'boolean'; readonly value: boolean };

export type MachineFactType = MachineFact['type'];

/** A machine's facts by name (`cpu`, `memory`, `gpu`, `disk.ssd`): what its agent's `machineFacts` taps measured or were configured with. */
export type MachineFacts = Readonly<Record<string, MachineFact>>;

export const FACT_TYPES: readonly MachineFactType[] = Object.freeze(['bytes', 'number', 'string', 'boolean']);

/** Facts travel in the machine's presence key, so their number and size are bounded. */
export const MAX_FACTS = 256;
export const MAX_FACT_STRING_LENGTH = 1024;

const FACT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Makes facts of each type: `fact.bytes(8 * 2 ** 30)`, `fact.number(4)`. */
export const fact = Object.freeze({
  bytes: (value: number): MachineFact => Object.freeze({ type: 'bytes', value }),
  number: (value: number): MachineFact => Object.freeze({ type: 'number', value }),
  string: (value: string): MachineFact => Object.freeze({ type: 'string', value }),
  boolean: (value: boolean): MachineFact => Object.freeze({ type: 'boolean', value }),
});

/** What is wrong with a fact name, or undefined. */
export function factNameProblem(name: string): string | undefined {
  if (FACT_NAME.test(name) && name !== '__proto__') return undefined;
  return `fact name ${JSON.stringify(name)} is invalid: use 1-128 characters of [A-Za-z0-9_.-], starting with a letter or digit`;
}

/** What is wrong with a fact's value, or undefined. */
export function factProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'must be { type, value } with type bytes, number, string or boolean';
  const { type, value: inner } = value as { type?: unknown; value?: unknown };
  const shown = typeof inner === 'number' ? String(inner) : JSON.stringify(inner);
  switch (type) {
    case 'bytes':
      return Number.isSafeInteger(inner) && (inner as number) >= 0 ? undefined : `bytes must be a whole number >= 0, not ${shown}`;
    case 'number':
      return typeof inner === 'number' && Number.isFinite(inner) ? undefined : `number must be finite, not ${shown}`;
    case 'string':
      if (typeof inner !== 'string') return `string must be a string, not ${shown}`;
      return inner.length <= MAX_FACT_STRING_LENGTH ? undefined : `string is longer than ${MAX_FACT_STRING_LENGTH} characters`;
    case 'boolean':
      return typeof inner === 'boolean' ? undefined : `boolean must be true or false, not ${shown}`;
    default:
      return `type ${JSON.stringify(type)} is not one of ${FACT_TYPES.join(', ')}`;
  }
}

/**
 * Checks a facts record and returns a frozen copy holding only `{ type, value }`
 * per fact; throws MACHINE_INVALID naming `owner` and the fact.
 */
export function checkFacts(owner: string, facts: unknown): MachineFacts {
  if (facts === undefined) return EMPTY_FACTS;
  if (typeof facts !== 'object' || facts === null || Array.isArray(facts)) {
    throw new FleetError(ErrorCodes.MACHINE_INVALID, `${owner}: facts must map fact names to { type, value }`);
  }
  const entries = Object.entries(facts);
  if (entries.length > MAX_FACTS) throw new FleetError(ErrorCodes.MACHINE_INVALID, `${owner}: ${entries.length} facts, more than ${MAX_FACTS}`);
  const checked: Record<string, MachineFact> = {};
  for (const [name, value] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const problem = factNameProblem(name) ?? factProblem(value);
    if (problem !== undefined) {
      throw new FleetError(ErrorCodes.MACHINE_INVALID, `${owner}: fact ${JSON.stringify(name)}: ${problem}`);
    }
    const { type, value: inner } = value as MachineFact;
    checked[name] = Object.freeze({ type, value: inner } as MachineFact);
  }
  return Object.freeze(checked);
}

export const EMPTY_FACTS: MachineFacts = Object.freeze({});

/** Whether two fact records say the same (same names, types and values). */
export function sameFacts(a: MachineFacts, b: MachineFacts): boolean {
  const names = Object.keys(a);
  if (names.length !== Object.keys(b).length) return false;
  return names.every((name) => {
    const other = b[name];
    return other !== undefined && other.type === a[name]?.type && other.value === a[name].value;
  });
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/** `1.5 GiB`, `512 MiB`, `0 B`: at most two decimals, 1024-based as systemd counts. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${String(Math.round(value * 100) / 100)} ${BYTE_UNITS[unit] ?? 'B'}`;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(?:([KMGTPE])(?:i?B?)?|B)?$/i;
const EXPONENT: Readonly<Record<string, number>> = { K: 1, M: 2, G: 3, T: 4, P: 5, E: 6 };

/**
 * A byte size as systemd's resource directives write it: `512M`, `1.5G`,
 * `1024` (bytes), also `2GiB` or `2GB`; every suffix is 1024-based, as
 * systemd counts. Returns undefined for anything else (negative, `infinity`,
 * a percentage, more than 2^53 bytes).
 */
export function parseByteSize(text: string): number | undefined {
  const match = SIZE.exec(text.trim());
  if (match === null) return undefined;
  const amount = Number(match[1]);
  const suffix = match[2]?.toUpperCase();
  const bytes = Math.round(amount * 1024 ** (suffix === undefined ? 0 : (EXPONENT[suffix] ?? 0)));
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** A fact as people read it: `8 GiB`, `4`, `true`, `ssd`. */
export function formatFact(value: MachineFact): string {
  return value.type === 'bytes' ? formatBytes(value.value) : String(value.value);
}

/**
 * Facts in one cell of a table: `cpu=4,memory=7.7GiB`, in name order, sizes
 * without their space so the cell holds no blank (tables are split on blanks).
 */
export function formatFacts(facts: MachineFacts): string {
  return Object.keys(facts)
    .sort()
    .map((name) => `${name}=${formatFact(facts[name] as MachineFact).replace(' ', '')}`)
    .join(',');
}

/**
 * A fact written by a person (a cluster file, a plugin option): a number is a
 * number, true/false a boolean, a size with a unit suffix (`8G`, `512MiB`)
 * bytes, any other text a string; `{ type, value }` says it explicitly
 * (`{ type: bytes, value: 8G }`, `{ type: string, value: 10G }`). Returns a
 * problem string when the value fits no type.
 */
export function factFromInput(input: unknown): MachineFact | string {
  if (typeof input === 'number') return Number.isFinite(input) ? fact.number(input) : `${String(input)} is not a finite number`;
  if (typeof input === 'boolean') return fact.boolean(input);
  if (typeof input === 'string') {
    const bytes = /[KMGTPE]i?B?$|\dB$/i.test(input.trim()) ? parseByteSize(input) : undefined;
    if (bytes !== undefined) return fact.bytes(bytes);
    return input.length <= MAX_FACT_STRING_LENGTH ? fact.string(input) : `longer than ${MAX_FACT_STRING_LENGTH} characters`;
  }
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const { type, value } = input as { type?: unknown; value?: unknown };
    if (type === 'bytes' && typeof value === 'string') {
      const bytes = parseByteSize(value);
      return bytes === undefined ? `${JSON.stringify(value)} is not a byte size (512M, 8G, 1.5GiB)` : fact.bytes(bytes);
    }
    return factProblem(input) ?? (input as MachineFact);
  }
  return 'expected a number, true/false, a size (8G), text, or { type, value }';
}
