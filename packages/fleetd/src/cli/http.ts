import * as http from 'node:http';
import * as https from 'node:https';
import { ErrorCodes, FleetError } from '@fleetd/core';
import type { ErrorCode } from '@fleetd/core';
import type { Endpoint } from './endpoint.js';

export interface TransportOptions {
  readonly endpoint: Endpoint;
  /** Bearer token for a TCP listener. */
  readonly token?: string | undefined;
  /** PEM CA bundle to trust for https (a private CA, a self-signed daemon). */
  readonly ca?: string | Buffer | undefined;
  /** PEM client certificate and its key, for a listener that checks client certificates (`api.tcp.tls.ca`). */
  readonly clientCertificate?: { readonly cert: string | Buffer; readonly key: string | Buffer } | undefined;
  readonly timeoutMs: number;
}

export interface RawResponse {
  readonly status: number;
  readonly text: string;
}

/** What fleetd adds to fleet's error body `{"error":{"code","message"}}`. */
export interface ApiErrorDetails {
  /** The daemon's error code (`UNIT_EXISTS`); fleet itself sends none. */
  readonly reason?: string | undefined;
  /** The plugin the error is about. */
  readonly plugin?: string | undefined;
  /** That plugin's own error code. */
  readonly pluginCode?: string | undefined;
}

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCodes));

/**
 * An error answer of the daemon. Its `code` is the daemon's own (`reason`),
 * so callers branch on the same codes whether fleetd failed in process or
 * over HTTP; API_ERROR when the daemon sent none (fleet) or one this
 * fleetctl does not know (a newer daemon: `reason` still has it).
 * `status` is the HTTP status it came with.
 */
export class ApiError extends FleetError {
  readonly status: number;
  /** The daemon's error code as sent, known to this fleetctl or not. */
  readonly reason: string | undefined;

  constructor(status: number, message: string, details: ApiErrorDetails = {}) {
    const { reason, plugin, pluginCode } = details;
    super(reason !== undefined && KNOWN_CODES.has(reason) ? (reason as ErrorCode) : ErrorCodes.API_ERROR, message, { plugin, pluginCode });
    this.status = status;
    this.reason = reason;
  }
}

/**
 * One HTTP exchange with the daemon. Failing to get an answer at all (no
 * socket, refused, timed out, TLS refused) becomes API_UNREACHABLE naming
 * the endpoint, so the user learns where fleetctl looked.
 */
export function send(options: TransportOptions, method: string, path: string, body?: unknown): Promise<RawResponse> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = open(options, method, path, payload);
    request.setTimeout(options.timeoutMs, () => {
      request.destroy(unreachable(options.endpoint, `no answer within ${options.timeoutMs} ms`));
    });
    request.on('error', (error) => reject(error instanceof FleetError ? error : unreachable(options.endpoint, describeNetworkError(error))));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => reject(unreachable(options.endpoint, describeNetworkError(error))));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    request.end(payload);
  });
}

function open(options: TransportOptions, method: string, path: string, payload: string | undefined): http.ClientRequest {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  if (options.token !== undefined && options.token !== '') headers['authorization'] = `Bearer ${options.token}`;
  const { endpoint } = options;
  if (endpoint.kind === 'unix') {
    return http.request({ socketPath: endpoint.socketPath, path, method, headers, host: 'localhost' });
  }
  const base = endpoint.url.pathname.replace(/\/$/, '');
  const target = { hostname: endpoint.url.hostname, port: endpoint.url.port, path: base + path, method, headers };
  if (endpoint.kind === 'https') return https.request({ ...target, ...(options.ca === undefined ? {} : { ca: options.ca }), ...options.clientCertificate });
  return http.request(target);
}

export function unreachable(endpoint: Endpoint, why: string): FleetError {
  const hint = why.includes('EACCES')
    ? "permission denied: run as a member of the socket's group or as root"
    : why.includes(CERTIFICATE_REQUIRED)
      ? 'the daemon checks client certificates: give yours with --cert-file and --key-file'
      : /certificate|CERT/.test(why)
        ? "trust the daemon's certificate authority with --ca-file"
        : 'is fleetd running? --endpoint or FLEETCTL_ENDPOINT says where to look';
  return new FleetError(ErrorCodes.API_UNREACHABLE, `cannot reach fleetd at ${endpoint.display}: ${why} (${hint})`);
}

/** The TLS alert of a server that wants a client certificate and got none (TLS 1.3). */
const CERTIFICATE_REQUIRED = 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED';

/** `connect ENOENT`, `connect ECONNREFUSED`, or the TLS library's words. */
function describeNetworkError(error: Error): string {
  const { code, syscall } = error as NodeJS.ErrnoException;
  if (syscall !== undefined && code !== undefined) return `${syscall} ${code}`;
  // OpenSSL's own text spans lines and names its source files.
  if (code === CERTIFICATE_REQUIRED) return `the TLS handshake was refused without a client certificate (${code})`;
  if (code !== undefined && code !== '') return `${error.message} (${code})`;
  return error.message;
}
