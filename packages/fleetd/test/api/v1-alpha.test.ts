/**
 * fleet's mux (api/mux.go) served the same handlers under `/v1-alpha` and
 * `/fleet/v1`; fleetd does too, so clients of fleet's first API path work.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from './harness.js';

let harness: Harness;
beforeEach(async () => {
  harness = await Harness.start();
  await harness.machine('m1', { region: 'us' });
  await harness.submit('a.service', 'launched');
  await harness.report({ name: 'a.service', machineId: 'm1', activeState: 'active' });
});
afterEach(async () => {
  await harness.stop();
});

const options = [{ section: 'Service', name: 'ExecStart', value: '/bin/sleep 1000' }];

describe('regression: /v1-alpha serves what /fleet/v1 serves, as fleet', () => {
  it.each([
    { name: 'list units', method: 'GET', path: '/units' },
    { name: 'one unit', method: 'GET', path: '/units/a.service' },
    { name: 'a missing unit', method: 'GET', path: '/units/nope.service' },
    { name: 'unit states', method: 'GET', path: '/state?unitName=a.service' },
    { name: 'one unit state', method: 'GET', path: '/state/a.service' },
    { name: 'a missing unit state', method: 'GET', path: '/state/nope.service' },
    { name: 'machines', method: 'GET', path: '/machines' },
    { name: 'discovery', method: 'GET', path: '/discovery' },
    { name: 'a method the units collection refuses', method: 'POST', path: '/units' },
    { name: 'the API root', method: 'GET', path: '' },
    { name: 'a bad page token', method: 'GET', path: '/units?nextPageToken=xx' },
  ])('$name: $method <prefix>$path', async ({ method, path }) => {
    const alpha = await harness.request(method, `/v1-alpha${path}`);
    const v1 = await harness.request(method, `/fleet/v1${path}`);
    expect({ status: alpha.status, json: alpha.json }).toEqual({ status: v1.status, json: v1.json });
  });

  it('writes through /v1-alpha: PUT creates (201) and replaces (201), PATCH sets metadata, DELETE destroys', async () => {
    expect((await harness.request('PUT', '/v1-alpha/units/b.service', { body: { desiredState: 'loaded', options } })).status).toBe(201);
    expect((await harness.request('GET', '/fleet/v1/units/b.service')).json).toMatchObject({ desiredState: 'loaded', options });
    const replaced = await harness.request('PUT', '/v1-alpha/units/b.service', { body: { options: [{ ...options[0], value: '/bin/sleep 2000' }] } });
    expect(replaced.status).toBe(201);
    expect((await harness.request('GET', '/fleet/v1/units/b.service')).json).toMatchObject({ desiredState: 'inactive' });
    expect((await harness.request('PATCH', '/v1-alpha/machines', { body: [{ op: 'add', path: '/m1/metadata/disk', value: 'ssd' }] })).status).toBe(204);
    expect((await harness.request('GET', '/fleet/v1/machines')).json).toEqual({
      machines: [{ id: 'm1', primaryIP: '', metadata: { region: 'us', disk: 'ssd' }, facts: {} }],
    });
    expect((await harness.request('DELETE', '/v1-alpha/units/b.service')).status).toBe(204);
    expect((await harness.request('GET', '/fleet/v1/units/b.service')).status).toBe(404);
  });

  it('serves no /fleet/v1-alpha: fleet never had it (404, like any unknown path)', async () => {
    const response = await harness.request('GET', '/fleet/v1-alpha/units');
    expect(response.status).toBe(404);
    expect(response.json).toMatchObject({ error: { code: 404, reason: 'API_ROUTE_NOT_FOUND' } });
  });
});
