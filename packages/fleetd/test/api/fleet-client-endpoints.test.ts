/**
 * How fleet's own fleetctl reaches fleetd (docs/operations.md, "fleet's own
 * fleetctl"): without flags it dials unix:///var/run/fleet.sock, which a
 * link to fleetd's socket serves; over TCP it can present TLS client
 * certificates (--ca-file, --cert-file, --key-file) but never a bearer token.
 */
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GO_CLIENT_USER_AGENT, goClientCall } from './go-client.js';
import { Harness, send } from './harness.js';
import { makeTls } from './tls.js';
import type { TlsMaterial } from './tls.js';

let dir: string;
let tls: TlsMaterial;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fleet-endpoints-'));
  tls = await makeTls(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function withHarness(options: Parameters<typeof Harness.start>[0], body: (harness: Harness) => Promise<void>): Promise<void> {
  const harness = await Harness.start(options);
  try {
    await harness.machine('m1', { region: 'us' });
    await body(harness);
  } finally {
    await harness.stop();
  }
}

/** What fleet's client sends over TCP: its headers, no Authorization (it has no flag for one). */
const FLEET_HEADERS = { 'user-agent': GO_CLIENT_USER_AGENT, 'accept-encoding': 'gzip' };

describe("fleet's own fleetctl", () => {
  it("reaches fleetd through a fleet.sock link to fleetd's socket, as its default endpoint would", async () => {
    await withHarness({}, async (harness) => {
      const fleetSock = join(dir, 'fleet.sock');
      await symlink(harness.server.socketPath as string, fleetSock);
      expect(await goClientCall(fleetSock, 'GET', '/fleet/v1/machines')).toEqual({
        status: 200,
        json: { machines: [{ id: 'm1', primaryIP: '', metadata: { region: 'us' }, facts: {} }] },
      });
    });
  });

  it('reaches a TCP listener that checks TLS client certificates (and no token) with its --cert-file and --key-file', async () => {
    await withHarness({ tcp: { tls: { cert: tls.serverCert, key: tls.serverKey, ca: tls.ca } } }, async (harness) => {
      const served = await send(
        { url: harness.server.tcpUrl, tls: { ca: tls.ca, cert: tls.clientCert, key: tls.clientKey } },
        'GET',
        '/fleet/v1/machines?alt=json',
        { headers: FLEET_HEADERS },
      );
      expect(served.status).toBe(200);
      // Without its certificate the handshake is refused.
      await expect(
        send({ url: harness.server.tcpUrl, tls: { ca: tls.ca } }, 'GET', '/fleet/v1/machines?alt=json', { headers: FLEET_HEADERS }),
      ).rejects.toThrow();
    });
  });

  it('cannot use a listener that requires a token, even with its certificate: it sends no Authorization (401)', async () => {
    await withHarness({ tcp: { token: 's3cret', tls: { cert: tls.serverCert, key: tls.serverKey, ca: tls.ca } } }, async (harness) => {
      const refused = await send(
        { url: harness.server.tcpUrl, tls: { ca: tls.ca, cert: tls.clientCert, key: tls.clientKey } },
        'GET',
        '/fleet/v1/machines?alt=json',
        { headers: FLEET_HEADERS },
      );
      expect(refused.status).toBe(401);
      expect(refused.json).toMatchObject({ error: { code: 401, reason: 'API_UNAUTHORIZED' } });
    });
  });
});
