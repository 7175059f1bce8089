/**
 * Argument checks and compare evaluation shared by registry implementations:
 * they reject what etcd rejects, with the same error codes.
 */
import { ErrorCodes, FleetError, type ErrorCode } from '../errors.js';
import { compareUtf8, isWellFormed } from './keys.js';

export { isWellFormed };
import { MAX_LEASE_TTL_SECONDS, type Compare, type KeyValue, type LeaseId, type TxnOp } from './types.js';

const LEASE_ID_PATTERN = /^[1-9][0-9]{0,18}$/;
const INT64_MAX = (1n << 63n) - 1n;

export function fail(code: ErrorCode, message: string, details: { revision?: number } = {}): never {
  throw new FleetError(code, message, details);
}

export function invalid(message: string): never {
  fail(ErrorCodes.REGISTRY_INVALID_ARGUMENT, message);
}

export function checkKey(key: unknown, what = 'key'): string {
  if (typeof key !== 'string') invalid(`${what} must be a string`);
  if (key.length === 0) invalid(`${what} must not be empty`);
  if (!isWellFormed(key)) invalid(`${what} is not valid UTF-8 (lone surrogate)`);
  return key;
}

export function checkPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string') invalid('prefix must be a string');
  if (!isWellFormed(prefix)) invalid('prefix is not valid UTF-8 (lone surrogate)');
  return prefix;
}

export function checkValue(value: unknown): string {
  if (typeof value !== 'string') invalid('value must be a string');
  if (!isWellFormed(value)) invalid('value is not valid UTF-8 (lone surrogate)');
  return value;
}

export function checkLeaseId(lease: unknown): LeaseId {
  if (typeof lease !== 'string' || !LEASE_ID_PATTERN.test(lease) || BigInt(lease) > INT64_MAX) {
    invalid(`lease ID must be a positive int64 in decimal, got ${JSON.stringify(lease)}`);
  }
  return lease;
}

export function checkRevision(revision: unknown, what: string): number {
  if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 1) {
    invalid(`${what} must be an integer >= 1, got ${String(revision)}`);
  }
  return revision;
}

export function checkPositiveInt(value: number | undefined, fallback: number, what: string, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) invalid(`${what} must be an integer >= ${min}`);
  return value;
}

const COMPARE_OPS = new Set(['==', '!=', '<', '>']);
const NUMERIC_TARGETS = new Set(['version', 'createRevision', 'modRevision']);

export function checkCompare(c: Compare): void {
  if (typeof c !== 'object' || c === null) invalid('compare must be an object');
  checkKey(c.key, 'compare key');
  if (!COMPARE_OPS.has(c.op)) invalid(`unknown compare op ${JSON.stringify(c.op)}`);
  if (c.target === 'value') {
    checkValue(c.value);
  } else if (NUMERIC_TARGETS.has(c.target)) {
    if (!Number.isSafeInteger(c.value)) invalid(`compare ${c.target} needs an integer value`);
  } else {
    invalid(`unknown compare target ${JSON.stringify((c as { target: unknown }).target)}`);
  }
}

export function checkOp(op: TxnOp): void {
  if (typeof op !== 'object' || op === null) invalid('txn op must be an object');
  switch (op.type) {
    case 'put':
      checkKey(op.key);
      checkValue(op.value);
      if (op.lease !== undefined) checkLeaseId(op.lease);
      return;
    case 'delete':
    case 'get':
      checkKey(op.key);
      return;
    case 'deletePrefix':
      checkPrefix(op.prefix);
      return;
    default:
      invalid(`unknown txn op ${JSON.stringify((op as { type: unknown }).type)}`);
  }
}

/**
 * etcd's `checkIntervals` (etcdserver/api/v3rpc/key.go): within one branch a
 * key may not be put twice, nor put and deleted; deletes may overlap.
 */
export function checkDuplicates(ops: readonly TxnOp[]): void {
  const deletedKeys = new Set<string>();
  const deletedPrefixes: string[] = [];
  for (const op of ops) {
    if (op.type === 'delete') deletedKeys.add(op.key);
    else if (op.type === 'deletePrefix') deletedPrefixes.push(op.prefix);
  }
  const puts = new Set<string>();
  for (const op of ops) {
    if (op.type !== 'put') continue;
    if (puts.has(op.key) || deletedKeys.has(op.key) || deletedPrefixes.some((p) => op.key.startsWith(p))) {
      invalid(`duplicate key given in txn request: ${JSON.stringify(op.key)}`);
    }
    puts.add(op.key);
  }
}

export function compareHolds(c: Compare, kv: KeyValue | undefined): boolean {
  let cmp: number;
  if (c.target === 'value') {
    // etcd applyCompare: a value compare on a missing key always fails.
    if (kv === undefined) return false;
    cmp = compareUtf8(kv.value, c.value);
  } else {
    const actual = kv === undefined ? 0 : kv[c.target];
    cmp = actual - c.value;
  }
  switch (c.op) {
    case '==':
      return cmp === 0;
    case '!=':
      return cmp !== 0;
    case '<':
      return cmp < 0;
    case '>':
      return cmp > 0;
  }
}

/** A lease TTL as etcd accepts it: a whole number of seconds, 0 to `max`. */
export function checkTtl(ttlSeconds: unknown, max = MAX_LEASE_TTL_SECONDS): number {
  if (typeof ttlSeconds !== 'number' || !Number.isFinite(ttlSeconds)) {
    invalid(`lease TTL must be a finite number, got ${String(ttlSeconds)}`);
  }
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 0) {
    invalid(`lease TTL must be a whole number of seconds >= 0, got ${ttlSeconds}`);
  }
  if (ttlSeconds > max) invalid(`lease TTL ${ttlSeconds} is too large (etcd allows at most ${max})`);
  return ttlSeconds;
}
