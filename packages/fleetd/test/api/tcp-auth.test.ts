/**
 * Issue 15, item 1: a TCP listener with TLS but neither a token nor a client
 * CA started and let anyone in (a PUT of `ExecStart=/bin/sh -c "id > owned.txt"`
 * answered 201). TLS encrypts; only a token or client certificates
 * authenticate. Refused at config time, at the API server, and on the daemon's
 * start path, unless `api.tcp.allowUnauthenticated` says so, loudly.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assemblePlugins, createMemoryRegistry, ErrorCodes, FleetError } from '@fleetd/core';
import { fleetPreset } from '@fleetd/preset-fleet';
import { startApiServer } from '../../src/api/index.js';
import { validateConfig } from '../../src/config/index.js';
import type { FleetdConfig } from '../../src/config/index.js';
import { createFleetService } from '../../src/service/index.js';
import { startInProcessDaemon, stopInProcessDaemons } from '../daemon/in-process.js';
import { freePort, send } from './harness.js';
import { makeTls } from './tls.js';
import type { TlsMaterial } from './tls.js';

const REFUSAL =
  'a TCP listener requires token, tokenFile or tls.ca (client certificates): without them anyone who reaches the port controls the cluster; set api.tcp.allowUnauthenticated: true only if something else guards the port';

let dir: string;
let tls: TlsMaterial;
let files: { cert: string; key: string; ca: string };
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fleetd-tcp-auth-'));
  tls = await makeTls(dir);
  files = { cert: join(dir, 'server.crt'), key: join(dir, 'server.key'), ca: join(dir, 'ca.crt') };
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => stopInProcessDaemons());

/** Whether anything accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}

const UNIT = { options: [{ section: 'Service', name: 'ExecStart', value: '/bin/sh -c "id > owned.txt"' }] };

describe('config: what authenticates a TCP listener', () => {
  it.each([
    { name: 'TLS without token or client CA', tcp: { port: 1, tls: { cert: '/c', key: '/k' } }, refused: true },
    { name: 'nothing at all', tcp: { port: 1 }, refused: true },
    { name: 'allowUnauthenticated: false', tcp: { port: 1, tls: { cert: '/c', key: '/k' }, allowUnauthenticated: false }, refused: true },
    { name: 'TLS with a client CA', tcp: { port: 1, tls: { cert: '/c', key: '/k', ca: '/ca' } }, refused: false },
    { name: 'TLS with a token', tcp: { port: 1, token: 't', tls: { cert: '/c', key: '/k' } }, refused: false },
    { name: 'a token file', tcp: { port: 1, tokenFile: '/t' }, refused: false },
    { name: 'the explicit opt-out', tcp: { port: 1, tls: { cert: '/c', key: '/k' }, allowUnauthenticated: true }, refused: false },
  ])('$name: refused $refused', ({ tcp, refused }) => {
    const config = { api: { tcp } } as FleetdConfig;
    if (!refused) {
      expect(validateConfig(config)).toEqual(config);
      return;
    }
    let thrown: unknown;
    try {
      validateConfig(config);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FleetError);
    expect(thrown).toMatchObject({ code: ErrorCodes.CONFIG_INVALID, message: `invalid configuration in the configuration object:\n  api.tcp: ${REFUSAL}` });
  });
});

describe('the API server', () => {
  it('regression: refuses a TLS listener without token or client CA before listening', async () => {
    const registry = createMemoryRegistry();
    const service = createFleetService({
      registry,
      host: await assemblePlugins(fleetPreset()),
      mode: 'standalone',
      machineId: 'm1',
      version: 't',
      agentEnabled: false,
    });
    const port = await freePort();
    await expect(
      startApiServer({ service, pageSize: 100, bodyLimitBytes: 1024, tcp: { host: '127.0.0.1', port, tls: { cert: tls.serverCert, key: tls.serverKey } } }),
    ).rejects.toMatchObject({
      code: ErrorCodes.CONFIG_INVALID,
      message: `api.tcp: ${REFUSAL}`,
    });
    expect(await listening(port)).toBe(false);
    await registry.close();
  });
});

describe('the daemon', () => {
  it('regression: a TLS listener without token or client CA is refused at start, and nothing listens', async () => {
    const port = await freePort();
    const config: FleetdConfig = { machine: { id: 'm1' }, agent: { enabled: false }, api: { tcp: { port, tls: { cert: files.cert, key: files.key } } } };
    await expect(startInProcessDaemon(config)).rejects.toMatchObject({
      code: ErrorCodes.CONFIG_INVALID,
      message: `invalid configuration in the configuration object:\n  api.tcp: ${REFUSAL}`,
    });
    expect(await listening(port)).toBe(false);
  });

  it('with api.tcp.allowUnauthenticated it starts, serves anyone, and says so with a warning at start', async () => {
    const port = await freePort();
    const fleetd = await startInProcessDaemon({
      machine: { id: 'm1' },
      agent: { enabled: false },
      api: { tcp: { port, tls: { cert: files.cert, key: files.key }, allowUnauthenticated: true } },
    });
    const url = `https://127.0.0.1:${port}`;
    expect(fleetd.daemon.tcpUrl).toBe(url);
    const warning = await fleetd.waitForLine({ component: 'api', allowUnauthenticated: true });
    expect(warning).toMatchObject({
      level: 'warn',
      tcp: url,
      msg: `api.tcp.allowUnauthenticated: the API on ${url} checks no token and no client certificate; anyone who reaches this port controls the cluster`,
    });
    // What the opt-out means: no credentials at all, and the unit is taken.
    const response = await send({ url, tls: { ca: tls.ca } }, 'PUT', '/fleet/v1/units/owned.service', { body: UNIT });
    expect(response.status).toBe(201);
  });

  it('with a client CA it starts without a warning, and a client without a certificate is turned away', async () => {
    const port = await freePort();
    const fleetd = await startInProcessDaemon({ machine: { id: 'm1' }, agent: { enabled: false }, api: { tcp: { port, tls: files } } });
    const url = fleetd.daemon.tcpUrl as string;
    await expect(send({ url, tls: { ca: tls.ca } }, 'PUT', '/fleet/v1/units/owned.service', { body: UNIT })).rejects.toThrow();
    const ok = await send({ url, tls: { ca: tls.ca, cert: tls.clientCert, key: tls.clientKey } }, 'GET', '/fleet/v1/units');
    expect(ok.status).toBe(200);
    expect(fleetd.lines.filter((line) => line['allowUnauthenticated'] !== undefined)).toEqual([]);
    expect((await fleetd.request('GET', '/fleet/v1/units')).json).toEqual({ units: [] });
  });
});
