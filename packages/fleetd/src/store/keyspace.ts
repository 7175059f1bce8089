/**
 * The persisted key space: every key that has no lease, with its value, and
 * the operations the write-ahead log records on it.
 *
 * The same `applyWalOp` runs when a write is committed (to keep the mirror the
 * registry snapshots from) and when the log is replayed at open, so what is
 * replayed is exactly what was recorded.
 */
import type { TxnOp } from '@fleetd/core';

/** Key → value of every persisted (lease-free) key. */
export type KeySpace = Map<string, string>;

/** One change to the persisted key space, as stored in a WAL record. */
export type WalOp = readonly ['put', string, string] | readonly ['del', string] | readonly ['delp', string];

export function applyWalOp(keys: KeySpace, op: WalOp): void {
  switch (op[0]) {
    case 'put':
      keys.set(op[1], op[2]);
      return;
    case 'del':
      keys.delete(op[1]);
      return;
    case 'delp':
      deletePrefix(keys, op[1]);
      return;
  }
}

function deletePrefix(keys: KeySpace, prefix: string): number {
  let deleted = 0;
  for (const key of keys.keys()) {
    if (key.startsWith(prefix) && keys.delete(key)) deleted += 1;
  }
  return deleted;
}

function hasPrefix(keys: KeySpace, prefix: string): boolean {
  for (const key of keys.keys()) if (key.startsWith(prefix)) return true;
  return false;
}

/**
 * The WAL ops for registry ops that were just applied, in order, applied to
 * `keys` as well. Only changes to the persisted key space count: a put with a
 * lease records a delete when it turns a persisted key into a leased one
 * (after a restart that key must be gone, not back at its old value); deletes
 * of leased or missing keys record nothing.
 */
export function persistedEffects(keys: KeySpace, ops: readonly TxnOp[]): WalOp[] {
  const out: WalOp[] = [];
  const record = (op: WalOp): void => {
    applyWalOp(keys, op);
    out.push(op);
  };
  for (const op of ops) {
    switch (op.type) {
      case 'put':
        if (op.lease === undefined) record(['put', op.key, op.value]);
        else if (keys.has(op.key)) record(['del', op.key]);
        break;
      case 'delete':
        if (keys.has(op.key)) record(['del', op.key]);
        break;
      case 'deletePrefix':
        if (hasPrefix(keys, op.prefix)) record(['delp', op.prefix]);
        break;
      case 'get':
        break;
    }
  }
  return out;
}
