/**
 * Registry options: validation, TLS material, and the etcd3 client options.
 */
import { readFileSync } from 'node:fs';
import { describeThrown } from '@fleetd/core';
import type { IOptions } from 'etcd3';
import { invalid } from './validate.js';
import { coolDownPolicy, noRetryPolicy } from './policy.js';

/** PEM contents, as a string or a Buffer. */
export type Pem = string | Buffer;

/** TLS material given inline. */
export interface EtcdTlsContents {
  /** CA certificate(s) that signed etcd's server certificate; omitted: the system's roots. */
  readonly ca?: Pem;
  /** Client certificate (etcd `--client-cert-auth`); needs `key`. */
  readonly cert?: Pem;
  /** Client private key; needs `cert`. */
  readonly key?: Pem;
  readonly caFile?: never;
  readonly certFile?: never;
  readonly keyFile?: never;
}

/** TLS material read from files when the registry is created. */
export interface EtcdTlsFiles {
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly ca?: never;
  readonly cert?: never;
  readonly key?: never;
}

export type EtcdTlsOptions = EtcdTlsContents | EtcdTlsFiles;

export interface EtcdAuthOptions {
  readonly username: string;
  readonly password: string;
}

export interface EtcdRegistryOptions {
  /** Client URLs of etcd members, `http://host:port` or `https://host:port`. Default `['http://127.0.0.1:2379']`. */
  readonly endpoints?: readonly string[];
  /** TLS material; every endpoint must then be `https://`. */
  readonly tls?: EtcdTlsOptions;
  /** etcd user name and password (etcd `auth enable`). */
  readonly auth?: EtcdAuthOptions;
  /** Deadline of each call (retries included), in ms. Default 1000, as fleet's `etcd_request_timeout`. */
  readonly requestTimeoutMs?: number;
  /** Deadline for the auth token exchange and for etcd to confirm a new watch, in ms. Default 3000. */
  readonly dialTimeoutMs?: number;
}

export const DEFAULT_ENDPOINTS: readonly string[] = ['http://127.0.0.1:2379'];
export const DEFAULT_REQUEST_TIMEOUT_MS: number = 1000;
export const DEFAULT_DIAL_TIMEOUT_MS: number = 3000;
/** How long an endpoint that failed is skipped when there are others. */
const COOL_DOWN_MS = 500;

export interface ResolvedOptions {
  readonly endpoints: readonly string[];
  readonly requestTimeoutMs: number;
  readonly dialTimeoutMs: number;
  readonly client: IOptions;
}

const ENDPOINT_PATTERN = /^https?:\/\/[^/\s]+$/;

export function resolveOptions(options: EtcdRegistryOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) invalid('etcd registry options must be an object');
  const endpoints = checkEndpoints(options.endpoints ?? DEFAULT_ENDPOINTS);
  const requestTimeoutMs = checkMs(options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS, 'requestTimeoutMs');
  const dialTimeoutMs = checkMs(options.dialTimeoutMs, DEFAULT_DIAL_TIMEOUT_MS, 'dialTimeoutMs');
  const secure = endpoints[0]!.startsWith('https:');
  if (endpoints.some((e) => e.startsWith('https:') !== secure)) invalid('endpoints mix http:// and https://');
  if (options.tls !== undefined && !secure) invalid('TLS options need https:// endpoints');
  const coolDownMs = endpoints.length > 1 ? COOL_DOWN_MS : 0;
  const client: IOptions = {
    hosts: [...endpoints],
    dialTimeout: dialTimeoutMs,
    grpcOptions: {
      // Watch replays and large lists can exceed gRPC's default 4 MiB.
      'grpc.max_receive_message_length': -1,
      // Notice a dead connection under an open watch (etcd allows pings every 5 s).
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5_000,
    },
    faultHandling: { global: noRetryPolicy(), host: (host) => coolDownPolicy(host, coolDownMs) },
    ...credentialsOption(options.tls),
    ...authOption(options.auth, dialTimeoutMs),
  };
  return { endpoints, requestTimeoutMs, dialTimeoutMs, client };
}

function checkEndpoints(endpoints: unknown): readonly string[] {
  if (!Array.isArray(endpoints) || endpoints.length === 0) invalid('endpoints must be a non-empty array of URLs');
  for (const e of endpoints) {
    if (typeof e !== 'string' || !ENDPOINT_PATTERN.test(e)) {
      invalid(`endpoint ${JSON.stringify(e)} is not a URL like http://127.0.0.1:2379`);
    }
  }
  return Object.freeze([...(endpoints as string[])]);
}

function checkMs(value: unknown, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    invalid(`${what} must be a whole number of milliseconds >= 1, got ${typeof value === 'number' ? String(value) : describeThrown(value)}`);
  }
  return value;
}

function authOption(auth: EtcdAuthOptions | undefined, dialTimeoutMs: number): Pick<IOptions, 'auth'> {
  if (auth === undefined) return {};
  if (typeof auth !== 'object' || typeof auth.username !== 'string' || typeof auth.password !== 'string') {
    invalid('auth needs a username and a password (strings)');
  }
  const callOptions = () => ({ deadline: Date.now() + dialTimeoutMs });
  return { auth: { username: auth.username, password: auth.password, callOptions } };
}

function credentialsOption(tls: EtcdTlsOptions | undefined): Pick<IOptions, 'credentials'> {
  if (tls === undefined) return {};
  if (typeof tls !== 'object' || tls === null) invalid('tls must be an object');
  const ca = material(tls.ca, tls.caFile, 'ca');
  const cert = material(tls.cert, tls.certFile, 'cert');
  const key = material(tls.key, tls.keyFile, 'key');
  if ((cert === undefined) !== (key === undefined)) invalid('TLS needs both a client certificate and its key, or neither');
  // grpc-js takes null for "the system's roots"; etcd3's type asks for a Buffer.
  const credentials = { rootCertificate: ca ?? (null as unknown as Buffer) };
  return {
    credentials: cert === undefined || key === undefined ? credentials : { ...credentials, certChain: cert, privateKey: key },
  };
}

function material(contents: unknown, file: unknown, what: string): Buffer | undefined {
  if (contents !== undefined && file !== undefined) invalid(`give TLS ${what} or ${what}File, not both`);
  if (contents !== undefined) {
    if (typeof contents !== 'string' && !Buffer.isBuffer(contents)) invalid(`TLS ${what} must be PEM text or a Buffer`);
    return Buffer.from(contents);
  }
  if (file === undefined) return undefined;
  if (typeof file !== 'string') invalid(`TLS ${what}File must be a path`);
  try {
    return readFileSync(file);
  } catch (error) {
    invalid(`cannot read TLS ${what}File ${JSON.stringify(file)}: ${(error as Error).message}`);
  }
}
