import { afterEach, describe, expect, it } from 'vitest';
import { InstrumentedRegistry } from '../__fixtures__/registry.js';
import { waitFor } from '../testing/index.js';
import { createMemoryRegistry, ErrorCodes, FleetError } from '../index.js';
import { RegistryMirror } from '../unstable.js';
import type { MirrorScope } from '../unstable.js';
import type { KeyValue, WatchEvent } from '../index.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A mirror of `scope` that keeps key → value, and counts re-lists. */
async function mirrored(scope: MirrorScope = '/p/') {
  const registry = new InstrumentedRegistry(createMemoryRegistry());
  closers.push(() => registry.close());
  const copy = new Map<string, string>();
  const stats = { resets: 0, errors: [] as string[] };
  const mirror = new RegistryMirror(
    registry,
    scope,
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

describe('registry mirror over several prefixes (an agent watches only what it reads)', () => {
  const scope = ['/p/a/', '/p/c/'];

  it('lists and follows every prefix of its scope, and nothing between them', async () => {
    const { registry, copy, mirror } = await mirrored(scope);
    await registry.put('/p/a/1', 'a1');
    await registry.put('/p/b/1', 'b1');
    await registry.put('/p/c/1', 'c1');
    await mirror.start();
    expect([...copy]).toEqual([
      ['/p/a/1', 'a1'],
      ['/p/c/1', 'c1'],
    ]);
    registry.resetCounts();
    await registry.inner.put('/p/b/2', 'b2');
    await registry.inner.txn({
      success: [
        { type: 'put', key: '/p/a/2', value: 'a2' },
        { type: 'put', key: '/p/b/3', value: 'b3' },
        { type: 'delete', key: '/p/c/1' },
      ],
    });
    await waitFor(() => copy.has('/p/a/2') && !copy.has('/p/c/1'), 'the changes in both prefixes', 2000);
    expect([...copy.keys()].sort()).toEqual(['/p/a/1', '/p/a/2']);
    expect(registry.count('get', 'list')).toBe(0);
    expect(mirror.revision).toBe(await registry.inner.list('/p/').then((list) => list.revision));
  });

  it('resumes each broken watch from the last revision its prefix saw, missing nothing and applying nothing twice', async () => {
    const applied: string[] = [];
    const registry = new InstrumentedRegistry(createMemoryRegistry());
    closers.push(() => registry.close());
    const mirror = new RegistryMirror(
      registry,
      scope,
      {
        reset: () => {},
        apply: (events: readonly WatchEvent[]) => applied.push(...events.map((event) => (event.type === 'put' ? event.kv.key : event.key))),
      },
      { retryDelayMs: 10 },
    );
    closers.push(() => mirror.stop());
    await mirror.start();
    await registry.inner.put('/p/a/before', '1');
    await waitFor(() => applied.length === 1, 'the first change', 2000);
    registry.failing.add('watch');
    registry.breakWatches();
    await registry.inner.put('/p/c/during', '2');
    await registry.inner.put('/p/b/during', 'not watched');
    await registry.inner.put('/p/a/during', '3');
    registry.failing.delete('watch');
    await waitFor(() => applied.length === 3, 'the writes made during the outage', 2000);
    await registry.inner.put('/p/c/after', '4');
    await waitFor(() => applied.length === 4, 'the write after the outage', 2000);
    expect(applied.sort()).toEqual(['/p/a/before', '/p/a/during', '/p/c/after', '/p/c/during']);
  });

  it('re-lists every prefix, once, when the history one would resume from was compacted', async () => {
    const { registry, copy, stats, mirror } = await mirrored(scope);
    await registry.put('/p/a/old', '1');
    await mirror.start();
    registry.failing.add('watch');
    registry.breakWatches();
    await registry.inner.delete('/p/a/old');
    await registry.inner.put('/p/c/new', '2');
    const revision = (await registry.inner.list('/p/')).revision;
    await registry.inner.compact(revision);
    registry.failing.delete('watch');
    registry.breakWatches(new FleetError(ErrorCodes.REGISTRY_COMPACTED, 'compacted', { revision }));
    await waitFor(() => copy.get('/p/c/new') === '2', 'the re-listed state', 2000);
    expect(stats.errors).toContain(ErrorCodes.REGISTRY_COMPACTED);
    expect(stats.resets).toBe(2);
    expect([...copy]).toEqual([['/p/c/new', '2']]);
  });

  it('regression: a resync whose list fails resumes the watches it closed instead of waiting for the next resync', async () => {
    const { registry, copy, stats, mirror } = await mirrored(scope);
    await mirror.start();
    registry.failing.add('list');
    await expect(mirror.resync()).rejects.toMatchObject({ code: ErrorCodes.REGISTRY_UNAVAILABLE });
    registry.failing.delete('list');
    await registry.inner.put('/p/c/after', '1');
    await waitFor(() => copy.get('/p/c/after') === '1', 'the write after the failed resync', 2000);
    expect(stats.errors).toEqual([ErrorCodes.REGISTRY_UNAVAILABLE]);
  });

  it.each([
    { name: 'no prefix', scope: [], message: 'a registry mirror needs at least one prefix to watch' },
    { name: 'a prefix inside another', scope: ['/p/', '/p/a/'], message: 'registry mirror prefixes must not overlap: "/p/" contains "/p/a/"' },
    { name: 'a prefix twice', scope: ['/p/a/', '/p/a/'], message: 'registry mirror prefixes must not overlap: "/p/a/" contains "/p/a/"' },
  ])('refuses a scope with $name', ({ scope: bad, message }) => {
    const registry = createMemoryRegistry();
    closers.push(() => registry.close());
    expect(() => new RegistryMirror(registry, bad, { reset: () => {}, apply: () => {} })).toThrow(
      expect.objectContaining({ code: ErrorCodes.REGISTRY_INVALID_ARGUMENT, message }),
    );
  });
});
