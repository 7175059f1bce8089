/** Throwaway TLS material made with openssl: a CA, a server certificate for 127.0.0.1, a client certificate. */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface TlsMaterial {
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

async function signed(dir: string, name: string, subject: string, extensions: string): Promise<void> {
  const file = (ext: string) => join(dir, `${name}.${ext}`);
  await writeFile(file('ext'), extensions);
  await run('openssl', ['req', ...EC_KEY, '-keyout', file('key'), '-out', file('csr'), '-subj', subject]);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    file('csr'),
    '-CA',
    join(dir, 'ca.crt'),
    '-CAkey',
    join(dir, 'ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    file('crt'),
    '-extfile',
    file('ext'),
  ]);
}

export async function makeTls(dir: string): Promise<TlsMaterial> {
  await run('openssl', [
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    join(dir, 'ca.key'),
    '-out',
    join(dir, 'ca.crt'),
    '-days',
    '2',
    '-subj',
    '/CN=fleetd api test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const usage = 'keyUsage=critical,digitalSignature,keyEncipherment\n';
  await signed(dir, 'server', '/CN=fleetd', `subjectAltName=IP:127.0.0.1,DNS:localhost\n${usage}extendedKeyUsage=serverAuth\n`);
  await signed(dir, 'client', '/CN=fleetctl', `${usage}extendedKeyUsage=clientAuth\n`);
  const read = (name: string) => readFile(join(dir, name), 'utf8');
  return {
    ca: await read('ca.crt'),
    serverCert: await read('server.crt'),
    serverKey: await read('server.key'),
    clientCert: await read('client.crt'),
    clientKey: await read('client.key'),
  };
}
