/**
 * fleet's error body, byte for byte, with what fleetd adds: `reason` (the
 * error code to branch on) on every error, and the plugin behind an error
 * with its own code. fleet's clients read `code` and `message` and ignore the rest.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testPlugin } from '@fleetd/core/testing';
import { fleetPreset } from '@fleetd/preset-fleet';
import { Harness, parseRaw, SERVICE, sendRaw } from './harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** A plugin whose validateUnit tap fails (its license server is down), with its own error code. */
const licensing = testPlugin('licensing', (hooks) =>
  hooks.validateUnit.tap(() => {
    throw Object.assign(new Error('license server unreachable'), { code: 'ELICENSE' });
  }),
);

/** The options of the harness's SERVICE: a PUT of them changes nothing on a unit submitted with it. */
const options = [{ section: 'Service', name: 'ExecStart', value: '/bin/sleep infinity' }];

describe('error bodies', () => {
  it.each([
    {
      name: '409 UNIT_EXISTS: an existing unit with nothing to change',
      existing: 'a.service',
      body: { options },
      status: 409,
      text: '{"error":{"code":409,"message":"must provide DesiredState to update existing unit","reason":"UNIT_EXISTS"}}',
    },
    {
      name: '409 UNIT_NOT_FOUND: a desired state for a unit that does not exist',
      body: { desiredState: 'launched' },
      status: 409,
      text: '{"error":{"code":409,"message":"unit does not exist and options field empty","reason":"UNIT_NOT_FOUND"}}',
    },
    {
      name: '400 UNIT_INVALID naming the plugin that refused the unit',
      body: { contents: `${SERVICE}[X-Fleet]\nMachineID=m1\nGlobal=true\n` },
      status: 400,
      text: '{"error":{"code":400,"message":"unit a.service: MachineID cannot be combined with Global","reason":"UNIT_INVALID","plugin":"validation"}}',
    },
    {
      name: '500 PLUGIN_ERROR with the plugin and its own code',
      plugins: [licensing],
      body: { options },
      status: 500,
      text: '{"error":{"code":500,"message":"plugin \\"licensing\\" failed in hook \\"validateUnit\\": license server unreachable","reason":"PLUGIN_ERROR","plugin":"licensing","pluginCode":"ELICENSE"}}',
    },
    {
      name: '415 from the HTTP layer, with the generic reason until the core has one for it',
      raw: '{}',
      status: 415,
      text: '{"error":{"code":415,"message":"expected 1 Content-Type, got 0","reason":"API_REQUEST_INVALID"}}',
    },
  ])('$name', async ({ existing, plugins, body, raw, status, text }) => {
    harness = await Harness.start({ plugins: plugins ?? fleetPreset() });
    if (existing !== undefined) await harness.submit(existing, 'inactive');
    const response = await harness.request('PUT', '/fleet/v1/units/a.service', raw === undefined ? { body } : { raw });
    expect(response.status).toBe(status);
    expect(response.text).toBe(text);
  });

  it("answers an unknown route with fleet's body and a reason", async () => {
    harness = await Harness.start();
    const response = await harness.request('GET', '/fleet/v2/units');
    expect(response.text).toBe('{"error":{"code":404,"message":"no resource at /fleet/v2/units","reason":"API_ROUTE_NOT_FOUND"}}');
  });
});

