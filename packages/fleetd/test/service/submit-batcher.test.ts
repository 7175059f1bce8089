import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryRegistry, createUnit, ErrorCodes, FleetError } from '@fleetd/core';
import { FleetStore, MAX_UNITS_PER_SUBMIT } from '@fleetd/core/unstable';
import type { Registry, Txn } from '@fleetd/core';
import { SubmitBatcher } from '../../src/service/submit-batcher.js';

const registries: Registry[] = [];
afterEach(async () => {
  for (const registry of registries.splice(0)) await registry.close();
});

/** A memory registry whose transactions are recorded, and can be made to fail. */
function recordedRegistry(options: { readonly maxTxnOps?: number } = {}) {
  const inner = createMemoryRegistry(options);
  registries.push(inner);
  const txns: Txn[] = [];
  let failNext: Error | undefined;
  const registry = new Proxy(inner, {
    get(target, property) {
      if (property === 'txn') {
        return async (txn: Txn) => {
          txns.push(txn);
          const failure = failNext;
          failNext = undefined;
          if (failure !== undefined) throw failure;
          return target.txn(txn);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value.bind(target) as unknown) : value;
    },
  });
  const store = new FleetStore(registry, '/t/');
  return { registry, store, txns, failNextTxn: (error: Error) => (failNext = error) };
}

const unit = (name: string, command = '/bin/true') => createUnit({ name, contents: `[Service]\nExecStart=${command}\n`, desiredState: 'launched' });

describe('submit batcher', () => {
  it('sends a lone unit at once, in a transaction of its own', async () => {
    const { store, txns } = recordedRegistry();
    expect(await new SubmitBatcher(store).submit(unit('a.service'))).toEqual({ created: true });
    expect(txns).toHaveLength(1);
  });

  it('sends the units submitted while transactions are in flight together in the next ones', async () => {
    const { registry, store, txns } = recordedRegistry();
    const batcher = new SubmitBatcher(store);
    const names = Array.from({ length: 100 }, (_, i) => `u${i}.service`);
    const outcomes = await Promise.all(names.map((name) => batcher.submit(unit(name))));
    expect(outcomes.every((outcome) => outcome.created)).toBe(true);
    // The first two go alone, in flight together; the 98 that waited fill transactions of MAX_UNITS_PER_SUBMIT.
    expect(txns.map((txn) => txn.compare?.length)).toEqual([1, 1, MAX_UNITS_PER_SUBMIT, 98 - MAX_UNITS_PER_SUBMIT]);
    expect((await registry.list('/t/units/')).items).toHaveLength(100);
  });

  it('keeps a second submit of a name for a later transaction, which then finds the first stored', async () => {
    const { store } = recordedRegistry();
    const batcher = new SubmitBatcher(store);
    const submits = ['x', 'y', 'a', 'a', 'b'].map((name, i) => batcher.submit(unit(`${name}.service`, i === 3 ? '/bin/false' : '/bin/true')));
    const stored = createUnit({ name: 'a.service', contents: '[Service]\nExecStart=/bin/true\n' });
    expect(await Promise.all(submits)).toEqual([{ created: true }, { created: true }, { created: true }, { created: false, stored }, { created: true }]);
  });

  it('sends a batch unit by unit when the registry finds it too large', async () => {
    const { registry, store, txns } = recordedRegistry({ maxTxnOps: 4 });
    const batcher = new SubmitBatcher(store);
    const outcomes = await Promise.all(['x', 'y', 'a', 'b', 'c'].map((name) => batcher.submit(unit(`${name}.service`))));
    expect(outcomes.every((outcome) => outcome.created)).toBe(true);
    expect(txns.map((txn) => txn.compare?.length)).toEqual([1, 1, 3, 1, 1, 1]);
    expect((await registry.list('/t/units/')).items).toHaveLength(5);
  });

  it('fails every unit of a batch whose transaction failed, and goes on with the next submits', async () => {
    const { store, failNextTxn } = recordedRegistry();
    const batcher = new SubmitBatcher(store);
    const first = [batcher.submit(unit('x.service')), batcher.submit(unit('y.service'))];
    failNextTxn(new FleetError(ErrorCodes.REGISTRY_UNAVAILABLE, 'etcd is away'));
    const failed = [batcher.submit(unit('a.service')), batcher.submit(unit('b.service'))];
    expect(await Promise.all(first)).toEqual([{ created: true }, { created: true }]);
    for (const outcome of failed) await expect(outcome).rejects.toMatchObject({ code: ErrorCodes.REGISTRY_UNAVAILABLE });
    expect(await batcher.submit(unit('a.service'))).toEqual({ created: true });
  });
});
