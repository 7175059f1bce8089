/**
 * fleetctl's --cert-file and --key-file (fleet's flags and FLEETCTL_*
 * variables): a TCP listener that checks client certificates and no token
 * serves fleetd's fleetctl and fleet's own alike.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../api/harness.js';
import { makeTls } from '../api/tls.js';
import { runMain } from './run-main.js';

let dir: string;
let harness: Harness;
const file = (name: string) => join(dir, name);
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fleetctl-certs-'));
  const tls = await makeTls(dir);
  await writeFile(file('ca.pem'), tls.ca);
  await writeFile(file('client.pem'), tls.clientCert);
  await writeFile(file('client-key.pem'), tls.clientKey);
  harness = await Harness.start({ tcp: { tls: { cert: tls.serverCert, key: tls.serverKey, ca: tls.ca } } });
  await harness.machine('m1', { region: 'us' }, '10.0.0.1');
});
afterAll(async () => {
  await harness?.stop();
  await rm(dir, { recursive: true, force: true });
});

const LISTING = 'MACHINE IP              METADATA\nm1      10.0.0.1        region=us\n';

describe('fleetctl with a client certificate', () => {
  it('regression: reaches a listener that checks client certificates, from flags', async () => {
    const url = harness.server.tcpUrl as string;
    expect(
      await runMain(['--endpoint', url, '--ca-file', file('ca.pem'), '--cert-file', file('client.pem'), '--key-file', file('client-key.pem'), 'list-machines']),
    ).toEqual({ code: 0, stdout: LISTING, stderr: '' });
  });

  it("reads fleet's variables, FLEETCTL_ENDPOINT, FLEETCTL_CA_FILE, FLEETCTL_CERT_FILE and FLEETCTL_KEY_FILE", async () => {
    const env = {
      FLEETCTL_ENDPOINT: harness.server.tcpUrl as string,
      FLEETCTL_CA_FILE: file('ca.pem'),
      FLEETCTL_CERT_FILE: file('client.pem'),
      FLEETCTL_KEY_FILE: file('client-key.pem'),
    };
    expect(await runMain(['list-machines'], { env })).toEqual({ code: 0, stdout: LISTING, stderr: '' });
  });

  it('without a certificate, says the daemon wants one', async () => {
    const result = await runMain(['--endpoint', harness.server.tcpUrl as string, '--ca-file', file('ca.pem'), 'list-machines']);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `fleetctl: cannot reach fleetd at ${harness.server.tcpUrl as string}: the TLS handshake was refused without a client certificate (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED) (the daemon checks client certificates: give yours with --cert-file and --key-file)\n`,
    });
  });

  it.each([
    {
      name: 'a certificate without its key',
      args: ['--cert-file', 'client.pem'],
      message: 'fleetctl: --cert-file needs --key-file too: a client certificate goes with its key\n',
    },
    {
      name: 'a key without its certificate',
      args: ['--key-file', 'client-key.pem'],
      message: 'fleetctl: --key-file needs --cert-file too: a client certificate goes with its key\n',
    },
  ])('refuses $name', async ({ args, message }) => {
    const result = await runMain([
      '--endpoint',
      harness.server.tcpUrl as string,
      ...args.map((arg) => (arg.startsWith('--') ? arg : file(arg))),
      'list-machines',
    ]);
    expect(result).toEqual({ code: 2, stdout: '', stderr: message });
  });

  it('names an unreadable certificate file', async () => {
    const result = await runMain([
      '--endpoint',
      harness.server.tcpUrl as string,
      '--cert-file',
      file('nope.pem'),
      '--key-file',
      file('client-key.pem'),
      'list-machines',
    ]);
    expect(result).toEqual({ code: 1, stdout: '', stderr: `fleetctl: --cert-file ${file('nope.pem')}: cannot read it (ENOENT)\n` });
  });
});
