/**
 * Setup file of every cluster-demo test file: one three-machine cluster at a
 * time on this host (two at once made them miss their deadlines on 2 cores).
 * A lock instead of `fileParallelism: false`, which vitest runs after every
 * other project, alone: the clusters then run beside the other projects'
 * files, which the root config's sequencer spreads them among.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const LOCK = '/tmp/fleetd-cluster-demo.lock';
const OWNER = join(LOCK, 'pid');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether the lock's holder is gone (killed test run): then the lock is stale. */
function stale(): boolean {
  try {
    return !alive(Number(readFileSync(OWNER, 'utf8')));
  } catch {
    // Just made, its pid not written yet.
    return false;
  }
}

async function acquire(): Promise<void> {
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(OWNER, String(process.pid));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (stale()) rmSync(LOCK, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

function release(): void {
  try {
    if (Number(readFileSync(OWNER, 'utf8')) === process.pid) rmSync(LOCK, { recursive: true, force: true });
  } catch {
    // Not ours, or already gone.
  }
}

await acquire();
process.once('exit', release);
afterAll(release);
