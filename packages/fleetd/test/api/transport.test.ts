import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemblePlugins, createMemoryRegistry, ErrorCodes } from '@fleetd/core';
import { fleetPreset } from '@fleetd/preset-fleet';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer } from '../../src/api/index.js';
import type { ApiServer } from '../../src/api/index.js';
import { createFleetService } from '../../src/service/index.js';
import type { FleetService } from '../../src/service/index.js';
import { Harness, send } from './harness.js';
import { makeTls } from './tls.js';
import type { TlsMaterial } from './tls.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fleetd-transport-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function service(): Promise<FleetService> {
  const registry = createMemoryRegistry();
  cleanups.push(() => registry.close());
  return createFleetService({
    registry,
    host: await assemblePlugins(fleetPreset()),
    mode: 'standalone',
    machineId: 'm1',
    version: 'test',
    agentEnabled: false,
  });
}

async function serve(options: Omit<Parameters<typeof startApiServer>[0], 'service' | 'pageSize' | 'bodyLimitBytes'>): Promise<ApiServer> {
  const server = await startApiServer({ service: await service(), pageSize: 100, bodyLimitBytes: 1024, ...options });
  cleanups.push(() => server.close());
  return server;
}

async function harness(options: Parameters<typeof Harness.start>[0] = {}): Promise<Harness> {
  const started = await Harness.start(options);
  cleanups.push(() => started.stop());
  return started;
}

