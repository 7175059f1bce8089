/**
 * `MachineMetadata` requirements: parsing (once per unit version) and matching
 * (per machine, without allocating).
 *
 * fleet (job.RequiredTargetMetadata, machine.HasMetadata) knew only `key=value`:
 * the same key repeated means any of its values, different keys must all hold,
 * exact string equality. fleetd keeps that and adds `!=` and the numeric
 * comparisons `>=`, `>`, `<=`, `<`.
 */

/** Every operator a `MachineMetadata` value may use. */
export const METADATA_OPERATORS = Object.freeze(['=', '!=', '>=', '>', '<=', '<'] as const);

export type MetadataOperator = (typeof METADATA_OPERATORS)[number];

/** The operators that compare numbers. */
export const NUMERIC_METADATA_OPERATORS = Object.freeze(['>=', '>', '<=', '<'] as const);

export type NumericMetadataOperator = (typeof NUMERIC_METADATA_OPERATORS)[number];

/** One `MachineMetadata` value split at its operator. */
export interface MetadataExpression {
  readonly key: string;
  readonly operator: MetadataOperator;
  /** Everything after the operator, as written (`a=b=c` has value `b=c`). */
  readonly value: string;
}

/** What `parseMetadataExpression` answers: the expression, or why the value is not one. */
export type MetadataExpressionResult = { readonly ok: true; readonly expression: MetadataExpression } | { readonly ok: false; readonly error: string };

/**
 * All `key=…` values of one key: the machine's value must equal one of them
 * (fleet: "the same key repeated = any of its values").
 */
export interface MetadataEqualityGroup {
  readonly key: string;
  /** Accepted values in file order, without duplicates. */
  readonly values: readonly string[];
  /** `region=us-east-1 or region=us-west-1` */
  readonly text: string;
  /** The rejection reason: `metadata region=us-east-1 or region=us-west-1 not matched`. */
  readonly reason: string;
}

/** `key!=value`: holds when the machine's value differs, including when the machine lacks the key. */
export interface MetadataInequality {
  readonly key: string;
  readonly operator: '!=';
  readonly value: string;
  /** `disk!=hdd` */
  readonly text: string;
  /** `metadata disk!=hdd not matched` */
  readonly reason: string;
}

/** `key>=N`, `key>N`, `key<=N`, `key<N`: the machine's value must be a decimal number that compares so. */
export interface MetadataComparison {
  readonly key: string;
  readonly operator: NumericMetadataOperator;
  /** The number as written (`4`, `-0.5`). */
  readonly value: string;
  readonly number: number;
  /** `cpus>=4` */
  readonly text: string;
}

/** A condition other than `=`: every one of them must hold. */
export type MetadataCondition = MetadataInequality | MetadataComparison;

/**
 * A unit's parsed `MachineMetadata` (and `X-ConditionMachineMetadata`) values.
 * A machine matches when it satisfies every equality group (one value of each)
 * and every condition, and the requirement has no errors.
 */
export interface MetadataRequirement {
  /** `key=value` values grouped by key, in order of first appearance. */
  readonly equals: readonly MetadataEqualityGroup[];
  /** `!=` and numeric conditions in file order, without duplicates. */
  readonly conditions: readonly MetadataCondition[];
  /** One message per value that could not be parsed; a requirement with errors matches no machine. */
  readonly errors: readonly string[];
  /** The errors as one reason (joined with `; `), or undefined when there are none. */
  readonly problem: string | undefined;
}

/** A machine's metadata, as `MachineView.metadata` has it. */
export type MachineMetadata = Readonly<Record<string, string>>;

const NUMERIC: ReadonlySet<string> = new Set(NUMERIC_METADATA_OPERATORS);
const OPERATOR_LIST = '=, !=, >=, >, <= or <';

/**
 * Splits one value at its operator: the first operator found scanning left to
 * right, the two-character form (`!=`, `>=`, `<=`) preferred at a position.
 * So `a>=b` is `a` `>=` `b`, `a=b=c` is `a` `=` `b=c`, `a=>b` is `a` `=` `>b`.
 * Refuses a value without operator, with an empty key, with an empty value
 * after `=` or `!=`, or with a non-number after a numeric operator.
 */
export function parseMetadataExpression(text: string): MetadataExpressionResult {
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    let operator: MetadataOperator | undefined;
    if (ch === 0x21 /* ! */) operator = next === 0x3d ? '!=' : undefined;
    else if (ch === 0x3e /* > */) operator = next === 0x3d ? '>=' : '>';
    else if (ch === 0x3c /* < */) operator = next === 0x3d ? '<=' : '<';
    else if (ch === 0x3d /* = */) operator = '=';
    if (operator === undefined) continue;
    const key = text.slice(0, i);
    const value = text.slice(i + operator.length);
    if (key === '') return { ok: false, error: `${label(text)}: empty key` };
    if (NUMERIC.has(operator)) {
      if (Number.isNaN(parseMetadataNumber(value))) return { ok: false, error: `${label(text)}: ${JSON.stringify(value)} is not a number` };
    } else if (value === '') {
      return { ok: false, error: `${label(text)}: empty value` };
    }
    return { ok: true, expression: { key, operator, value } };
  }
  return { ok: false, error: `${label(text)}: no operator (use ${OPERATOR_LIST})` };
}

