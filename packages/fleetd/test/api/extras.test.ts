import { Registry as MetricsRegistry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startApiServer } from '../../src/api/index.js';
import { createFleetService } from '../../src/service/index.js';
import { Harness, SERVICE, send } from './harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function start(options: Parameters<typeof Harness.start>[0] = {}): Promise<Harness> {
  harness = await Harness.start(options);
  return harness;
}

describe('GET /fleetd/v1/units/{name}/explanation', () => {
  it('explains a placed unit: every plugin on every machine, feasible ones first by score', async () => {
    const h = await start();
    await h.machine('m1', { region: 'eu' });
    await h.machine('m2', { region: 'us' });
    await h.submit('web.service', 'launched', `${SERVICE}[X-Fleet]\nMachineMetadata=region=eu\n`);
    await h.placeWithEngine('web.service');
    const response = await h.request('GET', '/fleetd/v1/units/web.service/explanation');
    expect(response.status).toBe(200);
    const explanation = response.json as { machines: { machine: string; feasible: boolean }[] };
    expect(explanation).toMatchObject({
      unit: 'web.service',
      desiredState: 'launched',
      placedOn: 'm1',
      bestMachine: 'm1',
      summary: '1/2 machines available: 1 metadata region=eu not matched',
    });
    expect(explanation.machines.map((machine) => [machine.machine, machine.feasible])).toEqual([
      ['m1', true],
      ['m2', false],
    ]);
  });

  it('explains an unschedulable unit with a reason per machine', async () => {
    const h = await start();
    await h.machine('m1');
    await h.submit('x.service', 'launched', `${SERVICE}[X-Fleet]\nMachineID=m9\n`);
    const response = await h.request('GET', '/fleetd/v1/units/x.service/explanation');
    expect(response.json).toMatchObject({ unit: 'x.service', desiredState: 'launched', summary: '0/1 machines available: 1 machine m9 is not in the cluster' });
    expect(response.json).not.toHaveProperty('placedOn');
    expect(response.json).not.toHaveProperty('bestMachine');
  });

  it.each([
    {
      name: 'an unknown unit',
      method: 'GET',
      path: '/fleetd/v1/units/nope.service/explanation',
      status: 404,
      message: 'unit nope.service is not submitted',
      reason: 'UNIT_NOT_FOUND',
    },
    {
      name: 'another method',
      method: 'POST',
      path: '/fleetd/v1/units/nope.service/explanation',
      status: 405,
      message: 'only GET supported against this resource',
      reason: 'API_ROUTE_NOT_FOUND',
    },
  ])('answers $name with $status', async ({ method, path, status, message, reason }) => {
    const h = await start();
    const response = await h.request(method, path);
    expect(response.status).toBe(status);
    expect(response.json).toEqual({ error: { code: status, message, reason } });
  });
});

describe('POST /fleetd/v1/plan', () => {
  it('plans against the live cluster and writes nothing', async () => {
    const h = await start();
    await h.machine('m1', { region: 'eu' });
    await h.machine('m2', { region: 'us' });
    await h.submit('old.service');
    await h.placeWithEngine('old.service');
    const before = await h.dump();
    const response = await h.request('POST', '/fleetd/v1/plan', {
      body: {
        units: [
          // Only m1 takes it, so it pushes old.service away (a replacer that can run elsewhere does).
          { name: 'new.service', contents: `${SERVICE}[X-Fleet]\nReplaces=old.service\nMachineMetadata=region=eu\n` },
          { name: 'g.service', options: [{ section: 'X-Fleet', name: 'Global', value: 'true' }] },
          { name: 'x.service', contents: `${SERVICE}[X-Fleet]\nMachineMetadata=region=ap\n` },
        ],
      },
    });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      units: [
        { unit: 'new.service', machine: 'm1' },
        { unit: 'g.service', machines: ['m1', 'm2'] },
        {
          unit: 'x.service',
          summary: '0/2 machines available: 2 metadata region=ap not matched',
          rejections: [
            { machine: 'm1', plugin: 'metadata', kind: 'narrow', message: 'metadata region=ap not matched' },
            { machine: 'm2', plugin: 'metadata', kind: 'narrow', message: 'metadata region=ap not matched' },
          ],
        },
      ],
      moved: [{ unit: 'old.service', from: 'm1', to: 'm2' }],
    });
    expect(await h.dump()).toEqual(before);
  });

  it('simulates on the given machines only', async () => {
    const h = await start();
    await h.machine('m1');
    const response = await h.request('POST', '/fleetd/v1/plan', {
      body: { units: [{ name: 'a.service', contents: SERVICE }], machines: [{ id: 's1', metadata: { region: 'eu' } }] },
    });
    expect(response.json).toEqual({ units: [{ unit: 'a.service', machine: 's1' }], moved: [] });
  });

  it.each([
    {
      name: 'a text body',
      request: { raw: '{}', headers: { 'content-type': 'text/plain' } },
      status: 415,
      message: 'only acceptable Content-Type is application/json',
      reason: 'API_REQUEST_INVALID',
    },
    {
      name: 'bad JSON',
      request: { raw: '{', headers: { 'content-type': 'application/json' } },
      status: 400,
      message: expect.stringMatching(/^unable to decode body: /),
      reason: 'API_REQUEST_INVALID',
    },
    {
      name: 'no units',
      request: { body: {} },
      status: 400,
      message: 'units must be a list of {name, contents or options, desiredState?}',
      reason: 'API_REQUEST_INVALID',
    },
    {
      name: 'a unit without name',
      request: { body: { units: [{ contents: SERVICE }] } },
      status: 400,
      message: 'units[0].name is required',
      reason: 'UNIT_INVALID',
    },
    {
      name: 'bad machine metadata',
      request: { body: { units: [], machines: [{ id: 's1', metadata: { a: 1 } }] } },
      status: 400,
      message: 'machines[0].metadata must be an object of string values',
      reason: 'MACHINE_INVALID',
    },
    {
      name: 'a duplicate machine',
      request: { body: { units: [], machines: [{ id: 's1' }, { id: 's1' }] } },
      status: 400,
      message: 'snapshot lists machine s1 twice',
      reason: 'SNAPSHOT_INVALID',
    },
    {
      name: 'a bad machine ID',
      request: { body: { units: [], machines: [{ id: 's/1' }] } },
      status: 400,
      message: expect.stringContaining('machine ID "s/1" is invalid'),
      reason: 'MACHINE_INVALID',
    },
    {
      name: 'a template',
      request: { body: { units: [{ name: 'web@.service', contents: SERVICE }] } },
      status: 400,
      message: 'web@.service: a template unit can only be submitted; load or start an instance such as web@1.service',
      reason: 'UNIT_TEMPLATE_NOT_RUNNABLE',
    },
    {
      name: 'an unknown desired state',
      request: { body: { units: [{ name: 'a.service', contents: SERVICE, desiredState: 'up' }] } },
      status: 400,
      message: 'unit a.service: desired state: "up" is not one of inactive, loaded, launched',
      reason: 'UNIT_STATE_INVALID',
    },
  ])('refuses $name with $status', async ({ request, status, message, reason }) => {
    const h = await start();
    const response = await h.request('POST', '/fleetd/v1/plan', request);
    expect(response.json).toEqual({ error: { code: status, message, reason } });
    expect(response.status).toBe(status);
  });
});

