/**
 * Reading the data directory at open: the snapshot, then the WAL replayed over
 * it. Damage that could hide acknowledged writes stops the open with
 * `DATA_DIR_INVALID` naming the file and line; only a torn last WAL line (a
 * crash in the middle of an append, which was never acknowledged) is dropped.
 */
import { join } from 'node:path';
import { applyWalOp } from './keyspace.js';
import { dataDirError, readOptional, SNAPSHOT_FILE, WAL_FILE } from './files.js';
import { decodeSnapshot, type StoreState } from './snapshot.js';
import { decodeWalRecord } from './wal-format.js';

/** What opening the store found; the daemon logs it. */
export interface StoreRecovery {
  /** Persisted keys after replay. */
  readonly keys: number;
  /** WAL records applied over the snapshot. */
  readonly walRecords: number;
  /** Whether a torn last WAL line (an append cut short by a crash) was dropped. */
  readonly droppedTornRecord: boolean;
}

export async function loadStore(dir: string): Promise<{ state: StoreState; recovery: StoreRecovery }> {
  const snapshotPath = join(dir, SNAPSHOT_FILE);
  const snapshot = await readOptional(snapshotPath);
  const state: StoreState = snapshot === undefined ? { seq: 0, keys: new Map() } : decodeSnapshot(snapshotPath, snapshot);
  const walPath = join(dir, WAL_FILE);
  const wal = await readOptional(walPath);
  const replay = wal === undefined ? { applied: 0, droppedTorn: false } : replayWal(walPath, wal, state);
  return {
    state,
    recovery: { keys: state.keys.size, walRecords: replay.applied, droppedTornRecord: replay.droppedTorn },
  };
}

/**
 * Applies the WAL's records after `state.seq` to `state`. Records must number
 * on without gaps; records the snapshot already includes (left by a crash
 * between writing a snapshot and emptying the WAL) are skipped.
 */
export function replayWal(file: string, text: string, state: StoreState): { applied: number; droppedTorn: boolean } {
  const lines = text.split('\n');
  // Text after the last newline was never a complete append.
  let droppedTorn = lines.pop() !== '';
  let previous: number | undefined;
  let applied = 0;
  for (let i = 0; i < lines.length; i++) {
    const record = decodeWalRecord(lines[i]!);
    if (record === undefined) {
      if (i === lines.length - 1 && !droppedTorn) {
        droppedTorn = true;
        break;
      }
      throw dataDirError(`${file}:${i + 1}: not a WAL record`);
    }
    if (previous === undefined && record.seq > state.seq + 1) {
      throw dataDirError(`${file}:${i + 1}: record ${record.seq} does not follow the snapshot, which ends at record ${state.seq}`);
    }
    if (previous !== undefined && record.seq !== previous + 1) {
      throw dataDirError(`${file}:${i + 1}: record ${record.seq} does not follow record ${previous}`);
    }
    previous = record.seq;
    if (record.seq <= state.seq) continue;
    for (const op of record.ops) applyWalOp(state.keys, op);
    state.seq = record.seq;
    applied += 1;
  }
  return { applied, droppedTorn };
}
