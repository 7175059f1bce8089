/**
 * The daemon's error codes reach fleetctl: an error answer becomes an
 * ApiError whose code is the daemon's `reason`, with the plugin and the
 * plugin's own code. A tiny HTTP server plays the daemon, so each body is
 * exactly what the test says (fleetd's, fleet's, a proxy's).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes, isFleetError } from '@fleetd/core';
import { ApiError, FleetClient, isUnitNotFound } from '../../src/cli/client.js';
import { parseEndpoint } from '../../src/cli/endpoint.js';
import { FIXTURES } from './helpers.js';
import { runMain } from './run-main.js';

interface Answer {
  readonly status: number;
  /** An object is sent as JSON, a string as it is. */
  readonly body: unknown;
}

/** `METHOD /path` → the answer; anything else is a 500 the tests would notice. */
const answers = new Map<string, Answer>();
/** `METHOD /path body` of every request, in order. */
const seen: string[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      seen.push(`${request.method} ${request.url} ${body}`.trim());
      const answer = answers.get(`${request.method} ${request.url}`) ?? { status: 500, body: `no answer for ${request.method} ${request.url}` };
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      response.writeHead(answer.status, { 'content-type': typeof answer.body === 'string' ? 'text/plain' : 'application/json' }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  answers.clear();
  seen.length = 0;
});

const UNIT = '/fleet/v1/units/web.service';
const client = () => new FleetClient({ endpoint: parseEndpoint(url), timeoutMs: 2000 });
const failure = (status: number, fields: Record<string, unknown>) => ({ status, body: { error: { code: status, ...fields } } });

async function putError(answer: Answer): Promise<unknown> {
  answers.set(`PUT ${UNIT}`, answer);
  return client()
    .putUnit({ name: 'web.service', desiredState: 'launched' })
    .then(
      () => undefined,
      (error: unknown) => error,
    );
}

describe('ApiError keeps the daemon error code', () => {
  it.each([
    {
      name: 'a 409 with reason UNIT_EXISTS is UNIT_EXISTS',
      answer: failure(409, { message: 'unit web.service exists with other contents', reason: 'UNIT_EXISTS' }),
      expected: {
        code: ErrorCodes.UNIT_EXISTS,
        reason: 'UNIT_EXISTS',
        status: 409,
        message: 'unit web.service exists with other contents',
        plugin: undefined,
        pluginCode: undefined,
      },
    },
    {
      name: "fleet's body without reason stays API_ERROR",
      answer: failure(409, { message: 'unit already exists' }),
      expected: { code: ErrorCodes.API_ERROR, reason: undefined, status: 409, message: 'unit already exists', plugin: undefined, pluginCode: undefined },
    },
    {
      name: "a plugin's error keeps the plugin and its own code",
      answer: failure(400, { message: 'zone-spread: zone eu-1 is full', reason: 'PLUGIN_ERROR', plugin: 'zone-spread', pluginCode: 'ZONE_FULL' }),
      expected: {
        code: ErrorCodes.PLUGIN_ERROR,
        reason: 'PLUGIN_ERROR',
        status: 400,
        message: 'zone-spread: zone eu-1 is full',
        plugin: 'zone-spread',
        pluginCode: 'ZONE_FULL',
      },
    },
    {
      name: 'a plugin refusing a unit keeps the plugin without a code of its own',
      answer: failure(400, { message: 'MachineID cannot be combined with MachineOf', reason: 'UNIT_INVALID', plugin: 'validation' }),
      expected: {
        code: ErrorCodes.UNIT_INVALID,
        reason: 'UNIT_INVALID',
        status: 400,
        message: 'MachineID cannot be combined with MachineOf',
        plugin: 'validation',
        pluginCode: undefined,
      },
    },
    {
      name: 'a reason this fleetctl does not know is API_ERROR, the reason kept',
      answer: failure(429, { message: 'too many units', reason: 'UNIT_QUOTA_EXCEEDED' }),
      expected: { code: ErrorCodes.API_ERROR, reason: 'UNIT_QUOTA_EXCEEDED', status: 429, message: 'too many units', plugin: undefined, pluginCode: undefined },
    },
    {
      name: "a proxy's page is API_ERROR",
      answer: { status: 502, body: 'Bad Gateway\n' },
      expected: {
        code: ErrorCodes.API_ERROR,
        reason: undefined,
        status: 502,
        message: 'the daemon answered HTTP 502: Bad Gateway',
        plugin: undefined,
        pluginCode: undefined,
      },
    },
    {
      name: 'non-string fields are ignored',
      answer: failure(500, { message: 'boom', reason: 42, plugin: null }),
      expected: { code: ErrorCodes.API_ERROR, reason: undefined, status: 500, message: 'boom', plugin: undefined, pluginCode: undefined },
    },
  ])('$name', async ({ answer, expected }) => {
    const error = await putError(answer);
    expect(error).toBeInstanceOf(ApiError);
    const { code, reason, status, message, plugin, pluginCode } = error as ApiError;
    expect({ code, reason, status, message, plugin, pluginCode }).toEqual(expected);
    expect(isFleetError(error, expected.code)).toBe(true);
  });
});

