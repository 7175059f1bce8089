import { afterEach, describe, expect, it } from 'vitest';
import { InstrumentedRegistry } from '../__fixtures__/registry.js';
import { waitFor } from '../testing/index.js';
import { createMemoryRegistry, ErrorCodes, FleetError } from '../index.js';
import { RegistryMirror } from '../unstable.js';
import type { KeyValue, WatchEvent } from '../index.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A mirror that keeps key → value, and counts re-lists. */
async function mirrored() {
  const registry = new InstrumentedRegistry(createMemoryRegistry());
  closers.push(() => registry.close());
  const copy = new Map<string, string>();
  const stats = { resets: 0, errors: [] as string[] };
  const mirror = new RegistryMirror(
    registry,
    '/p/',
    {
      reset: (items: readonly KeyValue[]) => {
        stats.resets++;
        copy.clear();
        for (const kv of items) copy.set(kv.key, kv.value);
      },
      apply: (events: readonly WatchEvent[]) => {
        for (const event of events) {
          if (event.type === 'put') copy.set(event.kv.key, event.kv.value);
          else copy.delete(event.key);
        }
      },
    },
    { retryDelayMs: 10, onError: (error) => stats.errors.push(error.code) },
  );
  closers.push(() => mirror.stop());
  return { registry, copy, stats, mirror };
}

describe('registry mirror', () => {
  it('lists, then follows changes without reading again', async () => {
    const { registry, copy, mirror } = await mirrored();
    await registry.put('/p/a', '1');
    await mirror.start();
    expect([...copy]).toEqual([['/p/a', '1']]);
    registry.resetCounts();
    await registry.inner.put('/p/b', '2');
    await registry.inner.delete('/p/a');
    await registry.inner.put('/other', 'x');
    await waitFor(() => copy.has('/p/b') && !copy.has('/p/a'), 'the changes', 2000);
    expect(registry.count('get', 'list')).toBe(0);
    expect(mirror.revision).toBeGreaterThan(0);
  });

  it('resumes a broken watch from the last revision it saw, missing nothing', async () => {
    const { registry, copy, stats, mirror } = await mirrored();
    await mirror.start();
    registry.failing.add('watch');
    registry.breakWatches();
    await registry.inner.put('/p/during', 'outage');
    await waitFor(() => stats.errors.length >= 2, 'a failed retry', 2000);
    registry.failing.delete('watch');
    await waitFor(() => copy.get('/p/during') === 'outage', 'the write made during the outage', 2000);
    expect(stats.resets).toBe(1);
  });

  it('re-lists when the history it would resume from was compacted', async () => {
    const { registry, copy, stats, mirror } = await mirrored();
    await mirror.start();
    registry.failing.add('watch');
    registry.breakWatches();
    await registry.inner.put('/p/x', '1');
    await registry.inner.delete('/p/x');
    await registry.inner.put('/p/y', '2');
    const revision = (await registry.inner.list('/p/')).revision;
    await registry.inner.compact(revision);
    registry.failing.delete('watch');
    registry.breakWatches(new FleetError(ErrorCodes.REGISTRY_COMPACTED, 'compacted', { revision }));
    await waitFor(() => copy.get('/p/y') === '2', 'the re-listed state', 2000);
    expect(stats.errors).toContain(ErrorCodes.REGISTRY_COMPACTED);
    expect(copy.has('/p/x')).toBe(false);
  });
});
