/**
 * Turning what etcd3 / gRPC throw into FleetErrors, and deciding what may be
 * retried. etcd's errors are only told apart by their message text.
 */
import { ErrorCodes, FleetError, type ErrorCode } from '@fleetd/core';
import { isRecoverableError } from 'etcd3';

/** Message fragment → code, first match wins; anything else is REGISTRY_UNAVAILABLE. */
const MESSAGE_CODES: readonly (readonly [string, ErrorCode])[] = [
  ['duplicate key given in txn request', ErrorCodes.REGISTRY_INVALID_ARGUMENT],
  ['key is not provided', ErrorCodes.REGISTRY_INVALID_ARGUMENT],
  ['future revision', ErrorCodes.REGISTRY_INVALID_ARGUMENT],
  ['too large lease TTL', ErrorCodes.REGISTRY_INVALID_ARGUMENT],
  // etcd refuses requests over --max-request-bytes (1.5 MiB) and gRPC messages over 2 MiB.
  ['request is too large', ErrorCodes.REGISTRY_INVALID_ARGUMENT],
  ['larger than max', ErrorCodes.REGISTRY_INVALID_ARGUMENT],
  ['too many operations in txn request', ErrorCodes.REGISTRY_TXN_TOO_LARGE],
  ['requested lease not found', ErrorCodes.REGISTRY_LEASE_NOT_FOUND],
  ['required revision has been compacted', ErrorCodes.REGISTRY_COMPACTED],
];

/** etcd forgets auth tokens when it restarts; etcd3 gets a new one after a unary call fails so. */
export const INVALID_TOKEN = 'invalid auth token';

/** Errors meaning the request never reached etcd's raft log, so even a write may be sent again. */
const NOT_SENT = [
  INVALID_TOKEN,
  'No connection established',
  'ECONNREFUSED',
  'etcdserver: no leader',
  'etcdserver: too many requests',
  'etcdserver: not capable',
  'cooling down after a failure',
];

/** Errors after which a read (or another idempotent call) may be sent again. */
const TRANSIENT = ['etcdserver: leader changed', 'etcdserver: request timed out', 'UNAVAILABLE'];

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export function closedError(): FleetError {
  return new FleetError(ErrorCodes.REGISTRY_CLOSED, 'the registry is closed');
}

/** How a call may be retried: `idempotent` calls after any transient failure, `write`s only when unsent. */
export type RetryMode = 'idempotent' | 'write';

export function canRetry(error: unknown, mode: RetryMode): boolean {
  const message = messageOf(error);
  if (NOT_SENT.some((m) => message.includes(m))) return true;
  if (mode === 'write') return false;
  return isRecoverable(error) || TRANSIENT.some((m) => message.includes(m));
}

function isRecoverable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && isRecoverableError(error as Error);
}

/** A FleetError for anything etcd3 threw; `what` names the call, for the message. */
export function toFleetError(error: unknown, what: string, timeoutMs: number): FleetError {
  if (error instanceof FleetError) return error;
  const message = messageOf(error);
  const rule = MESSAGE_CODES.find(([fragment]) => message.includes(fragment));
  const details = { cause: error };
  if (rule !== undefined) return new FleetError(rule[1], `etcd ${what}: ${etcdReason(message)}`, details);
  return new FleetError(ErrorCodes.REGISTRY_UNAVAILABLE, unavailableMessage(message, what, timeoutMs), details);
}

/** etcd's own words from a gRPC error message ("11 OUT_OF_RANGE: etcdserver: mvcc: …" → "mvcc: …"). */
function etcdReason(message: string): string {
  const at = message.indexOf('etcdserver: ');
  if (at < 0) return message;
  // etcd3 wraps "lease not found" as "Lease <msg> is expired or revoked".
  return message.slice(at + 'etcdserver: '.length).replace(/ is expired or revoked$/, '');
}

function unavailableMessage(message: string, what: string, timeoutMs: number): string {
  if (message.includes('authentication failed')) {
    return `etcd ${what}: etcd rejected the user name or password (${message})`;
  }
  if (message.includes('permission denied')) return `etcd ${what}: permission denied (${message})`;
  if (message.includes('DEADLINE_EXCEEDED') || message.includes('Deadline exceeded')) {
    return `etcd ${what}: no answer within ${timeoutMs} ms (${message})`;
  }
  return `etcd ${what}: etcd is unavailable (${message})`;
}
