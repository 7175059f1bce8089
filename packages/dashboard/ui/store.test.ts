import { describe, expect, it } from 'vitest';
import { Store } from './store.js';
import { event, machine, unit } from './testing/fixtures.js';

function snapshotStore(eventCap?: number): Store {
  const store = new Store(eventCap);
  store.applySnapshot({
    revision: 12,
    machines: [machine('beta'), machine('alpha')],
    units: [unit('web.service', { machineID: 'alpha' }), unit('db.service', { machineID: 'beta' })],
    events: [event(1), event(3), event(2)],
  });
  return store;
}

describe('Store', () => {
  it('holds a snapshot by key, machines by ID, events newest first, and is live', () => {
    const store = snapshotStore();
    expect(store.machineArray().map((m) => m.id)).toEqual(['alpha', 'beta']);
    expect([...store.units.keys()].sort()).toEqual(['db.service', 'web.service']);
    expect(store.events.map((e) => e.id)).toEqual([3, 2, 1]);
    expect(store.revision).toBe(12);
    expect(store.connection).toBe('live');
  });

  it('replaces everything with a new snapshot (after a reconnect)', () => {
    const store = snapshotStore();
    store.applySnapshot({ revision: 2, machines: [machine('gamma')], units: [], events: [event(9)] });
    expect(store.machineArray().map((m) => m.id)).toEqual(['gamma']);
    expect(store.units.size).toBe(0);
    expect(store.events.map((e) => e.id)).toEqual([9]);
    expect(store.revision).toBe(2);
  });

  it.each([
    {
      name: 'an upsert replaces a unit and adds a new one',
      changes: { revision: 13, units: { upsert: [unit('web.service', { machineID: 'beta' }), unit('new.service')], remove: [] } },
      units: { 'db.service': 'beta', 'new.service': undefined, 'web.service': 'beta' },
      machines: ['alpha', 'beta'],
    },
    {
      name: 'a removal drops a unit and a machine',
      changes: { revision: 13, units: { upsert: [], remove: ['db.service'] }, machines: { upsert: [], remove: ['beta'] } },
      units: { 'web.service': 'alpha' },
      machines: ['alpha'],
    },
    {
      name: 'removing what is not there changes nothing',
      changes: { revision: 13, units: { upsert: [], remove: ['gone.service'] } },
      units: { 'db.service': 'beta', 'web.service': 'alpha' },
      machines: ['alpha', 'beta'],
    },
    {
      name: 'a machine joins',
      changes: { revision: 13, machines: { upsert: [machine('aardvark')], remove: [] } },
      units: { 'db.service': 'beta', 'web.service': 'alpha' },
      machines: ['aardvark', 'alpha', 'beta'],
    },
  ])('applies changes: $name', ({ changes, units, machines }) => {
    const store = snapshotStore();
    store.applyChanges(changes);
    expect(Object.fromEntries([...store.units.values()].map((u) => [u.name, u.machineID]))).toEqual(units);
    expect(store.machineArray().map((m) => m.id)).toEqual(machines);
    expect(store.revision).toBe(13);
  });

  it('regression: its version moves at every change it tells subscribers of, so a view rendered before a snapshot sees it missed it', () => {
    const store = new Store();
    const renderedAt = store.version;
    store.applySnapshot({ revision: 2, machines: [machine('gamma')], units: [], events: [] });
    expect(store.version).not.toBe(renderedAt);
    const afterSnapshot = store.version;
    store.setConnection('lost');
    store.setConnection('lost');
    expect(store.version).toBe(afterSnapshot + 1);
    store.applyChanges({ revision: 14, units: { upsert: [unit('x.service')], remove: [] } });
    expect(store.version).toBe(afterSnapshot + 2);
  });

  it('bumps only the versions of what changed, so the units table does not sort again for events', () => {
    const store = snapshotStore();
    const units = store.unitArray();
    const before = { machines: store.machinesVersion, units: store.unitsVersion, events: store.eventsVersion };
    store.applyChanges({ revision: 13, events: [event(4)] });
    expect({ machines: store.machinesVersion, units: store.unitsVersion, events: store.eventsVersion }).toEqual({ ...before, events: before.events + 1 });
    expect(store.unitArray()).toBe(units);
    store.applyChanges({ revision: 14, units: { upsert: [unit('x.service')], remove: [] } });
    expect(store.unitsVersion).toBe(before.units + 1);
    expect(store.unitArray()).not.toBe(units);
    expect(store.unitArray()).toHaveLength(3);
  });

  it('puts new events first, skips those it holds already, and keeps at most the cap', () => {
    const store = snapshotStore(5);
    store.applyChanges({ revision: 13, events: [event(4), event(5)] });
    store.applyChanges({ revision: 14, events: [event(5), event(7), event(6)] });
    expect(store.events.map((e) => e.id)).toEqual([7, 6, 5, 4, 3]);
  });

  it('caps the events of a snapshot too, keeping the newest', () => {
    const store = new Store(2);
    store.applySnapshot({ revision: 1, machines: [], units: [], events: [event(1), event(2), event(3)] });
    expect(store.events.map((e) => e.id)).toEqual([3, 2]);
  });

  it('tells subscribers about every applied message and connection change, until they leave', () => {
    const store = new Store();
    const seen: string[] = [];
    const leave = store.subscribe(() => seen.push(store.connection));
    store.setConnection('lost');
    store.setConnection('lost');
    store.applySnapshot({ revision: 1, machines: [], units: [], events: [] });
    leave();
    store.setConnection('lost');
    expect(seen).toEqual(['lost', 'live']);
  });
});
