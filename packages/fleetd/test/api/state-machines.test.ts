import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '@fleetd/core/testing';
import { Harness, SERVICE } from './harness.js';

let harness: Harness;
beforeEach(async () => {
  harness = await Harness.start();
});
afterEach(async () => {
  await harness.stop();
});

async function reportSome(): Promise<void> {
  await harness.report({ name: 'b.service', machineId: 'm1', activeState: 'active', message: 'start vetoed: maintenance' });
  await harness.report({ name: 'a.service', machineId: 'm2', activeState: 'failed' });
  await harness.report({ name: 'a.service', machineId: 'm1', activeState: 'active' });
}

const stateOf = (name: string, machine: string) => ({ name, machine });

describe('GET /fleet/v1/state', () => {
  it("lists every reported state in fleet's shape, by unit then machine", async () => {
    await reportSome();
    const response = await harness.request('GET', '/fleet/v1/state');
    expect(response.status).toBe(200);
    // No unit is stored, so no version has a fleet hash to show: "" (fleet's client prints "-").
    expect(response.json).toEqual({
      states: [
        { name: 'a.service', hash: '', machineID: 'm1', systemdLoadState: 'loaded', systemdActiveState: 'active', systemdSubState: 'running' },
        { name: 'a.service', hash: '', machineID: 'm2', systemdLoadState: 'loaded', systemdActiveState: 'failed', systemdSubState: 'dead' },
        {
          name: 'b.service',
          hash: '',
          machineID: 'm1',
          systemdLoadState: 'loaded',
          systemdActiveState: 'active',
          systemdSubState: 'running',
          message: 'start vetoed: maintenance',
        },
      ],
    });
  });

  it.each([
    { name: 'one machine', query: '?machineID=m1', expected: [stateOf('a.service', 'm1'), stateOf('b.service', 'm1')] },
    { name: 'one unit', query: '?unitName=a.service', expected: [stateOf('a.service', 'm1'), stateOf('a.service', 'm2')] },
    { name: 'unit and machine', query: '?unitName=a.service&machineID=m2', expected: [stateOf('a.service', 'm2')] },
    { name: 'repeated machines', query: '?machineID=m2&machineID=m1&unitName=a.service', expected: [stateOf('a.service', 'm1'), stateOf('a.service', 'm2')] },
    {
      name: 'repeated units',
      query: '?unitName=b.service&unitName=a.service&machineID=m1',
      expected: [stateOf('a.service', 'm1'), stateOf('b.service', 'm1')],
    },
    { name: 'an unknown machine', query: '?machineID=m9', expected: [] },
  ])('filters by $name', async ({ query, expected }) => {
    await reportSome();
    const response = await harness.request('GET', `/fleet/v1/state${query}`);
    const states = (response.json as { states: { name: string; machineID: string }[] }).states;
    expect(states.map((state) => ({ name: state.name, machine: state.machineID }))).toEqual(expected);
  });

  it('pages states', async () => {
    await harness.stop();
    harness = await Harness.start({ pageSize: 2 });
    await reportSome();
    const first = (await harness.request('GET', '/fleet/v1/state')).json as { states: unknown[]; nextPageToken: string };
    expect(first.states).toHaveLength(2);
    const second = (await harness.request('GET', `/fleet/v1/state?nextPageToken=${first.nextPageToken}`)).json;
    expect(second).toEqual({ states: [expect.objectContaining({ name: 'b.service' })] });
  });

  it('skips undecodable keys instead of failing', async () => {
    await reportSome();
    await harness.registry.put('/fleetd/states/m1/c.service', 'not json');
    await harness.registry.put('/fleetd/units/broken.service', '{"hash":"x"}');
    await harness.registry.put('/fleetd/machines/m3', '{"id":"other"}');
    expect((await harness.request('GET', '/fleet/v1/state')).json).toMatchObject({ states: { length: 3 } });
    expect((await harness.request('GET', '/fleet/v1/units')).json).toEqual({ units: [] });
    expect((await harness.request('GET', '/fleet/v1/machines')).json).toEqual({ machines: [] });
  });

  it('regression: gets the state of one unit from its placed machine, 404 "unit state does not exist" when none, as fleet', async () => {
    await reportSome();
    await harness.registry.put(harness.store.layout.placement('a.service'), '{"machine":"m2"}');
    expect((await harness.request('GET', '/fleet/v1/state/a.service')).json).toMatchObject({ name: 'a.service', machineID: 'm2' });
    const missing = await harness.request('GET', '/fleet/v1/state/c.service');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ error: { code: 404, message: 'unit state does not exist', reason: 'UNIT_NOT_FOUND' } });
  });
});