describe('a missing unit is recognised by its code', () => {
  it.each([
    { name: "fleetd's UNIT_NOT_FOUND", answer: failure(404, { message: 'unit does not exist', reason: 'UNIT_NOT_FOUND' }) },
    { name: "fleet's 404 without a code", answer: failure(404, { message: 'unit does not exist' }) },
  ])('unit() is undefined for $name', async ({ answer }) => {
    answers.set(`GET ${UNIT}`, answer);
    expect(await client().unit('web.service')).toBeUndefined();
  });

  it('regression: a 404 with another code is not taken for a missing unit', async () => {
    answers.set(`GET ${UNIT}`, failure(404, { message: 'route GET /fleet/v1/units/web.service not found', reason: 'ROUTE_NOT_FOUND' }));
    const error = await client()
      .unit('web.service')
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(error).toBeInstanceOf(ApiError);
    expect(isUnitNotFound(error)).toBe(false);
    expect((error as ApiError).message).toBe('route GET /fleet/v1/units/web.service not found');
  });

  it.each([
    { name: 'UNIT_NOT_FOUND with another status', error: new ApiError(410, 'gone', { reason: 'UNIT_NOT_FOUND' }), expected: true },
    { name: 'a 404 with another code', error: new ApiError(404, 'no route', { reason: 'ROUTE_NOT_FOUND' }), expected: false },
    { name: 'a 404 without a code', error: new ApiError(404, 'not found'), expected: true },
    { name: 'another status without a code', error: new ApiError(400, 'bad'), expected: false },
    { name: 'not an ApiError', error: new Error('unit does not exist'), expected: false },
  ])('isUnitNotFound: $name → $expected', ({ error, expected }) => {
    expect(isUnitNotFound(error)).toBe(expected);
  });
});

describe('fleetctl against these answers', () => {
  const fleetctl = (...args: string[]) => runMain(['--endpoint', url, ...args], { cwd: join(FIXTURES, 'units') });

  /** fleet's Go server has no fleetd routes: its mux answers with Go's plain 404. */
  const likeFleet = () => answers.set('POST /fleetd/v1/units', { status: 404, body: '404 page not found\n' });

  it('submit refused with UNIT_EXISTS prints the daemon message and exits 1', async () => {
    likeFleet();
    answers.set('GET /fleet/v1/units/hello.service', failure(404, { message: 'unit does not exist', reason: 'UNIT_NOT_FOUND' }));
    answers.set('PUT /fleet/v1/units/hello.service', failure(409, { message: 'unit hello.service exists with other contents', reason: 'UNIT_EXISTS' }));
    expect(await fleetctl('submit', 'hello.service')).toEqual({ code: 1, stdout: '', stderr: 'fleetctl: unit hello.service exists with other contents\n' });
  });

  it("regression: against fleet's server (no POST /fleetd/v1/units) start creates and starts a unit by one PUT each, as fleet's fleetctl", async () => {
    likeFleet();
    answers.set('GET /fleet/v1/units/hello.service', failure(404, { message: 'unit does not exist' }));
    answers.set('PUT /fleet/v1/units/hello.service', { status: 204, body: '' });
    expect(await fleetctl('start', '--no-block', 'hello.service')).toEqual({
      code: 0,
      stdout: 'Unit hello.service inactive\nTriggered unit hello.service start\n',
      stderr: '',
    });
    expect(seen.map((line) => line.replace(/ \{.*/, ''))).toEqual([
      'GET /fleet/v1/units/hello.service',
      'POST /fleetd/v1/units',
      'PUT /fleet/v1/units/hello.service',
      'PUT /fleet/v1/units/hello.service',
    ]);
    expect(JSON.parse(seen[3]?.replace(/^\S+ \S+ /, '') ?? '')).toEqual({ name: 'hello.service', desiredState: 'launched' });
  });

  it.each([
    {
      name: "fleetd's UNIT_NOT_FOUND",
      answer: failure(404, { message: 'unit does not exist', reason: 'UNIT_NOT_FOUND' }),
      stderr: 'fleetctl: unable to find unit web.service in the cluster\n',
    },
    { name: "fleet's bare 404", answer: failure(404, { message: 'not found' }), stderr: 'fleetctl: unable to find unit web.service in the cluster\n' },
    {
      name: 'a 404 with another code (regression: was "unable to find unit")',
      answer: failure(404, { message: 'explanations are not served here', reason: 'ROUTE_NOT_FOUND' }),
      stderr: 'fleetctl: explanations are not served here\n',
    },
  ])('explain answered with $name', async ({ answer, stderr }) => {
    answers.set('GET /fleetd/v1/units/web.service/explanation', answer);
    expect(await fleetctl('explain', 'web')).toEqual({ code: 1, stdout: '', stderr });
  });

  it('status of a state whose version is no longer stored (hash "") says so instead of an empty hash', async () => {
    const unit = {
      name: 'web.service',
      options: [{ section: 'Service', name: 'ExecStart', value: '/bin/web' }],
      desiredState: 'launched',
      currentState: 'launched',
      machineID: 'm1',
    };
    const state = { name: 'web.service', hash: '', machineID: 'm1', systemdLoadState: 'loaded', systemdActiveState: 'active', systemdSubState: 'running' };
    answers.set('GET /fleet/v1/units/web.service', { status: 200, body: unit });
    answers.set('GET /fleet/v1/state?unitName=web.service', { status: 200, body: { states: [state] } });
    answers.set('GET /fleet/v1/machines', { status: 200, body: { machines: [{ id: 'm1', primaryIP: '10.0.0.1', metadata: {} }] } });
    const status = await fleetctl('status', 'web');
    expect(status).toMatchObject({ code: 0, stderr: '' });
    expect(status.stdout).toContain('   Hash:           - (a version no longer stored)\n');
  });
});