describe('unix socket', () => {
  it.each([
    { name: 'a gid', group: 1 },
    { name: 'a group name', group: 'daemon' },
  ])('creates the directory and restricts the socket to mode 0660 and the group given by $name', async ({ group }) => {
    const path = join(await tempDir(), 'nested', 'dir', 'fleetd.sock');
    const server = await serve({ socket: { path, mode: 0o660, group } });
    expect(server.socketPath).toBe(path);
    const info = await stat(path);
    expect(info.isSocket()).toBe(true);
    expect(info.mode & 0o777).toBe(0o660);
    expect(info.gid).toBe(1);
    expect((await send({ socketPath: path }, 'GET', '/fleet/v1/units')).json).toEqual({ units: [] });
  });

  it('removes a stale socket nobody answers on (a fleetd killed with -9)', async () => {
    const path = join(await tempDir(), 'fleetd.sock');
    // A process listening on the path, killed with SIGKILL: its socket file stays behind.
    const child = spawn(process.execPath, ['-e', "require('net').createServer().listen(process.argv[1], () => console.log('ready'))", path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(async () => child.kill('SIGKILL'));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect((await stat(path)).isSocket()).toBe(true);
    const server = await serve({ socket: { path, mode: 0o600 } });
    expect((await send({ socketPath: server.socketPath }, 'GET', '/health')).status).toBe(200);
  });

  it('refuses a socket a live fleetd answers on, naming the path, and leaves it serving', async () => {
    const path = join(await tempDir(), 'fleetd.sock');
    await serve({ socket: { path, mode: 0o660 } });
    await expect(serve({ socket: { path, mode: 0o660 } })).rejects.toMatchObject({
      code: ErrorCodes.API_LISTEN_FAILED,
      message: `another fleetd is serving ${path}; stop it or configure another api.socket`,
    });
    expect((await send({ socketPath: path }, 'GET', '/health')).status).toBe(200);
  });

  it('refuses a path that is not a socket and leaves the file alone', async () => {
    const dir = await tempDir();
    const path = join(dir, 'fleetd.sock');
    await writeFile(path, 'keep me');
    await expect(serve({ socket: { path, mode: 0o660 } })).rejects.toMatchObject({
      code: ErrorCodes.API_LISTEN_FAILED,
      message: `${path} exists and is not a socket; remove it or configure another api.socket`,
    });
    expect((await stat(path)).isFile()).toBe(true);
  });

  it('removes its socket file on close', async () => {
    const path = join(await tempDir(), 'fleetd.sock');
    const server = await startApiServer({ service: await service(), pageSize: 100, bodyLimitBytes: 1024, socket: { path, mode: 0o660 } });
    await server.close();
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('TCP with a bearer token', () => {
  it.each([
    { name: 'no token', headers: {}, status: 401, message: 'missing bearer token: send Authorization: Bearer <token>' },
    { name: 'a wrong token', headers: { authorization: 'Bearer not-the-token' }, status: 401, message: 'invalid bearer token' },
    { name: 'another scheme', headers: { authorization: 'Basic c2VjcmV0' }, status: 401, message: 'missing bearer token: send Authorization: Bearer <token>' },
  ])('refuses $name with 401, on every route', async ({ headers, status, message }) => {
    const h = await harness({ tcp: { token: 's3cret-token' } });
    for (const [method, path] of [
      ['GET', '/fleet/v1/units'],
      ['GET', '/health'],
      ['PUT', '/fleet/v1/units/a.service'],
      ['GET', '/nowhere'],
    ] as const) {
      const before = await h.dump();
      const response = await send({ url: h.server.tcpUrl }, method, path, {
        headers,
        ...(method === 'PUT' ? { body: { options: [{ section: 'Service', name: 'ExecStart', value: '/bin/true' }] } } : {}),
      });
      expect(response.status).toBe(status);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.json).toEqual({ error: { code: status, message, reason: 'API_UNAUTHORIZED' } });
      expect(await h.dump()).toEqual(before);
    }
  });

  it('serves the right token (200), on the real bound port; the socket needs none', async () => {
    const h = await harness({ tcp: { token: 's3cret-token' } });
    expect(h.server.tcpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(h.server.tcpUrl).not.toMatch(/:0$/);
    const response = await send({ url: h.server.tcpUrl }, 'GET', '/fleet/v1/units', { headers: { authorization: 'Bearer s3cret-token' } });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ units: [] });
    expect((await h.request('GET', '/fleet/v1/units')).status).toBe(200);
  });
});

describe('TCP with TLS', () => {
  let tls: TlsMaterial;
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fleetd-tls-'));
    tls = await makeTls(dir);
    await rm(dir, { recursive: true, force: true });
  });

  it('serves https with the given certificate', async () => {
    const server = await serve({ tcp: { host: '127.0.0.1', port: 0, token: 't', tls: { cert: tls.serverCert, key: tls.serverKey } } });
    expect(server.tcpUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const response = await send({ url: server.tcpUrl, tls: { ca: tls.ca } }, 'GET', '/health', { headers: { authorization: 'Bearer t' } });
    expect(response.status).toBe(200);
    await expect(send({ url: server.tcpUrl }, 'GET', '/health')).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });

  it('requires a client certificate signed by the CA when one is given', async () => {
    const server = await serve({ tcp: { host: '127.0.0.1', port: 0, tls: { cert: tls.serverCert, key: tls.serverKey, ca: tls.ca } } });
    const ok = await send({ url: server.tcpUrl, tls: { ca: tls.ca, cert: tls.clientCert, key: tls.clientKey } }, 'GET', '/health');
    expect(ok.status).toBe(200);
    await expect(send({ url: server.tcpUrl, tls: { ca: tls.ca } }, 'GET', '/health')).rejects.toThrow();
  });
});

describe('routes and errors', () => {
  it.each([
    { name: 'unknown route', method: 'GET', path: '/fleet/v2/units', status: 404, message: 'no resource at /fleet/v2/units' },
    { name: 'trailing slash on units', method: 'GET', path: '/fleet/v1/units/', status: 404, message: 'no resource at /fleet/v1/units/' },
    { name: 'POST on units', method: 'POST', path: '/fleet/v1/units', status: 405, message: 'only GET supported against this resource' },
    {
      name: 'POST on a unit',
      method: 'POST',
      path: '/fleet/v1/units/a.service',
      status: 405,
      message: 'only GET, PUT and DELETE supported against this resource',
    },
    { name: 'HEAD on a unit', method: 'HEAD', path: '/fleet/v1/units/a.service', status: 405, message: undefined },
    { name: 'DELETE on state', method: 'DELETE', path: '/fleet/v1/state', status: 405, message: 'only GET supported against this resource' },
    { name: 'PUT on machines', method: 'PUT', path: '/fleet/v1/machines', status: 405, message: 'only GET and PATCH supported against this resource' },
    {
      name: 'POST on discovery (fleet said 400)',
      method: 'POST',
      path: '/fleet/v1/discovery',
      status: 400,
      message: 'only HTTP GET supported against this resource',
    },
    { name: 'the API root', method: 'GET', path: '/fleet/v1', status: 405, message: 'method not allowed' },
    { name: 'the server root', method: 'GET', path: '/', status: 405, message: 'method not allowed' },
    { name: 'GET on plan', method: 'GET', path: '/fleetd/v1/plan', status: 405, message: 'only POST supported against this resource' },
  ])('answers $name with $status', async ({ method, path, status, message }) => {
    const h = await harness();
    const response = await h.request(method, path);
    expect(response.status).toBe(status);
    if (message !== undefined) expect(response.json).toEqual({ error: { code: status, message, reason: 'API_ROUTE_NOT_FOUND' } });
  });

  it("serves fleet's discovery document", async () => {
    const h = await harness();
    const response = await h.request('GET', '/fleet/v1/discovery');
    expect(response.status).toBe(200);
    const document = response.json as {
      id: string;
      basePath: string;
      resources: Record<string, { methods: Record<string, { path: string; httpMethod: string }> }>;
    };
    expect(document).toMatchObject({ kind: 'discovery#restDescription', id: 'fleet:v1', basePath: '/fleet/v1/' });
    const methods = Object.values(document.resources).flatMap((resource) => Object.values(resource.methods).map((m) => `${m.httpMethod} ${m.path}`));
    expect(methods.sort()).toEqual([
      'DELETE units/{unitName}',
      'GET machines',
      'GET state',
      'GET state/{unitName}',
      'GET units',
      'GET units/{unitName}',
      'PUT units/{unitName}',
    ]);
  });

  it('accepts a 255-character unit name in the URL', async () => {
    const h = await harness();
    const name = `${'a'.repeat(247)}.service`;
    const response = await h.request('PUT', `/fleet/v1/units/${name}`, { body: { options: [{ section: 'Service', name: 'ExecStart', value: '/bin/true' }] } });
    expect(response.status).toBe(201);
  });

  it('refuses an invalid page size or body limit before listening', async () => {
    const dir = await tempDir();
    await expect(
      startApiServer({ service: await service(), pageSize: 70000, bodyLimitBytes: 1, socket: { path: join(dir, 's'), mode: 0o660 } }),
    ).rejects.toMatchObject({
      code: ErrorCodes.CONFIG_INVALID,
      message: 'api.pageSize: 70000 must be an integer from 1 to 65535',
    });
    await expect(stat(join(dir, 's'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
