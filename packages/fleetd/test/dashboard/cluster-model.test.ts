import { describe, expect, it } from 'vitest';
import { createUnit, fleetUnitHash } from '@fleetd/core';
import { encodeMachine, encodePlacement, encodeUnitFile, encodeUnitState, KeyLayout } from '@fleetd/core/unstable';
import type { KeyValue, WatchEvent } from '@fleetd/core';
import { ClusterModel } from '../../src/dashboard/cluster-model.js';
import { EVENT_LOG_SIZE, EventLog } from '../../src/dashboard/event-log.js';

const layout = new KeyLayout('/p/');
let revision = 1;
const kv = (key: string, value: string): KeyValue => ({ key, value, modRevision: ++revision, createRevision: revision, version: 1, lease: undefined });
const put = (key: string, value: string): WatchEvent => ({ type: 'put', kv: kv(key, value) });
const del = (key: string): WatchEvent => ({ type: 'delete', key, modRevision: ++revision });

const unitFile = (name: string, xfleet = '') =>
  createUnit({ name, contents: `[Service]\nExecStart=/bin/true\n${xfleet === '' ? '' : `[X-Fleet]\n${xfleet}\n`}` });
const unitKey = (name: string, xfleet = '') => kv(layout.unit(name), encodeUnitFile(unitFile(name, xfleet)));
const machineKey = (id: string, metadata: Record<string, string> = {}) => kv(layout.machine(id), encodeMachine({ id, metadata, publicIP: '10.0.0.1' }));
const running = (unit: string, machine: string) =>
  encodeUnitState({ name: unit, hash: unitFile(unit).hash, machineId: machine, loadState: 'loaded', activeState: 'active', subState: 'running' });

function model(items: KeyValue[] = [machineKey('m1'), machineKey('m2'), unitKey('a.service')]) {
  const cluster = new ClusterModel(layout, new EventLog(() => new Date('2026-12-07T00:00:00Z')));
  cluster.reset(items, 10);
  cluster.flush();
  return cluster;
}

