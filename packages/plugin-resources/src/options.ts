import { parseByteSize } from '@fleetd/core';
import { z } from 'zod';
import { declaredNameProblem, formatAmount, parseDecimal, resourceTable } from './table.js';
import type { ResourceKind, ResourceMeasure, ResourceSpec, ResourceTable } from './table.js';
import type { Strategy } from './points.js';

const OPTION_NAMES = ['strategy', 'resources', 'capacity', 'reserved', 'requestsFromSystemd', 'enforce'] as const;

/** An amount as an operator writes it: a number, or text (`'8G'` for a bytes resource). */
export type AmountInput = number | string;

const amount = z.union([z.number(), z.string()], { error: (issue) => `must be a number or a size such as 8G, got ${JSON.stringify(issue.input)}` });
const amounts = z.record(z.string(), amount, { error: (issue) => `must map resource names to amounts, got ${JSON.stringify(issue.input)}` });
const flag = () => z.boolean({ error: (issue) => `must be true or false, got ${JSON.stringify(issue.input)}` });

/** An amount of `measure` as an option gives it, or the problem. */
export function parseAmountInput(measure: ResourceMeasure, input: AmountInput): number | { readonly problem: string } {
  const text = typeof input === 'number' ? String(input) : input.trim();
  const value =
    typeof input === 'number' ? (Number.isFinite(input) && input >= 0 ? input : undefined) : measure === 'bytes' ? parseByteSize(text) : parseDecimal(text);
  switch (measure) {
    case 'cores':
      return value ?? { problem: `must be a number of cores (4, 0.5), got ${JSON.stringify(input)}` };
    case 'bytes':
      return value !== undefined && Number.isSafeInteger(value)
        ? value
        : { problem: `must be a number of bytes or a size such as 8G or 512M, got ${JSON.stringify(input)}` };
    case 'count':
      return value !== undefined && Number.isInteger(value) ? value : { problem: `must be a whole number, got ${JSON.stringify(input)}` };
  }
}

/** A record field as it stands while parsing (another problem may have left it anything): its entries, or none. */
function entriesOf(value: unknown): [string, unknown][] {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.entries(value) : [];
}

type Problem = { readonly path: string[]; readonly message: string };

/**
 * Every problem of the resource names and amounts, each with its path. It
 * runs even when other fields have problems (so all are reported at once),
 * and so reads the fields defensively: a value of the wrong type is already
 * reported, and skipped here.
 */
function amountProblems(options: unknown): Problem[] {
  const { resources, capacity, reserved } = (options ?? {}) as Record<string, unknown>;
  const problems: Problem[] = [];
  const kinds: Record<string, ResourceKind> = {};
  const declared = new Set<string>();
  for (const [name, kind] of entriesOf(resources)) {
    const problem = declaredNameProblem(name);
    if (problem !== undefined) problems.push({ path: ['resources', name], message: problem });
    declared.add(name);
    if (problem === undefined && (kind === 'bytes' || kind === 'count')) kinds[name] = kind;
  }
  const table = resourceTable(kinds);
  const parsed = { capacity: new Map<string, number>(), reserved: new Map<string, number>() };
  for (const [field, record] of [
    ['capacity', capacity],
    ['reserved', reserved],
  ] as const) {
    for (const [name, input] of entriesOf(record)) {
      const spec = table.get(name);
      if (spec === undefined && !declared.has(name)) {
        problems.push({ path: [field, name], message: `unknown resource ${name}: use cpu, memory or a resource declared in resources` });
      }
      if (spec === undefined || (typeof input !== 'number' && typeof input !== 'string')) continue;
      const value = parseAmountInput(spec.measure, input);
      if (typeof value === 'number') parsed[field].set(name, value);
      else problems.push({ path: [field, name], message: value.problem });
    }
  }
  for (const [name, amount] of parsed.reserved) {
    const total = parsed.capacity.get(name);
    const measure = (table.get(name) as ResourceSpec).measure;
    if (total !== undefined && amount > total) {
      problems.push({ path: ['reserved', name], message: `${formatAmount(measure, amount)} is more than the capacity (${formatAmount(measure, total)})` });
    }
  }
  return problems;
}

/** The plugin's options (zod, strict): each problem is reported as `resources: path: message`. */
export const resourcesOptions = z
  .strictObject(
    {
      /** `spread` (default) prefers the machine with the most free capacity left, `binpack` the one with the least. */
      strategy: z.enum(['spread', 'binpack'], { error: (issue) => `must be spread or binpack, got ${JSON.stringify(issue.input)}` }).default('spread'),
      /** Resources besides cpu and memory that units may request with `Resource=`: name → `bytes` or `count`. */
      resources: z
        .record(z.string(), z.enum(['bytes', 'count'], { error: (issue) => `must be bytes or count, got ${JSON.stringify(issue.input)}` }), {
          error: (issue) => `must map resource names to bytes or count, got ${JSON.stringify(issue.input)}`,
        })
        .default({}),
      /** This machine's capacity, by resource; cpu and memory default to what is measured, declared resources to none. */
      capacity: amounts.default({}),
      /** What this machine keeps for what runs outside fleetd, by resource (default none). */
      reserved: amounts.default({}),
      /** Read a unit's own MemoryMax=/MemoryHigh=/MemoryLimit= and CPUQuota= when its [X-Fleet] section requests nothing of that resource. */
      requestsFromSystemd: flag().default(true),
      /** Install each request as the unit's systemd limits (MemoryMax=, CPUQuota=) in a drop-in. */
      enforce: flag().default(false),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys' ? `unknown option ${issue.keys.join(', ')}; the options are ${OPTION_NAMES.join(', ')}` : undefined,
    },
  )
  .superRefine(
    (options, context) => {
      for (const { path, message } of amountProblems(options)) context.addIssue({ code: 'custom', path, message });
    },
    // Names and amounts are checked even when another field is wrong, so every problem is reported at once.
    { when: () => true },
  );

/** The options `apply` receives, defaults filled in. */
export type ResourcesOptions = z.output<typeof resourcesOptions>;
/** The options as a configuration gives them (every key optional). */
export type ResourcesOptionsInput = z.input<typeof resourcesOptions>;

/** The options turned into what the plugin works with: the resource table and this machine's amounts as numbers. */
export interface ResourceSettings {
  /** How the score ranks machines. */
  readonly strategy: Strategy;
  /** cpu, memory and the declared resources. */
  readonly table: ResourceTable;
  /** Configured capacity by resource (cpu and memory are measured when absent). */
  readonly capacity: ReadonlyMap<string, number>;
  /** Configured reservations by resource. */
  readonly reserved: ReadonlyMap<string, number>;
  /** Whether a unit's own MemoryMax=/MemoryHigh=/MemoryLimit= and CPUQuota= count as its requests. */
  readonly requestsFromSystemd: boolean;
  /** Whether the agent installs `[X-Fleet]` requests as the unit's systemd limits. */
  readonly enforce: boolean;
}

/** Settings from options the schema accepted. */
export function resourceSettings(options: ResourcesOptions): ResourceSettings {
  const table = resourceTable(options.resources);
  const numbers = (record: Readonly<Record<string, AmountInput>>): ReadonlyMap<string, number> =>
    new Map(Object.entries(record).map(([name, input]) => [name, parseAmountInput((table.get(name) as ResourceSpec).measure, input) as number]));
  return Object.freeze({
    strategy: options.strategy,
    table,
    capacity: numbers(options.capacity),
    reserved: numbers(options.reserved),
    requestsFromSystemd: options.requestsFromSystemd,
    enforce: options.enforce,
  });
}
