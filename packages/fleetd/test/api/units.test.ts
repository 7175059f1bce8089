import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodePageToken } from '../../src/api/index.js';
import { goCreateUnit, goSetUnitTargetState } from './go-client.js';
import { Harness, SERVICE } from './harness.js';

let harness: Harness;
beforeEach(async () => {
  harness = await Harness.start();
});
afterEach(async () => {
  await harness.stop();
});

const options = [{ section: 'Service', name: 'ExecStart', value: '/bin/sleep infinity' }];
const otherOptions = [{ section: 'Service', name: 'ExecStart', value: '/bin/sleep 1000' }];

describe('GET /fleet/v1/units', () => {
  it('lists units with placement and current state from the placed machine', async () => {
    await harness.machine('m1');
    await harness.submit('a.service', 'launched');
    await harness.submit('b.service', 'inactive');
    const placed = await harness.placeWithEngine('a.service');
    expect(placed).toEqual({ 'a.service': 'm1' });
    await harness.report({ name: 'a.service', machineId: 'm1', activeState: 'active' });
    // A report from a machine the unit is not placed on does not count.
    await harness.report({ name: 'b.service', machineId: 'm1', activeState: 'active' });
    const response = await harness.request('GET', '/fleet/v1/units');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['server']).toBe('fleetd/0.1.0-test');
    expect(response.json).toEqual({
      units: [
        // fleetd adds `contents` for units submitted as text (the harness submits text).
        { name: 'a.service', options, desiredState: 'launched', currentState: 'launched', machineID: 'm1', contents: SERVICE },
        { name: 'b.service', options, desiredState: 'inactive', currentState: 'inactive', contents: SERVICE },
      ],
    });
  });

  it('reports a global unit without machine and as inactive, as fleet did', async () => {
    await harness.machine('m1');
    await harness.submit('g.service', 'launched', `${SERVICE}[X-Fleet]\nGlobal=true\n`);
    const response = await harness.request('GET', '/fleet/v1/units/g.service');
    expect(response.json).toMatchObject({ name: 'g.service', desiredState: 'launched', currentState: 'inactive' });
    expect(response.json).not.toHaveProperty('machineID');
  });

  it('pages with fleet tokens, including the empty page after an exact fit', async () => {
    await harness.stop();
    harness = await Harness.start({ pageSize: 2 });
    for (const name of ['a.service', 'b.service', 'c.service', 'd.service']) await harness.submit(name, 'inactive');
    const first = await harness.request('GET', '/fleet/v1/units');
    expect(first.json).toMatchObject({ units: [{ name: 'a.service' }, { name: 'b.service' }], nextPageToken: 'AgACAA==' });
    const second = await harness.request('GET', `/fleet/v1/units?nextPageToken=${encodePageToken({ limit: 2, page: 2 })}`);
    expect(second.json).toMatchObject({ units: [{ name: 'c.service' }, { name: 'd.service' }], nextPageToken: 'AgADAA==' });
    const third = await harness.request('GET', '/fleet/v1/units?nextPageToken=AgADAA==');
    expect(third.json).toEqual({ units: [] });
  });

  it("uses fleet's token for page 2 of 100", () => {
    expect(encodePageToken({ limit: 100, page: 1 })).toBe('ZAABAA==');
    expect(encodePageToken({ limit: 100, page: 2 })).toBe('ZAACAA==');
  });

  it.each([
    { name: 'two tokens', query: '?nextPageToken=ZAABAA==&nextPageToken=ZAABAA==', message: 'too many values for page token' },
    { name: 'another page size', query: '?nextPageToken=AgABAA==', message: 'token limit must be 100' },
    { name: 'page zero', query: '?nextPageToken=ZAAAAA==', message: 'token page must be greater than zero' },
    { name: 'not base64url', query: '?nextPageToken=ZA%2BBAA==', message: 'illegal base64 data at input byte 2' },
    { name: 'missing padding', query: '?nextPageToken=ZAABAA', message: 'illegal base64 data at input byte 4' },
    { name: 'too short', query: '?nextPageToken=ZAA=', message: 'unexpected EOF' },
  ])('refuses a bad page token: $name', async ({ query, message }) => {
    const response = await harness.request('GET', `/fleet/v1/units${query}`);
    expect(response.status).toBe(400);
    expect(response.json).toEqual({ error: { code: 400, message, reason: 'API_REQUEST_INVALID' } });
  });
});