/** What Node's HTTP parser and the router refuse before any route runs (issue 15, item 6): fleet's body all the same. */
describe('refusals before any route', () => {
  const put = (headers: string, body: string) => `PUT /fleet/v1/units/a.service HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${headers}\r\n${body}`;
  it.each([
    {
      name: 'a bad percent-encoding in the path',
      bytes: 'GET /fleet/v1/units/a%ZZ.service HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      statusLine: 'HTTP/1.1 400 Bad Request',
      error: { code: 400, message: 'invalid URL escape in "/fleet/v1/units/a%ZZ.service"' },
    },
    {
      name: 'a truncated UTF-8 escape in the path',
      bytes: 'GET /fleet/v1/units/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      statusLine: 'HTTP/1.1 400 Bad Request',
      error: { code: 400, message: 'invalid URL escape in "/fleet/v1/units/%E0%A4%A"' },
    },
    {
      name: 'a path parameter over 1024 characters',
      bytes: `GET /fleet/v1/units/${'a'.repeat(1100)}.service HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      statusLine: 'HTTP/1.1 414 URI Too Long',
      error: { code: 414, message: 'a path parameter is longer than 1024 characters' },
    },
    {
      name: 'a Content-Length shorter than the body (the rest reads as a request of its own)',
      bytes: put('Content-Length: 5\r\n', '{"desiredState":"launched"}'),
      statusLine: 'HTTP/1.1 400 Bad Request',
      error: { code: 400, message: 'malformed HTTP request: Invalid method encountered' },
    },
    {
      name: 'a Content-Length longer than the body, then end of input',
      bytes: put('Content-Length: 500\r\n', '{"desiredState":"launched"}'),
      end: true,
      statusLine: 'HTTP/1.1 400 Bad Request',
      error: { code: 400, message: 'malformed HTTP request: Invalid EOF state' },
    },
    {
      name: 'two Content-Lengths',
      bytes: put('Content-Length: 5\r\nContent-Length: 6\r\n', 'hello'),
      statusLine: 'HTTP/1.1 400 Bad Request',
      error: { code: 400, message: 'malformed HTTP request: Duplicate Content-Length' },
    },
    {
      name: 'a Content-Length that is not a number',
      bytes: put('Content-Length: abc\r\n', 'hello'),
      statusLine: 'HTTP/1.1 400 Bad Request',
      error: { code: 400, message: 'malformed HTTP request: Invalid character in Content-Length' },
    },
    {
      name: 'headers over 16 KiB (431)',
      bytes: `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      statusLine: 'HTTP/1.1 431 Request Header Fields Too Large',
      error: { code: 431, message: 'request headers are larger than 16384 bytes' },
    },
    {
      name: 'no HTTP at all',
      bytes: 'BLAH BLAH\r\n\r\n',
      statusLine: 'HTTP/1.1 400 Bad Request',
      error: { code: 400, message: 'malformed HTTP request: Invalid method encountered' },
    },
    {
      name: 'a space in a header name',
      bytes: 'GET /health HTTP/1.1\r\nHo st: x\r\n\r\n',
      statusLine: 'HTTP/1.1 400 Bad Request',
      error: { code: 400, message: 'malformed HTTP request: Invalid header token' },
    },
    {
      name: 'a NUL byte in the path',
      bytes: 'GET /fleet/v1/units/a\u0000b.service HTTP/1.1\r\nHost: x\r\n\r\n',
      statusLine: 'HTTP/1.1 400 Bad Request',
      error: { code: 400, message: 'malformed HTTP request: Invalid char in url path' },
    },
  ])("regression: $name is answered in fleet's body with a reason", async ({ bytes, end, statusLine, error }) => {
    harness = await Harness.start();
    const before = await harness.dump();
    const answer = parseRaw(await sendRaw(harness.server.socketPath as string, bytes, { end }));
    expect(answer.statusLine).toBe(statusLine);
    expect(answer.json).toEqual({ error: { ...error, reason: 'API_REQUEST_INVALID' } });
    expect(await harness.dump()).toEqual(before);
    expect((await harness.request('GET', '/health')).status).toBe(200);
  });
});

/** fleet refuses a new unit without options (409); an empty unit file as `contents` is the same unit (issue 15, item 6). */
describe('an empty unit file, as options or as contents', () => {
  const refusal = { error: { code: 409, message: 'unit does not exist and options field empty', reason: 'UNIT_NOT_FOUND' } };
  it.each([
    { name: 'options: []', body: { options: [], desiredState: 'launched' } },
    { name: 'contents: ""', body: { contents: '', desiredState: 'launched' } },
    { name: 'contents of blank lines', body: { contents: '\n\n  \n', desiredState: 'launched' } },
    { name: 'contents of comments and a section header', body: { contents: '# nothing\n; here\n[Service]\n', desiredState: 'launched' } },
    { name: 'both empty', body: { options: [], contents: '' } },
  ])('regression: a new unit with $name is refused like fleet refuses no options (409), and nothing is stored', async ({ body }) => {
    harness = await Harness.start();
    const before = await harness.dump();
    const response = await harness.request('PUT', '/fleet/v1/units/empty.service', { body });
    expect(response.status).toBe(409);
    expect(response.json).toEqual(refusal);
    expect(await harness.dump()).toEqual(before);
  });

  it.each([
    { name: 'options: []', body: { options: [], desiredState: 'loaded' } },
    { name: 'contents: ""', body: { contents: '', desiredState: 'loaded' } },
  ])('an existing unit with $name only takes the desired state (204), its file unchanged', async ({ body }) => {
    harness = await Harness.start();
    await harness.submit('kept.service', 'inactive');
    const response = await harness.request('PUT', '/fleet/v1/units/kept.service', { body });
    expect(response.status).toBe(204);
    const unit = (await harness.request('GET', '/fleet/v1/units/kept.service')).json as { desiredState: string; options: unknown[] };
    expect(unit.desiredState).toBe('loaded');
    expect(unit.options).toEqual(options);
  });

  it('contents that are only a broken section header are still a syntax error, not an empty unit', async () => {
    harness = await Harness.start();
    const response = await harness.request('PUT', '/fleet/v1/units/broken.service', { body: { contents: '[Service\n' } });
    expect(response.status).toBe(400);
    expect((response.json as { error: { reason: string } }).error.reason).toBe('UNIT_FILE_SYNTAX');
  });
});