/**
 * Parses a unit's `MachineMetadata` values (both spellings, quoted
 * multi-values already split). Never throws: values that cannot be parsed are
 * reported in `errors` (and `problem`), and such a requirement matches no
 * machine. Empty values (two spaces between quoted values) are skipped, as
 * fleet skipped them.
 */
export function parseMetadataRequirement(values: readonly string[]): MetadataRequirement {
  const groups = new Map<string, string[]>();
  const conditions: MetadataCondition[] = [];
  const seen = new Set<string>();
  const errors: string[] = [];
  for (const text of values) {
    if (text === '') continue;
    const result = parseMetadataExpression(text);
    if (!result.ok) {
      if (!errors.includes(result.error)) errors.push(result.error);
      continue;
    }
    const { key, operator, value } = result.expression;
    if (operator === '=') {
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [value]);
      else if (!group.includes(value)) group.push(value);
      continue;
    }
    const conditionText = `${key}${operator}${value}`;
    if (seen.has(conditionText)) continue;
    seen.add(conditionText);
    conditions.push(
      operator === '!='
        ? Object.freeze({ key, operator, value, text: conditionText, reason: notMatched(conditionText) })
        : Object.freeze({ key, operator, value, number: parseMetadataNumber(value), text: conditionText }),
    );
  }
  const equals = [...groups].map(([key, groupValues]): MetadataEqualityGroup => {
    const text = groupValues.map((value) => `${key}=${value}`).join(' or ');
    return Object.freeze({ key, values: Object.freeze(groupValues), text, reason: notMatched(text) });
  });
  return Object.freeze({
    equals: Object.freeze(equals),
    conditions: Object.freeze(conditions),
    errors: Object.freeze(errors),
    problem: errors.length === 0 ? undefined : errors.join('; '),
  });
}

/**
 * A finite decimal number (`4`, `-2`, `+0.5`, `.5`, `1.25`), or NaN for
 * anything else: no exponent, hex, `Infinity`, whitespace, `_` or empty string.
 * Checks characters first, so it allocates nothing.
 */
export function parseMetadataNumber(text: string): number {
  const length = text.length;
  let i = 0;
  const first = text.charCodeAt(0);
  if (first === 0x2b /* + */ || first === 0x2d /* - */) i = 1;
  let digits = 0;
  let dot = false;
  for (; i < length; i++) {
    const ch = text.charCodeAt(i);
    if (ch >= 0x30 && ch <= 0x39) digits++;
    else if (ch === 0x2e /* . */ && !dot) dot = true;
    else return Number.NaN;
  }
  // "1." has digits but ends with the dot: refused, so "1." and "1" never differ by a typo.
  if (digits === 0 || text.charCodeAt(length - 1) === 0x2e) return Number.NaN;
  return Number(text);
}

/** True when `metadata` has `key` as its own property (a key like `constructor` is not inherited). */
function valueOf(metadata: MachineMetadata, key: string): string | undefined {
  return Object.hasOwn(metadata, key) ? metadata[key] : undefined;
}

/** Whether a machine's metadata satisfies one equality group (its value is one of the group's). */
export function matchesEqualityGroup(group: MetadataEqualityGroup, metadata: MachineMetadata): boolean {
  const value = valueOf(metadata, group.key);
  return value !== undefined && group.values.includes(value);
}

const comparisonReasons = new WeakMap<MetadataComparison, Map<string | undefined, string>>();
/** Reasons remembered per comparison: machines share a handful of values, so rejecting them allocates nothing after the first. */
const MAX_REMEMBERED_REASONS = 64;

/**
 * Why a machine fails a `!=` or numeric condition, or undefined when it holds.
 * Numeric reasons carry the machine's value: `metadata cpus>=4 not matched (cpus=2)`,
 * `(cpus=many is not a number)`, `(cpus not set)`.
 */
export function conditionMismatch(condition: MetadataCondition, metadata: MachineMetadata): string | undefined {
  const actual = valueOf(metadata, condition.key);
  if (condition.operator === '!=') return actual === condition.value ? condition.reason : undefined;
  const number = actual === undefined ? Number.NaN : parseMetadataNumber(actual);
  if (compare(condition.operator, number, condition.number)) return undefined;
  return comparisonReason(condition, actual, number);
}

function compare(operator: NumericMetadataOperator, actual: number, wanted: number): boolean {
  switch (operator) {
    case '>=':
      return actual >= wanted;
    case '>':
      return actual > wanted;
    case '<=':
      return actual <= wanted;
    case '<':
      return actual < wanted;
  }
}