describe('GET and DELETE /fleet/v1/units/{name}', () => {
  it('gets one unit, and 404 for an unknown one', async () => {
    await harness.submit('a.service', 'loaded');
    expect((await harness.request('GET', '/fleet/v1/units/a.service')).json).toEqual({
      name: 'a.service',
      options,
      desiredState: 'loaded',
      currentState: 'inactive',
      contents: SERVICE,
    });
    const missing = await harness.request('GET', '/fleet/v1/units/nope.service');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ error: { code: 404, message: 'unit does not exist', reason: 'UNIT_NOT_FOUND' } });
  });

  it('destroys a unit with its placement (204), then 404', async () => {
    await harness.submit('a.service', 'launched');
    await harness.registry.put(harness.store.layout.placement('a.service'), '{"machine":"m1"}');
    const destroyed = await harness.request('DELETE', '/fleet/v1/units/a.service');
    expect(destroyed.status).toBe(204);
    expect(destroyed.text).toBe('');
    expect(Object.keys(await harness.dump())).toEqual(['/fleetd/schema']);
    const again = await harness.request('DELETE', '/fleet/v1/units/a.service');
    expect(again.status).toBe(404);
    expect(again.json).toEqual({ error: { code: 404, message: 'unit does not exist', reason: 'UNIT_NOT_FOUND' } });
  });
});

