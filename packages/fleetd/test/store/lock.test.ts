/** The data directory lock: one fleetd per directory; stale locks are taken over. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes } from '@fleetd/core';
import { killQuietly, track, untrack } from '@fleetd/core/testing';
import { describe, expect, it } from 'vitest';
import { acquireDataDirLock, LOCK_FILE } from '../../src/store/index.js';
import { expectFleetError, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

/** A PID that is certainly dead: a process that has already exited. */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '0']).pid;
  if (pid === undefined) throw new Error('could not start a process');
  return pid;
}

describe('data directory lock', () => {
  it('writes our PID and removes the file on release', async () => {
    const dir = tempDir();
    const lock = await acquireDataDirLock(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').split('\n')[0]).toBe(String(process.pid));
    lock.release();
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses a second acquire in the same process until released', async () => {
    const dir = tempDir();
    const lock = await acquireDataDirLock(dir);
    const error = await expectFleetError(acquireDataDirLock(dir), ErrorCodes.DATA_DIR_LOCKED);
    expect(error.message).toBe(`data directory ${dir} is in use by fleetd pid ${process.pid}; stop it or use another dataDir`);
    lock.release();
    (await acquireDataDirLock(dir)).release();
  });

  it('refuses a directory locked by another live process', async () => {
    const dir = tempDir();
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const guard = { cleanupSync: () => killQuietly(other.pid) };
    track(guard);
    try {
      writeFileSync(join(dir, LOCK_FILE), `${other.pid}\n`);
      const error = await expectFleetError(acquireDataDirLock(dir), ErrorCodes.DATA_DIR_LOCKED);
      expect(error.message).toBe(`data directory ${dir} is in use by fleetd pid ${other.pid}; stop it or use another dataDir`);
      expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(`${other.pid}\n`);
    } finally {
      killQuietly(other.pid);
      untrack(guard);
    }
  });

  it.each([
    { name: 'a dead PID', content: () => `${deadPid()}\n` },
    { name: 'garbage', content: () => 'not a pid\n' },
    { name: 'an empty file', content: () => '' },
    { name: 'our own PID from an earlier life', content: () => `${process.pid}\n` },
    { name: 'a live PID whose start time differs (reused PID)', content: () => `1\nstart=999999999999\n` },
  ])('takes over a stale lock holding $name', async ({ content }) => {
    const dir = tempDir();
    writeFileSync(join(dir, LOCK_FILE), content());
    const lock = await acquireDataDirLock(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').split('\n')[0]).toBe(String(process.pid));
    lock.release();
  });

  it('release leaves a lock that another process took over', async () => {
    const dir = tempDir();
    const lock = await acquireDataDirLock(dir);
    writeFileSync(join(dir, LOCK_FILE), '1\n');
    lock.release();
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe('1\n');
  });
});