describe('the dashboard cluster model', () => {
  it('a first load publishes every unit and machine, without events', () => {
    const cluster = new ClusterModel(layout);
    cluster.reset([machineKey('m1', { zone: 'a' }), unitKey('a.service')], 7);
    const changes = cluster.flush();
    expect(changes?.revision).toBe(7);
    expect(changes?.machines?.upsert).toEqual([{ id: 'm1', primaryIP: '10.0.0.1', metadata: { zone: 'a' }, facts: {}, units: 0 }]);
    expect(changes?.units?.upsert).toEqual([
      {
        name: 'a.service',
        desiredState: 'inactive',
        currentState: 'inactive',
        global: false,
        template: false,
        hash: fleetUnitHash(unitFile('a.service').file),
        states: [],
      },
    ]);
    expect(changes?.events).toBeUndefined();
  });

  it.each([
    { name: 'a placement', events: [put(layout.placement('a.service'), encodePlacement('m1'))], kinds: ['placed'], message: 'a.service placed on m1' },
    {
      name: 'a placement rewritten to another machine',
      before: [put(layout.placement('a.service'), encodePlacement('m1'))],
      events: [put(layout.placement('a.service'), encodePlacement('m2'))],
      kinds: ['moved'],
      message: 'a.service moved from m1 to m2',
    },
    {
      name: 'a placement removed, the unit kept',
      before: [put(layout.placement('a.service'), encodePlacement('m1'))],
      events: [del(layout.placement('a.service'))],
      kinds: ['revoked'],
      message: 'a.service revoked from m1',
    },
    {
      name: 'regression: a destroyed unit is destroyed, not also revoked',
      before: [put(layout.placement('a.service'), encodePlacement('m1'))],
      events: [del(layout.unit('a.service')), del(layout.placement('a.service'))],
      kinds: ['unit-destroyed'],
      message: 'a.service destroyed',
    },
    {
      name: 'a state report',
      events: [put(layout.state('m1', 'a.service'), running('a.service', 'm1'))],
      kinds: ['state'],
      message: 'a.service on m1: active (running)',
    },
    { name: 'a machine leaving', events: [del(layout.machine('m2'))], kinds: ['machine-left'], message: 'machine m2 left' },
    {
      name: 'a machine joining',
      events: [put(layout.machine('m3'), encodeMachine({ id: 'm3', metadata: {} }))],
      kinds: ['machine-joined'],
      message: 'machine m3 joined',
    },
    { name: 'a desired state', events: [put(layout.desired('a.service'), 'launched')], kinds: ['desired'], message: 'a.service desired state launched' },
    {
      name: "regression: a new unit's first desired state inactive is not news (every fleetctl start logged it)",
      events: [put(layout.unit('b.service'), encodeUnitFile(unitFile('b.service'))), put(layout.desired('b.service'), 'inactive')],
      kinds: ['unit-submitted'],
      message: 'b.service submitted',
    },
    {
      name: 'a unit set back to inactive',
      before: [put(layout.desired('a.service'), 'launched')],
      events: [put(layout.desired('a.service'), 'inactive')],
      kinds: ['desired'],
      message: 'a.service desired state inactive',
    },
  ])('$name logs $kinds', ({ before = [], events, kinds, message }) => {
    const cluster = model();
    cluster.apply(before, 11);
    cluster.flush();
    cluster.apply(events, 12);
    const changes = cluster.flush();
    expect(changes?.events?.map((event) => event.kind)).toEqual(kinds);
    expect(changes?.events?.at(-1)?.message).toBe(message);
  });

  it('a state report that changes nothing the dashboard shows sends nothing', () => {
    const cluster = model();
    cluster.apply([put(layout.state('m1', 'a.service'), running('a.service', 'm1'))], 11);
    cluster.flush();
    cluster.apply([put(layout.state('m1', 'a.service'), running('a.service', 'm1'))], 12);
    expect(cluster.flush()).toBeUndefined();
  });

  it('a placed unit reported running is launched on its machine, which counts it', () => {
    const cluster = model();
    cluster.apply(
      [
        put(layout.desired('a.service'), 'launched'),
        put(layout.placement('a.service'), encodePlacement('m1')),
        put(layout.state('m1', 'a.service'), running('a.service', 'm1')),
      ],
      11,
    );
    const changes = cluster.flush();
    expect(changes?.units?.upsert).toMatchObject([{ name: 'a.service', desiredState: 'launched', currentState: 'launched', machineID: 'm1' }]);
    expect(changes?.units?.upsert[0]?.states).toEqual([
      { machineID: 'm1', load: 'loaded', active: 'active', sub: 'running', hash: fleetUnitHash(unitFile('a.service').file) },
    ]);
    expect(changes?.machines?.upsert).toEqual([{ id: 'm1', primaryIP: '10.0.0.1', metadata: {}, facts: {}, units: 1 }]);
  });

  it('a global unit counts on every machine that reports it', () => {
    const cluster = model([machineKey('m1'), machineKey('m2'), unitKey('g.service', 'Global=true')]);
    cluster.apply([put(layout.state('m1', 'g.service'), running('g.service', 'm1')), put(layout.state('m2', 'g.service'), running('g.service', 'm2'))], 11);
    const changes = cluster.flush();
    expect(changes?.units?.upsert).toMatchObject([{ name: 'g.service', global: true, currentState: 'launched' }]);
    expect(changes?.machines?.upsert.map((machine) => [machine.id, machine.units])).toEqual([
      ['m1', 1],
      ['m2', 1],
    ]);
  });

  it('operator metadata is merged over the announced metadata', () => {
    const cluster = model([machineKey('m1', { zone: 'a', disk: 'ssd' })]);
    cluster.apply([put(layout.machineMetadata('m1', 'zone'), 'b'), put(layout.machineMetadata('m1', 'disk'), '')], 11);
    expect(cluster.flush()?.machines?.upsert[0]?.metadata).toEqual({ zone: 'b' });
  });

  it('only unplaced, non-global, non-template units that should run are offered to the unschedulable pass', () => {
    const cluster = model([unitKey('a.service'), unitKey('b.service'), unitKey('g.service', 'Global=true'), unitKey('c.service')]);
    cluster.apply(
      [
        put(layout.desired('a.service'), 'launched'),
        put(layout.desired('b.service'), 'loaded'),
        put(layout.desired('g.service'), 'launched'),
        put(layout.placement('b.service'), encodePlacement('m1')),
      ],
      11,
    );
    expect(cluster.unplacedUnits()).toEqual(['a.service']);
  });

  it('a reason is published with the unit and logged once; its end is published without an event', () => {
    const cluster = model();
    cluster.setReasons(new Map([['a.service', '0/2 machines available: 2 metadata zone=x not matched']]));
    const first = cluster.flush();
    expect(first?.units?.upsert[0]?.unschedulable).toBe('0/2 machines available: 2 metadata zone=x not matched');
    expect(first?.events?.map((event) => event.message)).toEqual(['a.service cannot be placed: 0/2 machines available: 2 metadata zone=x not matched']);
    cluster.setReasons(new Map([['a.service', '0/2 machines available: 2 metadata zone=x not matched']]));
    expect(cluster.flush()).toBeUndefined();
    cluster.setReasons(new Map());
    const cleared = cluster.flush();
    expect(cleared?.units?.upsert[0]?.unschedulable).toBeUndefined();
    expect(cleared?.events).toBeUndefined();
  });

  it('a re-list sends only what differs, and removes what is gone', () => {
    const cluster = model();
    cluster.reset([machineKey('m1'), unitKey('a.service'), unitKey('b.service')], 20);
    const changes = cluster.flush();
    expect(changes?.machines).toEqual({ upsert: [], remove: ['m2'] });
    expect(changes?.units?.upsert.map((unit) => unit.name)).toEqual(['b.service']);
  });

  it('a key that does not decode is skipped and counted', () => {
    const cluster = model();
    cluster.apply([put(layout.unit('bad.service'), '{not json')], 11);
    expect(cluster.flush()).toBeUndefined();
    expect(cluster.invalidKeys).toBe(1);
  });

  it(`the event log keeps the last ${EVENT_LOG_SIZE} events`, () => {
    const log = new EventLog();
    for (let index = 0; index < EVENT_LOG_SIZE + 5; index++) log.add({ kind: 'desired', message: `event ${index}` });
    expect(log.recent()).toHaveLength(EVENT_LOG_SIZE);
    expect(log.recent()[0]?.message).toBe('event 5');
    expect(log.recent()[0]?.id).toBe(6);
  });
});