describe('/fleet/v1/machines', () => {
  it('lists announced machines with operator metadata merged over their own', async () => {
    await harness.machine('m2', { region: 'eu' });
    await harness.machine('m1', { region: 'us', disk: 'ssd' }, '10.0.0.1');
    await harness.store.setMachineMetadata('m1', 'region', 'ap');
    const response = await harness.request('GET', '/fleet/v1/machines');
    expect(response.json).toEqual({
      machines: [
        { id: 'm1', primaryIP: '10.0.0.1', metadata: { region: 'ap', disk: 'ssd' }, facts: {} },
        { id: 'm2', primaryIP: '', metadata: { region: 'eu' }, facts: {} },
      ],
    });
  });

  it('applies PATCH operations in order (204), also for machines not announced yet', async () => {
    await harness.machine('m1', { region: 'us' });
    const patched = await harness.request('PATCH', '/fleet/v1/machines', {
      body: [
        { op: 'add', path: '/m1/metadata/rack', value: 'r1' },
        { op: 'replace', path: '/m1/metadata/region', value: 'eu' },
        { op: 'add', path: '/m9/metadata/role', value: 'db' },
        { op: 'remove', path: '/m9/metadata/role' },
        { op: 'add', path: '/m9/metadata/tier', value: 'gold' },
      ],
    });
    expect(patched.status).toBe(204);
    expect(patched.text).toBe('');
    expect((await harness.request('GET', '/fleet/v1/machines')).json).toEqual({
      machines: [{ id: 'm1', primaryIP: '', metadata: { region: 'eu', rack: 'r1' }, facts: {} }],
    });
    await harness.machine('m9');
    expect((await harness.request('GET', '/fleet/v1/machines')).json).toMatchObject({ machines: [{ id: 'm1' }, { id: 'm9', metadata: { tier: 'gold' } }] });
    // fleet's remove hides the key, also what the machine announces (region=us here).
    const removed = await harness.request('PATCH', '/fleet/v1/machines', { body: [{ op: 'remove', path: '/m1/metadata/region' }] });
    expect(removed.status).toBe(204);
    expect((await harness.request('GET', '/fleet/v1/machines')).json).toMatchObject({ machines: [{ id: 'm1', metadata: { rack: 'r1' } }, { id: 'm9' }] });
  });

  it('regression: PATCH remove of a key the machine announces moves a unit requiring it away, as fleet', async () => {
    await harness.machine('m1', { region: 'us' });
    await harness.machine('m2', { region: 'us' });
    await harness.submit('web.service', 'launched', `${SERVICE}[X-Fleet]\nMachineMetadata=region=us\n`);
    await harness.startEngine();
    await waitFor(async () => (await harness.placementsNow())['web.service'] !== undefined, 'web.service placed', 5000);
    const first = (await harness.placementsNow())['web.service'] as string;
    const other = first === 'm1' ? 'm2' : 'm1';
    const removed = await harness.request('PATCH', '/fleet/v1/machines', { body: [{ op: 'remove', path: `/${first}/metadata/region` }] });
    expect(removed.status).toBe(204);
    await waitFor(async () => (await harness.placementsNow())['web.service'] === other, `web.service to move to ${other}`, 5000);
    expect((await harness.request('GET', '/fleet/v1/machines')).json).toEqual({
      machines: [
        { id: 'm1', primaryIP: '', metadata: first === 'm1' ? {} : { region: 'us' }, facts: {} },
        { id: 'm2', primaryIP: '', metadata: first === 'm2' ? {} : { region: 'us' }, facts: {} },
      ],
    });
  });

  it('regression: accepts fleet\'s own wire form of a value, {"value": "..."} (as fleet\'s Go clients send it)', async () => {
    await harness.machine('m1', { region: 'us' });
    const patched = await harness.request('PATCH', '/fleet/v1/machines', {
      body: [
        { op: 'add', path: '/m1/metadata/rack', Value: { value: 'r1' } },
        { op: 'replace', path: '/m1/metadata/region', value: { Value: 'eu' } },
        { op: 'remove', path: '/m1/metadata/disk', Value: { value: '' } },
      ],
    });
    expect(patched.status).toBe(204);
    expect((await harness.request('GET', '/fleet/v1/machines')).json).toEqual({
      machines: [{ id: 'm1', primaryIP: '', metadata: { region: 'eu', rack: 'r1' }, facts: {} }],
    });
  });

  it.each([
    { name: 'an unknown op', ops: [{ op: 'move', path: '/m1/metadata/a', value: 'x' }], message: 'invalid op: expect add, remove, or replace' },
    { name: 'a path without metadata', ops: [{ op: 'add', path: '/m1/labels/a', value: 'x' }], message: 'machine metadata path invalid' },
    { name: 'a key with a space', ops: [{ op: 'add', path: '/m1/metadata/a b', value: 'x' }], message: 'machine metadata path invalid' },
    { name: 'add without value', ops: [{ op: 'add', path: '/m1/metadata/a' }], message: 'invalid value: add and replace require a value' },
    {
      name: 'replace with an empty value',
      ops: [{ op: 'replace', path: '/m1/metadata/a', value: '' }],
      message: 'invalid value: add and replace require a value',
    },
    {
      name: 'a bad op after a good one',
      ops: [
        { op: 'add', path: '/m1/metadata/a', value: 'x' },
        { op: 'add', path: '/m1/metadata/b' },
      ],
      message: 'invalid value: add and replace require a value',
    },
    {
      name: 'a machine ID fleetd cannot store',
      ops: [{ op: 'add', path: '/-m1/metadata/a', value: 'x' }],
      message: expect.stringContaining('machine ID "-m1" is invalid'),
    },
    { name: 'a value that is not a string', ops: [{ op: 'add', path: '/m1/metadata/a', value: 1 }], message: 'operation 0: value must be a string' },
    {
      name: "add with fleet's empty nested value",
      ops: [{ op: 'add', path: '/m1/metadata/a', Value: { value: '' } }],
      message: 'invalid value: add and replace require a value',
    },
    {
      name: "add with fleet's nested form without its value",
      ops: [{ op: 'add', path: '/m1/metadata/a', Value: {} }],
      message: 'invalid value: add and replace require a value',
    },
    {
      name: 'a nested value that is not a string',
      ops: [{ op: 'add', path: '/m1/metadata/a', value: { value: 1 } }],
      message: 'operation 0: value.value must be a string',
    },
    { name: 'an object instead of a list', ops: { op: 'add' }, message: 'the body must be a JSON array of {op, path, value} operations' },
  ])('refuses $name with 400 and applies nothing', async ({ ops, message }) => {
    await harness.machine('m1', { region: 'us' });
    const before = await harness.dump();
    const response = await harness.request('PATCH', '/fleet/v1/machines', { body: ops });
    expect(response.json).toEqual({ error: { code: 400, message, reason: 'MACHINE_INVALID' } });
    expect(response.status).toBe(400);
    expect(await harness.dump()).toEqual(before);
  });

  it('refuses PATCH with bad JSON (400)', async () => {
    const response = await harness.request('PATCH', '/fleet/v1/machines', { raw: '[{', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    expect(response.json).toEqual({ error: { code: 400, message: expect.any(String), reason: 'API_REQUEST_INVALID' } });
  });
});
