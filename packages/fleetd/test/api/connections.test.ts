/**
 * What one client may cost the daemon (issue 15, item 2): connections that
 * never finish their headers are closed after the header timeout, answered
 * with fleet's error body; beyond the caps new connections are closed on
 * arrival; the unix socket stays reachable throughout; all of it is logged
 * (once, not per connection) and counted in /metrics. Real daemons, real sockets.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@fleetd/core/testing';
import type { FleetdConfig } from '../../src/config/index.js';
import { startInProcessDaemon, stopInProcessDaemons } from '../daemon/in-process.js';
import type { InProcessDaemon } from '../daemon/in-process.js';
import { freePort, parseRaw, send, sendRaw } from './harness.js';

const opened: Socket[] = [];
afterEach(async () => {
  for (const socket of opened.splice(0)) socket.destroy();
  await stopInProcessDaemons();
});

const TOKEN = 'connections-test-token';

async function daemon(tcp: Partial<NonNullable<NonNullable<FleetdConfig['api']>['tcp']>>, api: FleetdConfig['api'] = {}): Promise<InProcessDaemon> {
  return startInProcessDaemon({
    machine: { id: 'm1' },
    agent: { enabled: false },
    api: { ...api, tcp: { port: await freePort(), token: TOKEN, ...tcp } },
  });
}

interface HalfRequest {
  readonly socket: Socket;
  /** Everything the server sent before it closed the connection. */
  readonly closed: Promise<string>;
}

/** A connection that sends part of a request line and then nothing: never token-checked, never routed. */
function halfRequest(url: string, localAddress = '127.0.0.1'): Promise<HalfRequest> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), localAddress });
    opened.push(socket);
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    // A refused connection may be reset rather than closed: either way it is gone.
    socket.on('error', () => undefined);
    const closed = new Promise<string>((done) => socket.once('close', () => done(received)));
    socket.once('connect', () => {
      socket.write('GET /fleet/v1/units HTT');
      resolve({ socket, closed });
    });
    socket.once('error', reject);
  });
}

const tcpGauge = 'fleetd_api_connections{listener="tcp"}';
const refused = (reason: string) => `fleetd_api_connections_refused_total{listener="tcp",reason="${reason}"}`;
const timedOut = 'fleetd_api_client_errors_total{listener="tcp",reason="timeout"}';

describe('connections that never finish their headers', () => {
  it("regression: they are capped per client, the socket stays reachable, and the header timeout closes them with a 408 in fleet's body", async () => {
    const fleetd = await daemon({ maxConnectionsPerClient: 4, maxConnections: 100 }, { headersTimeoutMs: 4000, requestTimeoutMs: 8000 });
    const url = fleetd.daemon.tcpUrl as string;

    const held = await Promise.all(Array.from({ length: 4 }, () => halfRequest(url)));
    await waitFor(async () => (await fleetd.metric(tcpGauge)) === 4, 'four open TCP connections', 5000);

    // (b) Beyond the per-client cap, new connections are closed on arrival, before a byte is answered.
    const extra = await Promise.all(Array.from({ length: 6 }, () => halfRequest(url)));
    expect(await Promise.all(extra.map((connection) => connection.closed))).toEqual(Array(6).fill(''));
    expect(await fleetd.metric(refused('max-connections-per-client'))).toBe(6);
    // Still the four held ones (the header timeout is seconds away).
    expect(await fleetd.metric(tcpGauge)).toBe(4);
    // One warning for the burst, not one per connection.
    const warnings = fleetd.lines.filter((line) => String(line['msg']).includes('api.tcp.maxConnectionsPerClient'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'warn', listener: 'tcp', client: '127.0.0.1', limit: 4 });

    // (c) Meanwhile the unix socket answers, and so does another client address over TCP.
    expect((await fleetd.request('GET', '/health')).status).toBe(200);
    const fromOther = await halfRequest(url, '127.0.0.2');
    await waitFor(async () => (await fleetd.metric(tcpGauge)) === 5, "the other client's connection open", 5000);
    fromOther.socket.destroy();

    // (a) The header timeout closes the held connections, each with fleet's error body.
    const answers = await Promise.all(held.map((connection) => connection.closed));
    for (const answer of answers) {
      expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
        error: {
          code: 408,
          message: 'request not received in time: headers are due within 4000 ms, the whole request within 8000 ms',
          reason: 'API_REQUEST_INVALID',
        },
      });
    }
    // (d) Counted, and logged once.
    expect(await fleetd.metric(timedOut)).toBe(4);
    await waitFor(async () => (await fleetd.metric(tcpGauge)) === 0, 'no open TCP connections', 5000);
    expect(fleetd.lines.filter((line) => String(line['msg']).startsWith('api: closed a connection that did not send its request in time'))).toHaveLength(1);

    // The client's slots are free again.
    const after = await send({ url }, 'GET', '/fleet/v1/units', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(after.status).toBe(200);
  });

  it('regression: beyond the total cap new connections are closed on arrival, counted and logged; the socket stays reachable', async () => {
    const fleetd = await daemon({ maxConnections: 3, maxConnectionsPerClient: 3 });
    const url = fleetd.daemon.tcpUrl as string;
    await Promise.all(['127.0.0.1', '127.0.0.2', '127.0.0.3'].map((address) => halfRequest(url, address)));
    await waitFor(async () => (await fleetd.metric(tcpGauge)) === 3, 'three open TCP connections', 5000);

    const late = await Promise.all(['127.0.0.4', '127.0.0.5'].map((address) => halfRequest(url, address)));
    expect(await Promise.all(late.map((connection) => connection.closed))).toEqual(['', '']);
    expect(await fleetd.metric(refused('max-connections'))).toBe(2);
    expect(await fleetd.metric(tcpGauge)).toBe(3);
    expect(fleetd.lines.filter((line) => String(line['msg']).includes('api.tcp.maxConnections)'))).toHaveLength(1);
    expect((await fleetd.request('GET', '/health')).status).toBe(200);
  });

  it("counts what the HTTP parser refuses on the socket too (431, malformed), answering each in fleet's body", async () => {
    const fleetd = await daemon({});
    const socketPath = fleetd.daemon.socketPath as string;
    const big = parseRaw(await sendRaw(socketPath, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    expect(big.statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    const garbage = parseRaw(await sendRaw(socketPath, 'BLAH BLAH\r\n\r\n'));
    expect(garbage.json).toEqual({ error: { code: 400, message: 'malformed HTTP request: Invalid method encountered', reason: 'API_REQUEST_INVALID' } });
    expect(await fleetd.metric('fleetd_api_client_errors_total{listener="socket",reason="headers-too-large"}')).toBe(1);
    expect(await fleetd.metric('fleetd_api_client_errors_total{listener="socket",reason="bad-request"}')).toBe(1);
    expect((await fleetd.request('GET', '/health')).status).toBe(200);
  });
});
