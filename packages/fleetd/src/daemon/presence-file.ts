/**
 * The presence lease survives a fleetd restart in the data directory, so the
 * next process takes the machine's place back instead of the engine moving
 * every unit away (see MachinePresence `resumeLease`).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LeaseId } from '@fleetd/core';
import { writeFileAtomic } from '../store/files.js';

const FILE = 'presence.json';

interface PresenceRecord {
  readonly machineId: string;
  readonly keyPrefix: string;
  readonly lease: LeaseId;
}

/** The lease a previous fleetd persisted for this machine and prefix; undefined if none or unreadable. */
export async function readPresenceLease(dataDir: string, machineId: string, keyPrefix: string): Promise<LeaseId | undefined> {
  let record: Partial<PresenceRecord>;
  try {
    record = JSON.parse(await readFile(join(dataDir, FILE), 'utf8')) as Partial<PresenceRecord>;
  } catch {
    // Missing or torn: announce afresh, which is always safe.
    return undefined;
  }
  if (record.machineId !== machineId || record.keyPrefix !== keyPrefix || typeof record.lease !== 'string') return undefined;
  return record.lease;
}

export async function writePresenceLease(dataDir: string, record: PresenceRecord): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(dataDir, FILE, JSON.stringify(record), true);
}
