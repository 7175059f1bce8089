/**
 * kill -9: a child process writes as fast as it can, printing each write once
 * acknowledged; it is killed at different moments, and every acknowledged
 * write must be there after reopening (a write in flight at the kill may or
 * may not be: see ./write-outcomes.ts). With a tiny compactAfterBytes the
 * kill lands during compactions too.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { killQuietly, track, untrack, type Cleanable } from '@fleetd/core/testing';
import { describe, expect, it } from 'vitest';
import { openFileRegistry } from '../../src/store/index.js';
import { useTempDirs } from './helpers.js';
import { WriteOutcomes } from './write-outcomes.js';

const tempDir = useTempDirs();
const WRITER = fileURLToPath(new URL('./fixtures/writer.ts', import.meta.url));

/** Runs the writer until `killAfter` acknowledgments, then SIGKILLs it; its output goes to `outcomes`. */
async function writeUntilKilled(dir: string, outcomes: WriteOutcomes, killAfter: number, compactAfterBytes?: number): Promise<number> {
  const args = ['--import', 'tsx', WRITER, dir, ...(compactAfterBytes === undefined ? [] : [String(compactAfterBytes)])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const guard: Cleanable = { cleanupSync: () => killQuietly(child.pid) };
  track(guard);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const before = outcomes.acknowledged;
  try {
    for await (const line of createInterface({ input: child.stdout })) {
      outcomes.record(line);
      if (outcomes.acknowledged - before === killAfter) killQuietly(child.pid, 'SIGKILL');
    }
    expect(await exited, `the writer died on its own: ${stderr}`).toBe('SIGKILL');
  } finally {
    killQuietly(child.pid);
    untrack(guard);
  }
  return outcomes.acknowledged - before;
}

/** Every key holds what its last acknowledged write left, or what a write in flight at the kill made. */
async function expectAllAcknowledged(dir: string, outcomes: WriteOutcomes): Promise<void> {
  const registry = await openFileRegistry({ dir });
  try {
    const { items } = await registry.list('');
    expect(items.filter((kv) => kv.key.startsWith('/leased/'))).toEqual([]);
    expect(outcomes.mismatches(new Map(items.map((kv) => [kv.key, kv.value])))).toEqual([]);
  } finally {
    await registry.close();
  }
}

describe('file registry under kill -9', () => {
  it.each([
    { name: 'early', killAfter: 5 },
    { name: 'after a few hundred writes', killAfter: 300 },
    { name: 'after a couple of thousand writes', killAfter: 2000 },
  ])('keeps every acknowledged write when killed $name', async ({ killAfter }) => {
    const dir = tempDir();
    const outcomes = new WriteOutcomes();
    expect(await writeUntilKilled(dir, outcomes, killAfter)).toBeGreaterThanOrEqual(killAfter);
    await expectAllAcknowledged(dir, outcomes);
  });

  it.each([
    { name: 'once', kills: [400] },
    { name: 'again after restarting on the same directory', kills: [150, 700, 60] },
  ])('keeps every acknowledged write when killed during compactions: $name', async ({ kills }) => {
    const dir = tempDir();
    // Each run writes the same keys again from 0, on what the runs before it left.
    const outcomes = new WriteOutcomes();
    for (const killAfter of kills) {
      await writeUntilKilled(dir, outcomes, killAfter, 1024);
      await expectAllAcknowledged(dir, outcomes);
    }
  });
});
