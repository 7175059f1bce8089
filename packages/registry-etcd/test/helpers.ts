/**
 * Small helpers shared by the etcd registry tests.
 */
import { expect } from 'vitest';
import type { FleetError, Registry, WatchEvent, Watcher } from '@fleetd/core';
import { waitFor } from '@fleetd/core/testing';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export { waitFor };
export { expectFleetError } from '@fleetd/core/vitest';

/** The time `promise` takes to settle, in ms, and its rejection (undefined if it resolved). */
export async function timed(promise: Promise<unknown>): Promise<{ readonly ms: number; readonly error: unknown }> {
  const started = Date.now();
  try {
    await promise;
    return { ms: Date.now() - started, error: undefined };
  } catch (error) {
    return { ms: Date.now() - started, error };
  }
}

export interface Batch {
  readonly revision: number;
  readonly events: readonly string[];
}

export interface Collector {
  readonly watcher: Watcher;
  readonly batches: Batch[];
  readonly errors: FleetError[];
  revisions(): number[];
}

/** `put k=v` / `delete k`, with `prefix` cut off the key. */
export function describeEvent(event: WatchEvent, prefix: string): string {
  return event.type === 'put' ? `put ${event.kv.key.slice(prefix.length)}=${event.kv.value}` : `delete ${event.key.slice(prefix.length)}`;
}

export async function collect(registry: Registry, prefix: string, fromRevision: number): Promise<Collector> {
  const batches: Batch[] = [];
  const errors: FleetError[] = [];
  const watcher = await registry.watch(prefix, {
    fromRevision,
    onEvents: (events, revision) => batches.push({ revision, events: events.map((e) => describeEvent(e, prefix)) }),
    onError: (error) => errors.push(error),
  });
  return { watcher, batches, errors, revisions: () => batches.map((b) => b.revision) };
}

/** Every batch under `prefix` from `fromRevision` through `toRevision`, read by a fresh watch (etcd's history). */
export async function history(registry: Registry, prefix: string, fromRevision: number, toRevision: number): Promise<Batch[]> {
  const replay = await collect(registry, prefix, fromRevision);
  await waitFor(() => replay.revisions().includes(toRevision), `the replay up to revision ${toRevision}`, 10_000);
  await replay.watcher.close();
  return replay.batches.filter((b) => b.revision <= toRevision);
}

/** Keeps putting `${prefix}n` = counter until stopped; failed puts (etcd down) are retried later. */
export function startWriter(registry: Registry, prefix: string, pauseMs = 5): { stop(): Promise<number>; readonly written: () => number } {
  let running = true;
  let written = 0;
  const loop = (async () => {
    while (running) {
      try {
        await registry.put(`${prefix}n`, String(written));
        written += 1;
      } catch {
        await sleep(50);
      }
      await sleep(pauseMs);
    }
  })();
  return {
    written: () => written,
    stop: async () => {
      running = false;
      await loop;
      return written;
    },
  };
}

/** Asserts revisions are strictly increasing: nothing delivered twice, nothing out of order. */
export function expectIncreasing(revisions: readonly number[]): void {
  const sorted = [...new Set(revisions)].sort((a, b) => a - b);
  expect(revisions).toEqual(sorted);
}
