/**
 * kill -9: a child process writes as fast as it can, printing each write once
 * acknowledged; it is killed at different moments, and every acknowledged
 * write must be there after reopening. With a tiny compactAfterBytes the kill
 * lands during compactions too.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { killQuietly, track, untrack, type Cleanable } from '@fleetd/core/testing';
import { describe, expect, it } from 'vitest';
import { openFileRegistry } from '../../src/store/index.js';
import { useTempDirs } from './helpers.js';

const tempDir = useTempDirs();
const WRITER = fileURLToPath(new URL('./fixtures/writer.ts', import.meta.url));

interface Acknowledged {
  /** Key → value of acknowledged puts not deleted since. */
  readonly present: Map<string, string>;
  /** Keys whose acknowledged delete came after their last acknowledged put. */
  readonly deleted: Set<string>;
  count: number;
}

/** Runs the writer until `killAfter` acknowledgments, then SIGKILLs it. */
async function writeUntilKilled(dir: string, killAfter: number, compactAfterBytes?: number): Promise<Acknowledged> {
  const args = ['--import', 'tsx', WRITER, dir, ...(compactAfterBytes === undefined ? [] : [String(compactAfterBytes)])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const guard: Cleanable = { cleanupSync: () => killQuietly(child.pid) };
  track(guard);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const acked: Acknowledged = { present: new Map(), deleted: new Set(), count: 0 };
  try {
    for await (const line of createInterface({ input: child.stdout })) {
      const [kind, key, value] = line.split(' ');
      if (kind === 'put' && key !== undefined && value !== undefined) {
        acked.present.set(key, value);
        acked.deleted.delete(key);
      } else if (kind === 'del' && key !== undefined) {
        acked.present.delete(key);
        acked.deleted.add(key);
      }
      if (kind !== 'ready') acked.count += 1;
      if (acked.count === killAfter) killQuietly(child.pid, 'SIGKILL');
    }
    expect(await exited, `the writer died on its own: ${stderr}`).toBe('SIGKILL');
  } finally {
    killQuietly(child.pid);
    untrack(guard);
  }
  return acked;
}

async function expectAllAcknowledged(dir: string, acked: Acknowledged): Promise<void> {
  const registry = await openFileRegistry({ dir });
  try {
    const { items } = await registry.list('');
    const stored = new Map(items.map((kv) => [kv.key, kv.value]));
    const missing = [...acked.present].filter(([key, value]) => stored.get(key) !== value);
    const resurrected = [...acked.deleted].filter((key) => stored.has(key));
    expect({ missing, resurrected }).toEqual({ missing: [], resurrected: [] });
    expect(items.filter((kv) => kv.key.startsWith('/leased/'))).toEqual([]);
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
    const acked = await writeUntilKilled(dir, killAfter);
    expect(acked.count).toBeGreaterThanOrEqual(killAfter);
    await expectAllAcknowledged(dir, acked);
  });

  it.each([
    { name: 'once', kills: [400] },
    { name: 'again after restarting on the same directory', kills: [150, 700, 60] },
  ])('keeps every acknowledged write when killed during compactions: $name', async ({ kills }) => {
    const dir = tempDir();
    const all: Acknowledged = { present: new Map(), deleted: new Set(), count: 0 };
    for (const killAfter of kills) {
      // Each run writes the same keys again from 0: merge in order, later runs win.
      const acked = await writeUntilKilled(dir, killAfter, 1024);
      for (const key of acked.deleted) {
        all.present.delete(key);
        all.deleted.add(key);
      }
      for (const [key, value] of acked.present) {
        all.present.set(key, value);
        all.deleted.delete(key);
      }
      await expectAllAcknowledged(dir, all);
    }
  });
});
