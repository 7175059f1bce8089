import { describe, expect, it } from 'vitest';
import { assemblePlugins, createMemoryRegistry, createUnit } from '@fleetd/core';
import type { Registry } from '@fleetd/core';
import { FleetStore } from '@fleetd/core/unstable';
import { CoalescedReads } from '../../src/service/coalesced-reads.js';
import { createFleetService } from '../../src/service/index.js';

/** A load whose answers the test releases one by one; each answer is the load's number. */
function controlledLoad() {
  const pending: ((value: number) => void)[] = [];
  let started = 0;
  const load = (): Promise<number> => {
    const number = ++started;
    return new Promise((resolve) => pending.push(() => resolve(number)));
  };
  const release = async (): Promise<void> => {
    pending.shift()?.(0);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { load, release, started: () => started };
}

describe('CoalescedReads', () => {
  it('a read that arrives while a load is in flight gets the next load, never the one in flight', async () => {
    const { load, release, started } = controlledLoad();
    const reads = new CoalescedReads(load);
    const first = reads.read();
    const second = reads.read(); // arrived after load 1 began: load 1 may predate a write acknowledged to it
    const third = reads.read();
    expect(started()).toBe(1);
    await release();
    expect(await first).toBe(1);
    expect(started()).toBe(2);
    await release();
    expect([await second, await third]).toEqual([2, 2]);
  });

  it('at most one load in flight and one waiting, however many reads', async () => {
    const { load, release, started } = controlledLoad();
    const reads = new CoalescedReads(load);
    const all = Array.from({ length: 20 }, () => reads.read());
    await release();
    await release();
    expect(await Promise.all(all)).toEqual([1, ...Array.from({ length: 19 }, () => 2)]);
    expect(started()).toBe(2);
    expect(reads.loads).toBe(2);
  });

  it('a failed load fails its readers only; the next read loads again', async () => {
    let calls = 0;
    const reads = new CoalescedReads(async () => {
      calls++;
      if (calls === 1) throw new Error('registry down');
      return calls;
    });
    await expect(reads.read()).rejects.toThrow('registry down');
    expect(await reads.read()).toBe(2);
  });
});

describe('the fleet service under concurrent reads', () => {
  function countingLists(registry: Registry): { registry: Registry; lists: () => number } {
    let lists = 0;
    const counted = Object.create(registry) as Registry;
    counted.list = (prefix) => {
      lists++;
      return registry.list(prefix);
    };
    return { registry: counted, lists: () => lists };
  }

  it('20 concurrent GET /units cost at most two registry lists, and a read after a write sees it', async () => {
    const base = createMemoryRegistry();
    const { registry, lists } = countingLists(base);
    const store = new FleetStore(base);
    await store.submitUnit(createUnit({ name: 'a.service', contents: '[Service]\nExecStart=/bin/a\n' }));
    const service = createFleetService({
      registry,
      host: await assemblePlugins([]),
      mode: 'standalone',
      machineId: 'm1',
      version: 'test',
      agentEnabled: false,
    });
    const pages = await Promise.all(Array.from({ length: 20 }, () => service.pageUnits({ limit: 100, page: 1 })));
    expect(pages.every((page) => page.items.length === 1)).toBe(true);
    expect(lists()).toBeLessThanOrEqual(2);
    await store.submitUnit(createUnit({ name: 'b.service', contents: '[Service]\nExecStart=/bin/b\n' }));
    expect((await service.listUnits()).map((unit) => unit.name)).toEqual(['a.service', 'b.service']);
  });
});
