/** File names in the data directory and the few file-system steps that make writes durable. */
import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, FleetError } from '@fleetd/core';

export const SNAPSHOT_FILE = 'store.snapshot.json';
export const WAL_FILE = 'store.wal';
/** Temporary files are written next to their target so the rename stays in one file system. */
export const TEMP_SUFFIX = '.tmp';

export function dataDirError(message: string, cause?: unknown): FleetError {
  return new FleetError(ErrorCodes.DATA_DIR_INVALID, message, cause === undefined ? {} : { cause });
}

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

/** The file's text, or undefined when it does not exist. */
export async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw dataDirError(`${path}: cannot be read (${errnoCode(error) ?? String(error)})`, error);
  }
}

/** fsync of a directory: makes a rename or a new file in it survive a power loss. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `dir/name` with `data` atomically: a reader (or a restart after a
 * crash) sees the old file or the new one, never a mix. Temp file in the same
 * directory, write, fsync, rename, fsync the directory.
 */
export async function writeFileAtomic(dir: string, name: string, data: string, fsync: boolean): Promise<void> {
  const temp = join(dir, name + TEMP_SUFFIX);
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(data, 'utf8');
    if (fsync) await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, join(dir, name));
  if (fsync) await syncDir(dir);
}

/** Removes temp files a crash left behind; they were never renamed into place, so they hold nothing acknowledged. */
export async function removeTempFiles(dir: string): Promise<void> {
  await rm(join(dir, SNAPSHOT_FILE + TEMP_SUFFIX), { force: true });
  await rm(join(dir, WAL_FILE + TEMP_SUFFIX), { force: true });
}
