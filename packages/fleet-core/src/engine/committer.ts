import { ErrorCodes, FleetError } from '../errors.js';
import type { Compare, Registry, TxnOp } from '../registry/types.js';
import { MAX_TXN_OPS } from '../registry/types.js';
import type { BindBatch } from '../scheduler/decisions.js';
import { encodePlacement } from '../store/codec.js';
import type { KeyLayout } from '../store/layout.js';
import type { SeenRevisions } from './cluster-mirror.js';

/** One guarded write: its compares must hold for its op to apply. */
interface GuardedWrite {
  readonly unit: string;
  /** The machine a put places the unit on; undefined for a delete. */
  readonly machine: string | undefined;
  readonly guards: readonly Compare[];
  readonly op: TxnOp;
}

export interface FencedCommitOptions {
  readonly registry: Registry;
  readonly layout: KeyLayout;
  readonly seen: SeenRevisions;
  /** The leadership fence; undefined means "not leading" and fails the commit. */
  readonly fence: () => Compare | undefined;
  /** Operations per transaction (etcd's --max-txn-ops). */
  readonly maxTxnOps?: number;
}

/**
 * Commits a round's placements and revocations in transactions of at most
 * 128 operations, each fenced on the engine's leadership term (a deposed
 * engine's writes are refused by the store) and guarded per unit on the
 * revisions the decision was based on. A transaction whose guard fails is
 * retried write by write; writes that still fail are refused, so their units
 * are reconsidered next round instead of overwriting a concurrent change.
 */
export function fencedCommitter(options: FencedCommitOptions): (batch: BindBatch) => Promise<void> {
  const perTxn = Math.floor(((options.maxTxnOps ?? MAX_TXN_OPS) - 1) / 2);
  return async (batch) => {
    const writes = guardedWrites(batch, options);
    for (let start = 0; start < writes.length; start += perTxn) {
      const chunk = writes.slice(start, start + perTxn);
      if (await commitChunk(chunk, options)) continue;
      for (const write of chunk) {
        if (!(await commitChunk([write], options))) batch.refuse(write.unit, 'changed concurrently: reconsidered next round');
      }
    }
  };
}

function guardedWrites(batch: BindBatch, { layout, seen }: FencedCommitOptions): GuardedWrite[] {
  const placed = new Set(batch.placements.map((placement) => placement.unit));
  const guardsOf = (unit: string): Compare[] => [
    { key: layout.placement(unit), target: 'modRevision', op: '==', value: seen.placement(unit) },
    { key: layout.unit(unit), target: 'modRevision', op: '==', value: seen.unit(unit) },
  ];
  const writes: GuardedWrite[] = [];
  for (const placement of batch.placements) {
    if (batch.isRefused(placement.unit)) continue;
    const op: TxnOp = { type: 'put', key: layout.placement(placement.unit), value: encodePlacement(placement.machine) };
    writes.push({ unit: placement.unit, machine: placement.machine, guards: guardsOf(placement.unit), op });
  }
  for (const revocation of batch.revocations) {
    // A move is one overwrite; a unit that is gone has no file left to guard on.
    if (placed.has(revocation.unit) && !batch.isRefused(revocation.unit)) continue;
    const guards = guardsOf(revocation.unit).slice(0, seen.unit(revocation.unit) === 0 ? 1 : 2);
    writes.push({ unit: revocation.unit, machine: undefined, guards, op: { type: 'delete', key: layout.placement(revocation.unit) } });
  }
  return writes;
}

/** True when the chunk applied; false when a unit guard failed; throws when the fence failed. */
async function commitChunk(chunk: readonly GuardedWrite[], { registry, fence, seen }: FencedCommitOptions): Promise<boolean> {
  const term = fence();
  if (term === undefined) throw deposed('no longer the leader');
  const result = await registry.txn({
    compare: [term, ...chunk.flatMap((write) => write.guards)],
    success: chunk.map((write) => write.op),
    failure: [{ type: 'get', key: term.key }],
  });
  if (result.succeeded) {
    // The next round may start before the watch reports these writes: guard on them already.
    for (const write of chunk) seen.recordPlacement(write.unit, result.revision, write.machine);
    return true;
  }
  const [leader] = result.responses;
  const current = leader?.type === 'get' ? leader.kv?.createRevision : undefined;
  if (current !== term.value) throw deposed(`the leadership term ${term.value} is over`);
  return false;
}

function deposed(why: string): FleetError {
  return new FleetError(ErrorCodes.ENGINE_DEPOSED, `placements refused: ${why}`);
}