function comparisonReason(condition: MetadataComparison, actual: string | undefined, number: number): string {
  let reasons = comparisonReasons.get(condition);
  if (reasons === undefined) {
    reasons = new Map();
    comparisonReasons.set(condition, reasons);
  }
  let reason = reasons.get(actual);
  if (reason !== undefined) return reason;
  const detail =
    actual === undefined ? `${condition.key} not set` : Number.isNaN(number) ? `${condition.key}=${actual} is not a number` : `${condition.key}=${actual}`;
  reason = `${notMatched(condition.text)} (${detail})`;
  if (reasons.size < MAX_REMEMBERED_REASONS) reasons.set(actual, reason);
  return reason;
}

/**
 * Why a machine does not satisfy the requirement, or undefined when it does:
 * the requirement's `problem` if it has errors, else the first equality group
 * that fails (in order of first appearance), else the first failing condition.
 * Allocates nothing for equality groups and `!=`.
 */
export function metadataMismatch(requirement: MetadataRequirement, metadata: MachineMetadata): string | undefined {
  if (requirement.problem !== undefined) return requirement.problem;
  for (const group of requirement.equals) {
    if (!matchesEqualityGroup(group, metadata)) return group.reason;
  }
  for (const condition of requirement.conditions) {
    const reason = conditionMismatch(condition, metadata);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/**
 * What the plugin's filter answers: like `metadataMismatch`, except that a
 * machine failing several equality groups is given the reason of the group
 * `metadataCandidates` narrows by, so a machine gets the same reason whether
 * narrowing left it out or the filter rejected it. The extra index lookups
 * happen only for machines that fail two groups or more.
 */
export function metadataVerdict<M extends { readonly id: string }>(
  requirement: MetadataRequirement,
  metadata: MachineMetadata,
  cluster: MetadataIndex<M>,
): string | undefined {
  if (requirement.problem !== undefined) return requirement.problem;
  const { equals } = requirement;
  let first: MetadataEqualityGroup | undefined;
  for (let g = 0; g < equals.length; g++) {
    const group = equals[g] as MetadataEqualityGroup;
    if (matchesEqualityGroup(group, metadata)) continue;
    if (first === undefined) {
      first = group;
      continue;
    }
    const narrowest = equals[narrowestEqualityGroup(requirement, cluster)] as MetadataEqualityGroup;
    return matchesEqualityGroup(narrowest, metadata) ? first.reason : narrowest.reason;
  }
  if (first !== undefined) return first.reason;
  for (const condition of requirement.conditions) {
    const reason = conditionMismatch(condition, metadata);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/** Whether a machine with `metadata` satisfies the requirement (a requirement with errors matches nothing). */
export function matchesMetadata(requirement: MetadataRequirement, metadata: MachineMetadata): boolean {
  return metadataMismatch(requirement, metadata) === undefined;
}

/** The index lookup narrowing needs (a `ClusterView` has it). */
export interface MetadataIndex<M extends { readonly id: string }> {
  machinesWithMetadata(key: string, value: string): readonly M[];
}

/**
 * The equality group with the fewest machines in `cluster` (ties: the first
 * in order), or -1 without equality groups. Index lookups only: a group
 * costs one map lookup per value.
 */
export function narrowestEqualityGroup<M extends { readonly id: string }>(requirement: MetadataRequirement, cluster: MetadataIndex<M>): number {
  const { equals } = requirement;
  if (equals.length <= 1) return equals.length - 1;
  let best = -1;
  let bestCount = Number.POSITIVE_INFINITY;
  for (let g = 0; g < equals.length; g++) {
    const group = equals[g] as MetadataEqualityGroup;
    let count = 0;
    for (const value of group.values) count += cluster.machinesWithMetadata(group.key, value).length;
    if (count < bestCount) {
      best = g;
      bestCount = count;
    }
  }
  return best;
}

/**
 * The machines that can satisfy the requirement's most selective equality
 * group, sorted by machine ID, and the reason every other machine fails it;
 * undefined when the requirement has no equality group. Every machine left
 * out fails that group, so a filter that reports it agrees with the narrowing.
 */
export function metadataCandidates<M extends { readonly id: string }>(
  requirement: MetadataRequirement,
  cluster: MetadataIndex<M>,
): { readonly group: MetadataEqualityGroup; readonly machines: readonly M[] } | undefined {
  const index = narrowestEqualityGroup(requirement, cluster);
  const group = requirement.equals[index];
  if (group === undefined) return undefined;
  const [only] = group.values;
  if (group.values.length === 1 && only !== undefined) return { group, machines: cluster.machinesWithMetadata(group.key, only) };
  // A machine has one value per key, so the lists are disjoint: concatenate, then sort.
  const machines: M[] = [];
  for (const value of group.values) machines.push(...cluster.machinesWithMetadata(group.key, value));
  machines.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { group, machines };
}

function notMatched(text: string): string {
  return `metadata ${text} not matched`;
}

function label(text: string): string {
  return `MachineMetadata ${JSON.stringify(text)}`;
}
