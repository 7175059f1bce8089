// POST /fleetd/v1/units: many of fleet's PUT /fleet/v1/units/{name} in one
// request (fleetctl's submit, load and start of many units), on the real API
// over a socket and the embedded registry.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness, SERVICE } from './harness.js';

let harness: Harness;
beforeEach(async () => {
  harness = await Harness.start();
});
afterEach(async () => {
  await harness.stop();
});

const BULK = '/fleetd/v1/units';
const options = [{ section: 'Service', name: 'ExecStart', value: '/bin/sleep infinity' }];
const good = (name: string) => ({ name, contents: SERVICE, desiredState: 'inactive' });

describe('POST /fleetd/v1/units', () => {
  it('creates, re-targets and replaces units, answering each outcome in request order', async () => {
    await harness.submit('old.service', 'inactive');
    await harness.submit('other.service', 'loaded');
    const response = await harness.request('POST', BULK, {
      body: {
        units: [
          good('a.service'),
          { name: 'b.service', options, desiredState: 'launched' },
          { name: 'old.service', desiredState: 'launched' },
          { name: 'other.service', contents: '[Service]\nExecStart=/bin/sleep 5\n', desiredState: 'loaded' },
        ],
      },
    });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      units: [
        { name: 'a.service', outcome: 'created' },
        { name: 'b.service', outcome: 'created' },
        { name: 'old.service', outcome: 'updated' },
        { name: 'other.service', outcome: 'replaced' },
      ],
    });
    const units = await harness.request('GET', '/fleet/v1/units');
    expect((units.json as { units: { name: string; desiredState: string }[] }).units.map(({ name, desiredState }) => [name, desiredState])).toEqual([
      ['a.service', 'inactive'],
      ['b.service', 'launched'],
      ['old.service', 'launched'],
      ['other.service', 'loaded'],
    ]);
  });

  it('creates 300 units sent at once, every one stored', async () => {
    const names = Array.from({ length: 300 }, (_, i) => `app-${i}.service`);
    const response = await harness.request('POST', BULK, { body: { units: names.map(good) } });
    expect(response.json).toEqual({ units: names.map((name) => ({ name, outcome: 'created' })) });
    const retargeted = await harness.request('POST', BULK, { body: { units: names.map((name) => ({ name, desiredState: 'launched' })) } });
    expect(retargeted.json).toEqual({ units: names.map((name) => ({ name, outcome: 'updated' })) });
    const dump = await harness.dump();
    expect(names.filter((name) => dump[`/fleetd/desired/${name}`] === 'launched')).toEqual(names);
  });

  it('writes one name given twice in the order given', async () => {
    const response = await harness.request('POST', BULK, {
      body: { units: [good('a.service'), { name: 'a.service', contents: '[Service]\nExecStart=/bin/sleep 5\n', desiredState: 'loaded' }] },
    });
    expect(response.json).toEqual({
      units: [
        { name: 'a.service', outcome: 'created' },
        { name: 'a.service', outcome: 'replaced' },
      ],
    });
    expect(await harness.request('GET', '/fleet/v1/units/a.service')).toMatchObject({
      json: { desiredState: 'loaded', contents: '[Service]\nExecStart=/bin/sleep 5\n' },
    });
  });

  it.each([
    { name: 'a new unit without options', body: { desiredState: 'launched' } },
    { name: 'an existing unit with neither options nor a desired state', body: {}, existing: true },
  ])("reports $name as its PUT's 409 and writes the others", async ({ body, existing }) => {
    if (existing === true) await harness.submit('x.service', 'inactive');
    const put = await harness.request('PUT', '/fleet/v1/units/x.service', { body });
    expect(put.status).toBe(409);
    const response = await harness.request('POST', BULK, { body: { units: [good('a.service'), { name: 'x.service', ...body }, good('b.service')] } });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      units: [
        { name: 'a.service', outcome: 'created' },
        { name: 'x.service', ...(put.json as object) },
        { name: 'b.service', outcome: 'created' },
      ],
    });
  });

  it.each([
    { name: 'an unknown desired state', unit: 'x.service', body: { desiredState: 'running', options } },
    { name: 'contents that do not parse', unit: 'x.service', body: { contents: '[Service]\nthis is not an option\n' } },
    { name: 'contents and options that describe different files', unit: 'x.service', body: { contents: '[Service]\nExecStart=/bin/true\n', options } },
    { name: 'an invalid unit name', unit: 'x.nope', body: { options } },
    { name: 'launching a template', unit: 'web@.service', body: { options, desiredState: 'launched' } },
    {
      name: "a plugin's validateUnit refusal (MachineID with Global)",
      unit: 'x.service',
      body: { options: [...options, { section: 'X-Fleet', name: 'MachineID', value: 'm1' }, { section: 'X-Fleet', name: 'Global', value: 'true' }] },
    },
  ])("refuses $name with its PUT's error, naming the unit and its index, and writes nothing", async ({ unit, body }) => {
    const put = await harness.request('PUT', `/fleet/v1/units/${unit}`, { body });
    expect(put.status).toBe(400);
    const before = await harness.dump();
    const response = await harness.request('POST', BULK, {
      body: { units: [good('a.service'), good('b.service'), { name: unit, ...body }, good('c.service')] },
    });
    expect(response.status).toBe(put.status);
    expect(response.json).toEqual({ error: { ...(put.json as { error: object }).error, unit, index: 2 } });
    expect(await harness.dump()).toEqual(before);
  });

  it.each([
    {
      name: 'a body without a units list',
      body: { unit: [] },
      message: 'unable to decode body: the body must be {"units": [Unit, ...]}',
      reason: 'API_REQUEST_INVALID',
    },
    {
      name: 'more than 1,000 units',
      body: { units: Array.from({ length: 1_001 }, (_, i) => ({ name: `u${i}.service`, desiredState: 'launched' })) },
      message: '1001 units in one request; at most 1000, send the rest in another',
      reason: 'API_REQUEST_INVALID',
    },
    {
      name: 'a unit without a name',
      body: { units: [good('a.service'), { options }] },
      message: 'unable to decode body: units[1] has no name',
      reason: 'UNIT_INVALID',
    },
    {
      name: 'a unit that is not an object',
      body: { units: [good('a.service'), 'b.service'] },
      message: 'unable to decode body: units[1]: the body must be a JSON object (a Unit)',
      reason: 'UNIT_INVALID',
    },
    {
      name: 'options that are not a list',
      body: { units: [{ name: 'a.service', options: 'ExecStart=/bin/true' }] },
      message: 'unable to decode body: units[0]: options must be a list of {section, name, value}',
      reason: 'UNIT_INVALID',
    },
  ])('refuses $name with 400 and writes nothing', async ({ body, message, reason }) => {
    const before = await harness.dump();
    const response = await harness.request('POST', BULK, { body });
    expect(response).toMatchObject({ status: 400, json: { error: { code: 400, message, reason } } });
    expect(await harness.dump()).toEqual(before);
  });

  it('answers 415 without a JSON content type and 405 to other methods, as the other routes', async () => {
    const text = await harness.request('POST', BULK, { raw: '{"units":[]}', headers: { 'content-type': 'text/plain' } });
    expect(text).toMatchObject({
      status: 415,
      json: { error: { code: 415, message: 'only acceptable Content-Type is application/json', reason: 'API_REQUEST_INVALID' } },
    });
    const get = await harness.request('GET', BULK);
    expect(get).toMatchObject({ status: 405, json: { error: { code: 405, message: 'only POST supported against this resource' } } });
  });
});