describe('/health and /metrics', () => {
  it('reports health: ok while the registry answers, degraded (503) when it does not', async () => {
    const h = await start({ service: { mode: 'cluster', engine: { enabled: true, isLeader: () => true }, agentEnabled: false } });
    const ok = await h.request('GET', '/health');
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({
      status: 'ok',
      version: '0.1.0-test',
      mode: 'cluster',
      machineID: 'm1',
      engine: { enabled: true, leader: true },
      agent: { enabled: false },
      registry: { reachable: true },
    });
    await h.registry.close();
    const degraded = await h.request('GET', '/health');
    expect(degraded.status).toBe(503);
    expect(degraded.json).toMatchObject({ status: 'degraded', registry: { reachable: false } });
  });

  it('answers 503 with the registry error when a read cannot reach it', async () => {
    const h = await start();
    await h.registry.close();
    const response = await h.request('GET', '/fleet/v1/units');
    expect(response.status).toBe(503);
    expect(response.json).toEqual({ error: { code: 503, message: expect.any(String), reason: 'REGISTRY_CLOSED' } });
    expect(response.text).not.toContain(' at ');
  });

  it('answers a bug with 500 and a plain message, never a stack trace', async () => {
    const h = await start();
    // A registry whose list has a bug (not a registry error): the route must not leak it.
    const broken = new Proxy(h.registry, {
      get: (target, key, receiver) =>
        key === 'list' ? () => Promise.reject(new TypeError('cannot read properties of undefined')) : (Reflect.get(target, key, receiver) as unknown),
    });
    const service = createFleetService({ registry: broken, host: h.host, mode: 'standalone', machineId: 'm1', version: 't', agentEnabled: false });
    const server = await startApiServer({ service, pageSize: 100, bodyLimitBytes: 1024, tcp: { host: '127.0.0.1', port: 0, allowUnauthenticated: true } });
    h.cleanups.push(() => server.close());
    const response = await send({ url: server.tcpUrl }, 'GET', '/fleet/v1/units');
    expect(response.status).toBe(500);
    expect(response.json).toEqual({ error: { code: 500, message: 'internal server error', reason: 'INTERNAL_ERROR' } });
  });

  it('serves Prometheus text with its content type', async () => {
    const metrics = new MetricsRegistry();
    metrics.setDefaultLabels({ machine: 'm1' });
    const h = await start({ service: { metrics: { contentType: metrics.contentType, render: () => metrics.metrics() } } });
    const response = await h.request('GET', '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe(metrics.contentType);
  });

  it('answers 404 for /metrics when no metrics are exposed', async () => {
    const h = await start();
    const response = await h.request('GET', '/metrics');
    expect(response.json).toEqual({ error: { code: 404, message: 'this fleetd exposes no metrics', reason: 'API_ROUTE_NOT_FOUND' } });
  });
});
