/**
 * The write-ahead log's format: one JSON object per line, one line per
 * committed revision that changed the persisted key space:
 *
 *     {"seq":13,"rev":41,"ops":[["put","/k","v"],["del","/k2"],["delp","/dir/"]]}
 *
 * `seq` numbers records without gaps across restarts and compactions (the
 * snapshot says which `seq` it includes); `rev` is the registry revision the
 * record was committed at in the process that wrote it, for people reading
 * the file (revisions restart when the store is reopened; `seq` does not).
 */
import type { WalOp } from './keyspace.js';

export interface WalRecord {
  readonly seq: number;
  readonly rev: number;
  readonly ops: readonly WalOp[];
}

export function encodeWalRecord(record: WalRecord): string {
  return `${JSON.stringify({ seq: record.seq, rev: record.rev, ops: record.ops })}\n`;
}

/** The record on `line`, or undefined when the line is not one. */
export function decodeWalRecord(line: string): WalRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { seq, rev, ops } = parsed as Record<string, unknown>;
  if (!isCount(seq) || seq < 1 || !isCount(rev) || !Array.isArray(ops) || ops.length === 0) return undefined;
  if (!ops.every(isWalOp)) return undefined;
  return { seq, rev, ops };
}

export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isWalOp(op: unknown): op is WalOp {
  if (!Array.isArray(op) || !op.every((part) => typeof part === 'string')) return false;
  return op[0] === 'put' ? op.length === 3 : (op[0] === 'del' || op[0] === 'delp') && op.length === 2;
}
