import { createUnit, ErrorCodes } from '@fleetd/core';
import { encodeMachine, encodeUnitFile, encodeUnitState, KeyLayout } from '@fleetd/core/unstable';
import type { KeyValue } from '@fleetd/core';
import { describe, expect, it } from 'vitest';
import { decodeSnapshot } from '../../src/service/index.js';

const layout = new KeyLayout('/p/');
let revision = 0;
const kv = (key: string, value: string): KeyValue => ({ key, value, createRevision: ++revision, modRevision: revision, version: 1, lease: undefined });
const unit = createUnit({ name: 'a.service', contents: '[Service]\nExecStart=/bin/true\n' });
const state = { name: 'a.service', hash: unit.hash, machineId: 'm1', loadState: 'loaded', activeState: 'active', subState: 'running' };

describe('decodeSnapshot', () => {
  it('assembles units with desired states, machines with the operator overlay, and sorted states', () => {
    const snapshot = decodeSnapshot(layout, 9, [
      kv('/p/units/a.service', encodeUnitFile(unit)),
      kv('/p/desired/a.service', 'launched'),
      kv('/p/placements/a.service', '{"machine":"m1"}'),
      kv('/p/machines/m1', encodeMachine({ id: 'm1', metadata: { region: 'us', disk: 'ssd' } })),
      kv('/p/metadata/m1/region', 'eu'),
      kv('/p/metadata/m9/region', 'ap'),
      kv('/p/states/m2/a.service', encodeUnitState({ ...state, machineId: 'm2' })),
      kv('/p/states/m1/a.service', encodeUnitState(state)),
      kv('/p/engine/leader', '{"id":"e"}'),
    ]);
    expect(snapshot.revision).toBe(9);
    expect(snapshot.units.map((u) => [u.name, u.desiredState])).toEqual([['a.service', 'launched']]);
    expect([...snapshot.placements]).toEqual([['a.service', 'm1']]);
    expect(snapshot.machines).toEqual([{ id: 'm1', metadata: { region: 'eu', disk: 'ssd' }, publicIP: undefined, version: undefined, facts: {} }]);
    expect(snapshot.states.map((s) => s.machineId)).toEqual(['m1', 'm2']);
    expect(snapshot.invalid).toEqual([]);
  });

  it.each([
    { name: 'a unit file that is not JSON', key: '/p/units/b.service', value: 'x', message: '/p/units/b.service: is not JSON' },
    {
      name: 'an unknown desired state',
      key: '/p/desired/a.service',
      value: 'running',
      message: '/p/desired/a.service: desired state: "running" is not one of inactive, loaded, launched',
    },
    { name: 'a placement without machine', key: '/p/placements/a.service', value: '{}', message: '/p/placements/a.service: names no machine' },
    {
      name: 'a state filed under another machine',
      key: '/p/states/m9/a.service',
      value: encodeUnitState(state),
      message: '/p/states/m9/a.service: holds the state of a.service on m1',
    },
    {
      name: 'operator metadata with a bad value',
      key: '/p/metadata/m1/bad key',
      value: 'x',
      message: expect.stringContaining('metadata/m1: machine m1: metadata "bad key"'),
    },
  ])('skips $name and reports it', ({ key, value, message }) => {
    const snapshot = decodeSnapshot(layout, 1, [
      kv('/p/units/a.service', encodeUnitFile(unit)),
      kv('/p/machines/m1', encodeMachine({ id: 'm1', metadata: {} })),
      kv(key, value),
    ]);
    expect(snapshot.units.map((u) => u.name)).toEqual(['a.service']);
    expect(snapshot.machines.map((m) => m.id)).toEqual(['m1']);
    expect(snapshot.invalid).toEqual([expect.objectContaining({ code: ErrorCodes.STORE_DATA_INVALID, message })]);
  });
});