describe('PUT /fleet/v1/units/{name}', () => {
  it('creates a unit (201) with its desired state, inactive by default', async () => {
    const created = await harness.request('PUT', '/fleet/v1/units/a.service', { body: { desiredState: 'launched', options } });
    expect(created.status).toBe(201);
    expect(created.text).toBe('');
    const plain = await harness.request('PUT', '/fleet/v1/units/b.service', { body: { name: 'b.service', options } });
    expect(plain.status).toBe(201);
    const units = (await harness.request('GET', '/fleet/v1/units')).json as { units: { name: string; desiredState: string }[] };
    expect(units.units.map((unit) => [unit.name, unit.desiredState])).toEqual([
      ['a.service', 'launched'],
      ['b.service', 'inactive'],
    ]);
  });

  it('keeps the text of a unit sent with contents, so fleetctl cat prints it as written', async () => {
    const contents = '# comment\n[Service]\nExecStart=/bin/sleep \\\n  infinity\n';
    // The continuation stays in the value, as fleet's client parses it (issue 16, item 2).
    const created = await harness.request('PUT', '/fleet/v1/units/t.service', {
      body: { desiredState: 'loaded', contents, options: [{ section: 'Service', name: 'ExecStart', value: '/bin/sleep \\\n  infinity' }] },
    });
    expect(created.status).toBe(201);
    expect((await harness.request('GET', '/fleet/v1/units/t.service')).json).toMatchObject({ name: 't.service', contents });
  });

  it('creates units PUT concurrently (201 each), as if they came one by one', async () => {
    const names = Array.from({ length: 150 }, (_, i) => `app@${i}.service`);
    const answers = await Promise.all(names.map((name) => harness.request('PUT', `/fleet/v1/units/${name}`, { body: { desiredState: 'launched', options } })));
    expect(answers.map((answer) => answer.status)).toEqual(names.map(() => 201));
    const stored = await harness.dump();
    for (const name of names) expect(stored[`/fleetd/desired/${name}`]).toBe('launched');
  });

  it('answers two concurrent PUTs creating the same unit as if they came one after the other', async () => {
    const first = harness.request('PUT', '/fleet/v1/units/a.service', { body: { desiredState: 'loaded', options } });
    const second = harness.request('PUT', '/fleet/v1/units/a.service', { body: { desiredState: 'launched', options } });
    const other = harness.request('PUT', '/fleet/v1/units/a.service', { body: { options: otherOptions } });
    // Every serial order: the first creates (201); a PUT with the other options replaces (201); the same options only retarget (204).
    const statuses = (await Promise.all([first, second, other])).map((answer) => answer.status).sort();
    expect([
      [201, 201, 204],
      [201, 201, 201],
    ]).toContainEqual(statuses);
    expect((await harness.request('GET', '/fleet/v1/units/a.service')).json).toMatchObject({ name: 'a.service' });
  });

  it('changes only the desired state of an existing unit (204)', async () => {
    await harness.submit('a.service', 'loaded');
    const updated = await harness.request('PUT', '/fleet/v1/units/a.service', { body: { desiredState: 'launched' } });
    expect(updated.status).toBe(204);
    expect((await harness.dump())['/fleetd/desired/a.service']).toBe('launched');
    const same = await harness.request('PUT', '/fleet/v1/units/a.service', { body: { desiredState: 'inactive', options } });
    expect(same.status).toBe(204);
    expect((await harness.dump())['/fleetd/desired/a.service']).toBe('inactive');
  });

  it('replaces a unit whose options differ (201), keeping its placement, with the desired state the body gives', async () => {
    await harness.submit('a.service', 'launched');
    await harness.registry.put(harness.store.layout.placement('a.service'), '{"machine":"m1"}');
    const replaced = await harness.request('PUT', '/fleet/v1/units/a.service', { body: { options: otherOptions, desiredState: 'launched' } });
    expect(replaced.status).toBe(201);
    expect((await harness.request('GET', '/fleet/v1/units/a.service')).json).toMatchObject({
      options: otherOptions,
      desiredState: 'launched',
      machineID: 'm1',
    });
    await harness.request('PUT', '/fleet/v1/units/a.service', { body: { options, desiredState: 'loaded' } });
    expect((await harness.request('GET', '/fleet/v1/units/a.service')).json).toMatchObject({ options, desiredState: 'loaded' });
  });

  it('regression: a replacing PUT without desiredState resets it to inactive, as fleet', async () => {
    await harness.submit('a.service', 'launched');
    await harness.registry.put(harness.store.layout.placement('a.service'), '{"machine":"m1"}');
    // fleetctl load/start --replace: client.CreateUnit, name and options only.
    const replaced = await goCreateUnit(harness.server.socketPath as string, 'a.service', otherOptions);
    expect(replaced).toEqual({ status: 201, json: undefined });
    expect((await harness.request('GET', '/fleet/v1/units/a.service')).json).toMatchObject({ options: otherOptions, desiredState: 'inactive' });
    expect((await harness.dump())['/fleetd/desired/a.service']).toBe('inactive');
    // Then fleetctl raises it again with SetUnitTargetState: an update, 204.
    const started = await goSetUnitTargetState(harness.server.socketPath as string, 'a.service', 'launched');
    expect(started).toEqual({ status: 204, json: undefined });
    expect((await harness.request('GET', '/fleet/v1/units/a.service')).json).toMatchObject({ options: otherOptions, desiredState: 'launched' });
  });

  it("regression: the same options again from fleet's client are no replacement: 409 without a desired state, as fleet", async () => {
    await harness.submit('a.service', 'launched');
    const again = await goCreateUnit(harness.server.socketPath as string, 'a.service', options);
    expect(again).toEqual({
      status: 409,
      json: { error: { code: 409, message: 'must provide DesiredState to update existing unit', reason: 'UNIT_EXISTS' } },
    });
    expect((await harness.dump())['/fleetd/desired/a.service']).toBe('launched');
  });

  it.each([
    {
      name: 'no content type',
      request: { raw: JSON.stringify({ options }) },
      status: 415,
      message: 'expected 1 Content-Type, got 0',
      reason: 'API_REQUEST_INVALID',
    },
    {
      name: 'a text content type',
      request: { raw: JSON.stringify({ options }), headers: { 'content-type': 'text/plain' } },
      status: 415,
      message: 'only acceptable Content-Type is application/json',
      reason: 'API_REQUEST_INVALID',
    },
    {
      name: 'bad JSON',
      request: { raw: '{"options": [', headers: { 'content-type': 'application/json' } },
      status: 400,
      message: expect.stringMatching(/^unable to decode body: /),
      reason: 'API_REQUEST_INVALID',
    },
    {
      name: 'an empty body',
      request: { raw: '', headers: { 'content-type': 'application/json; charset=utf-8' } },
      status: 400,
      message: 'unable to decode body: EOF',
      reason: 'API_REQUEST_INVALID',
    },
    {
      name: 'a list as body',
      request: { body: [options] },
      status: 400,
      message: 'unable to decode body: the body must be a JSON object (a Unit)',
      reason: 'UNIT_INVALID',
    },
    {
      name: 'options that are not a list',
      request: { body: { options: 'ExecStart=/bin/true' } },
      status: 400,
      message: 'unable to decode body: options must be a list of {section, name, value}',
      reason: 'UNIT_INVALID',
    },
    {
      name: 'a body name other than the URL name',
      request: { body: { name: 'b.service', options } },
      status: 400,
      message: 'name in URL "a.service" differs from unit name in request body "b.service"',
      reason: 'UNIT_INVALID',
    },
    {
      name: 'a new unit without options',
      request: { body: { desiredState: 'launched' } },
      status: 409,
      message: 'unit does not exist and options field empty',
      reason: 'UNIT_NOT_FOUND',
    },
    {
      name: 'an unknown desired state',
      request: { body: { desiredState: 'running', options } },
      status: 400,
      message: 'unit a.service: desired state: "running" is not one of inactive, loaded, launched',
      reason: 'UNIT_STATE_INVALID',
    },
    {
      name: 'contents and options that describe different files',
      request: { body: { contents: '[Service]\nExecStart=/bin/true\n', options } },
      status: 400,
      message: 'unit a.service: options and contents describe different unit files; send one of them',
      reason: 'UNIT_INVALID',
    },
    {
      name: 'contents that do not parse',
      request: { body: { contents: '[Service]\nthis is not an option\n' } },
      status: 400,
      message: expect.stringContaining('a.service:2:1'),
      reason: 'UNIT_FILE_SYNTAX',
    },
    {
      name: 'an invalid option line',
      request: { body: { options: [{ section: 'Service', name: 'Exec Start', value: 'x' }] } },
      status: 400,
      message: expect.stringContaining('Exec Start'),
      reason: 'UNIT_FILE_SYNTAX',
    },
    {
      name: 'MachineID with Global',
      request: {
        body: {
          options: [...options, { section: 'X-Fleet', name: 'MachineID', value: 'm1' }, { section: 'X-Fleet', name: 'Global', value: 'true' }],
        },
      },
      status: 400,
      message: expect.stringMatching(/^unit a\.service: .*Global/),
      reason: 'UNIT_INVALID',
      plugin: 'validation',
    },
  ])('refuses $name and stores nothing', async ({ request, status, message, reason, plugin }) => {
    const before = await harness.dump();
    const response = await harness.request('PUT', '/fleet/v1/units/a.service', request);
    expect(response.status).toBe(status);
    expect(response.json).toEqual({ error: { code: status, message, reason, plugin } });
    expect(await harness.dump()).toEqual(before);
  });

  it.each([
    {
      name: 'an invalid unit name',
      path: '/fleet/v1/units/a.nope',
      body: { options },
      status: 400,
      message: expect.stringContaining('invalid unit name "a.nope"'),
      reason: 'UNIT_NAME_INVALID',
    },
    {
      name: 'launching a template',
      path: '/fleet/v1/units/web@.service',
      body: { options, desiredState: 'launched' },
      status: 400,
      message: expect.stringContaining('a template unit can only be submitted'),
      reason: 'UNIT_TEMPLATE_NOT_RUNNABLE',
    },
  ])('refuses $name', async ({ path, body, status, message, reason }) => {
    const before = await harness.dump();
    const response = await harness.request('PUT', path, { body });
    expect(response.json).toEqual({ error: { code: status, message, reason } });
    expect(await harness.dump()).toEqual(before);
  });

  it.each([
    {
      name: 'neither desired state nor new options',
      body: { options },
      status: 409,
      message: 'must provide DesiredState to update existing unit',
      reason: 'UNIT_EXISTS',
    },
    { name: 'an empty body', body: {}, status: 409, message: 'must provide DesiredState to update existing unit', reason: 'UNIT_EXISTS' },
    {
      name: 'launching an existing template',
      unit: 'web@.service',
      body: { desiredState: 'launched' },
      status: 400,
      message: expect.stringContaining('web@.service: a template unit can only be submitted'),
      reason: 'UNIT_TEMPLATE_NOT_RUNNABLE',
    },
    {
      name: 'replacing with invalid options',
      body: {
        options: [
          { section: 'X-Fleet', name: 'Global', value: 'true' },
          { section: 'X-Fleet', name: 'MachineOf', value: 'b.service' },
        ],
      },
      status: 400,
      message: expect.stringMatching(/^unit a\.service: /),
      reason: 'UNIT_INVALID',
      plugin: 'validation',
    },
  ])('refuses, on an existing unit, $name and changes nothing', async ({ unit = 'a.service', body, status, message, reason, plugin }) => {
    await harness.submit(unit, 'inactive');
    const before = await harness.dump();
    const response = await harness.request('PUT', `/fleet/v1/units/${unit}`, { body });
    expect(response.json).toEqual({ error: { code: status, message, reason, plugin } });
    expect(response.status).toBe(status);
    expect(await harness.dump()).toEqual(before);
  });

  it('refuses a body over the limit with 413 and stores nothing', async () => {
    const before = await harness.dump();
    const huge = JSON.stringify({ options: [{ section: 'Service', name: 'Environment', value: 'x'.repeat(2 * 1024 * 1024) }] });
    const response = await harness.request('PUT', '/fleet/v1/units/a.service', { raw: huge, headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(413);
    expect(response.json).toEqual({ error: { code: 413, message: 'request body is larger than 1048576 bytes', reason: 'API_REQUEST_INVALID' } });
    expect(await harness.dump()).toEqual(before);
  });
});
