import { describe, expect, it } from 'vitest';
import { LoadOrder } from './load-order.js';

class Machine {
  constructor(
    readonly id: string,
    readonly index: number,
    public load = 0,
  ) {}
}

/** Machines sorted by ID, with an order over them; `setLoad` tells the order as a machine slot does. */
function cluster(loads: Record<string, number>) {
  let byId = Object.entries(loads)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([id, load], index) => new Machine(id, index, load));
  const order = new LoadOrder<Machine>(() => byId);
  return {
    order,
    ids: () => [...order.machines()].map((machine) => machine.id),
    setLoad(id: string, load: number) {
      const machine = byId.find((candidate) => candidate.id === id) as Machine;
      machine.load = load;
      order.loadChanged(machine);
    },
    remove(id: string) {
      byId = byId.filter((machine) => machine.id !== id);
      order.invalidate();
    },
    add(id: string, index: number, load: number) {
      byId = [...byId, new Machine(id, index, load)].sort((a, b) => (a.id < b.id ? -1 : 1));
      order.invalidate();
    },
  };
}

describe('LoadOrder', () => {
  it.each([
    { name: 'equal loads come in ID order', loads: { c: 0, a: 0, b: 0 }, expected: ['a', 'b', 'c'] },
    { name: 'the least loaded first', loads: { a: 2, b: 0, c: 1 }, expected: ['b', 'c', 'a'] },
    { name: 'gaps between loads', loads: { a: 9, b: 0, c: 4, d: 0 }, expected: ['b', 'd', 'c', 'a'] },
    { name: 'no machine', loads: {}, expected: [] },
  ])('$name', ({ loads, expected }) => {
    expect(cluster(loads).ids()).toEqual(expected);
  });

  it('follows each load change after it was read, up and down, keeping ID order among equals', () => {
    const machines = cluster({ a: 0, b: 0, c: 0, d: 0 });
    expect(machines.ids()).toEqual(['a', 'b', 'c', 'd']);
    machines.setLoad('a', 1);
    machines.setLoad('c', 1);
    expect(machines.ids()).toEqual(['b', 'd', 'a', 'c']);
    machines.setLoad('b', 1);
    machines.setLoad('c', 0);
    expect(machines.ids()).toEqual(['c', 'd', 'a', 'b']);
  });

  it('regression: many load changes at once (a global unit on every machine) rebuild the order instead of moving each machine', () => {
    const loads = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`m${String(i).padStart(2, '0')}`, 0]));
    const machines = cluster(loads);
    machines.ids();
    for (const id of Object.keys(loads)) machines.setLoad(id, 1);
    machines.setLoad('m07', 0);
    expect(machines.ids()).toEqual(['m07', ...Object.keys(loads).filter((id) => id !== 'm07')]);
  });

  it('a machine that left or joined is out of or in the order at once', () => {
    const machines = cluster({ a: 1, b: 0, c: 2 });
    machines.ids();
    machines.remove('b');
    expect(machines.ids()).toEqual(['a', 'c']);
    machines.add('b', 1, 0);
    expect(machines.ids()).toEqual(['b', 'a', 'c']);
  });

  it('regression: a load change of a machine that has left since does not disturb the others', () => {
    const machines = cluster({ a: 0, b: 0, c: 0 });
    machines.ids();
    machines.setLoad('b', 3);
    machines.remove('b');
    machines.setLoad('a', 1);
    expect(machines.ids()).toEqual(['c', 'a']);
  });
});
