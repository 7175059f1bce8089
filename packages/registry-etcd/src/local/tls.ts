/**
 * Throwaway TLS material for a test cluster, made with openssl: a CA, a server
 * certificate for 127.0.0.1 / localhost, and a client certificate.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findOpenssl } from './binary.js';

const run = promisify(execFile);

export interface TlsFiles {
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function openssl(bin: string, args: readonly string[]): Promise<void> {
  try {
    await run(bin, args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0]!} failed: ${stderr.trim() || (error as Error).message}`);
  }
}

async function signed(bin: string, dir: string, name: string, subject: string, extensions: string): Promise<void> {
  const file = (ext: string) => join(dir, `${name}.${ext}`);
  await writeFile(file('ext'), extensions);
  await openssl(bin, ['req', ...EC_KEY, '-keyout', file('key'), '-out', file('csr'), '-subj', subject]);
  await openssl(bin, [
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

export async function makeTlsFiles(dir: string): Promise<TlsFiles> {
  const bin = findOpenssl();
  await openssl(bin, [
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
    '/CN=fleetd test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const usage = 'keyUsage=critical,digitalSignature,keyEncipherment\n';
  const san = 'subjectAltName=IP:127.0.0.1,DNS:localhost\n';
  await signed(bin, dir, 'server', '/CN=etcd', `${san}${usage}extendedKeyUsage=serverAuth,clientAuth\n`);
  await signed(bin, dir, 'client', '/CN=fleetd-test-client', `${usage}extendedKeyUsage=clientAuth\n`);
  return {
    caFile: join(dir, 'ca.crt'),
    serverCertFile: join(dir, 'server.crt'),
    serverKeyFile: join(dir, 'server.key'),
    clientCertFile: join(dir, 'client.crt'),
    clientKeyFile: join(dir, 'client.key'),
  };
}
