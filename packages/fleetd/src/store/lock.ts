/**
 * The data directory lock: `dir/fleetd.pid` holds the PID of the fleetd using
 * the directory (both modes use it), so two daemons never share one store.
 *
 * The file is made complete before it appears (written under a temp name, then
 * hard-linked into place, which fails if the lock exists), so a reader never
 * sees a half-written PID. A lock whose PID is dead, or whose content is not a
 * PID, is stale (a fleetd that was killed) and is taken over. On Linux the
 * file also records the process start time, so a PID reused by an unrelated
 * process after a reboot is not mistaken for a live fleetd.
 */
import { linkSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, FleetError } from '@fleetd/core';

export const LOCK_FILE = 'fleetd.pid';

export interface DataDirLock {
  /** The lock file's path. */
  readonly path: string;
  /** Removes the lock file if it is still ours; idempotent and synchronous (safe in exit handlers). */
  release(): void;
}

/** Lock files this process holds: a second acquire from the same process is refused too. */
const heldHere = new Set<string>();
let exitHookInstalled = false;

/**
 * Whatever ends the process (process.exit on a second signal or a fatal
 * error, a stop that never came), the locks it holds go with it: a stale lock
 * is taken over anyway, but a leftover `fleetd.pid` makes operators think
 * fleetd still runs. One listener for all locks, so many never warn.
 */
function releaseAtExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const path of [...heldHere]) release(path);
  });
}

/** Takes the lock on `dir` (creating it, mode 0700), or fails with `DATA_DIR_LOCKED`. */
export async function acquireDataDirLock(dir: string): Promise<DataDirLock> {
  const path = join(dir, LOCK_FILE);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new FleetError(ErrorCodes.DATA_DIR_INVALID, `${dir}: cannot create the data directory (${codeOf(error)})`, {
      cause: error,
    });
  }
  // Twice at most: a stale lock removed, then created; losing that race to another fleetd is a refusal.
  for (let attempt = 0; attempt < 3; attempt++) {
    if (heldHere.has(path)) throw locked(dir, process.pid);
    if (tryCreate(path)) {
      heldHere.add(path);
      releaseAtExit();
      return { path, release: () => release(path) };
    }
    const holder = readHolder(path);
    if (holder !== undefined && isAlive(holder)) throw locked(dir, holder.pid);
    rmSync(path, { force: true });
  }
  throw new FleetError(ErrorCodes.DATA_DIR_LOCKED, `data directory ${dir} is being locked by several processes at once`);
}

function locked(dir: string, pid: number): FleetError {
  return new FleetError(ErrorCodes.DATA_DIR_LOCKED, `data directory ${dir} is in use by fleetd pid ${pid}; stop it or use another dataDir`);
}

function tryCreate(path: string): boolean {
  const temp = `${path}.${process.pid}.tmp`;
  const start = startTime(process.pid);
  writeFileSync(temp, `${process.pid}\n${start === undefined ? '' : `start=${start}\n`}`, { mode: 0o644 });
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if (codeOf(error) === 'EEXIST') return false;
    throw new FleetError(ErrorCodes.DATA_DIR_INVALID, `${path}: cannot create the lock file (${codeOf(error)})`, {
      cause: error,
    });
  } finally {
    rmSync(temp, { force: true });
  }
}

interface Holder {
  readonly pid: number;
  readonly start: string | undefined;
}

function readHolder(path: string): Holder | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const match = /^(\d+)\n(?:start=(\d+)\n)?$/.exec(text);
  if (match === null) return undefined;
  const pid = Number(match[1]);
  return Number.isSafeInteger(pid) && pid > 0 ? { pid, start: match[2] } : undefined;
}

/** Alive and the same process that wrote the lock (not us: our own lock from a previous life is stale). */
function isAlive(holder: Holder): boolean {
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: alive, owned by another user.
    if (codeOf(error) !== 'EPERM') return false;
  }
  if (holder.start === undefined) return true;
  const now = startTime(holder.pid);
  return now === undefined || now === holder.start;
}

/** The process start time in clock ticks since boot (Linux /proc/PID/stat field 22), or undefined. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const value = fields[19];
    return value !== undefined && /^\d+$/.test(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function release(path: string): void {
  if (!heldHere.delete(path)) return;
  const holder = readHolder(path);
  if (holder?.pid !== process.pid) return;
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

function codeOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : String(error);
}
