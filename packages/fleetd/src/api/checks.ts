/**
 * The API server's options, checked before anything listens: limits that
 * must be positive, a header timeout Node accepts, and a TCP listener that
 * authenticates its clients unless told, loudly, not to.
 */
import { ErrorCodes, FleetError } from '@fleetd/core';
import type { FastifyBaseLogger } from 'fastify';
import { API_LIMIT_DEFAULTS } from './limits.js';
import { authenticatesTcp, UNAUTHENTICATED_TCP } from './tcp-auth.js';
import type { ApiConnectionCaps, ApiTimeouts } from './limits.js';
import type { ApiServerOptions, ApiTcpOptions } from './server.js';

export interface CheckedOptions {
  readonly timeouts: ApiTimeouts;
  /** Undefined without a TCP listener. */
  readonly tcpCaps: ApiConnectionCaps | undefined;
}

/** Throws CONFIG_INVALID naming the option (`api.pageSize: ...`); returns the limits with defaults filled in. */
export function checkOptions(options: ApiServerOptions): CheckedOptions {
  // Page tokens hold the page size as an unsigned 16-bit number.
  if (!Number.isInteger(options.pageSize) || options.pageSize < 1 || options.pageSize > 0xffff) {
    throw configInvalid(`api.pageSize: ${options.pageSize} must be an integer from 1 to 65535`);
  }
  positiveInteger('api.bodyLimitBytes', options.bodyLimitBytes);
  const tcp = options.tcp;
  if (tcp !== undefined && !authenticates(tcp) && tcp.allowUnauthenticated !== true) {
    throw configInvalid(`api.tcp: ${UNAUTHENTICATED_TCP}`);
  }
  return { timeouts: checkTimeouts(options.timeouts ?? {}), tcpCaps: tcp === undefined ? undefined : checkCaps(tcp) };
}

function authenticates(tcp: ApiTcpOptions): boolean {
  return authenticatesTcp({ token: tcp.token, clientCa: tcp.tls?.ca });
}

/** The opt-out is said out loud at every start, so nobody runs an open listener without a log line saying so. */
export function warnIfUnauthenticated(tcp: ApiTcpOptions, tcpUrl: string, logger: FastifyBaseLogger | undefined): void {
  if (authenticates(tcp)) return;
  logger?.warn(
    { tcp: tcpUrl, allowUnauthenticated: true },
    `api.tcp.allowUnauthenticated: the API on ${tcpUrl} checks no token and no client certificate; anyone who reaches this port controls the cluster`,
  );
}

function checkTimeouts(given: Partial<ApiTimeouts>): ApiTimeouts {
  const timeouts: ApiTimeouts = {
    headersTimeoutMs: given.headersTimeoutMs ?? API_LIMIT_DEFAULTS.headersTimeoutMs,
    requestTimeoutMs: given.requestTimeoutMs ?? API_LIMIT_DEFAULTS.requestTimeoutMs,
    keepAliveTimeoutMs: given.keepAliveTimeoutMs ?? API_LIMIT_DEFAULTS.keepAliveTimeoutMs,
  };
  for (const [name, value] of Object.entries(timeouts) as [string, number][]) positiveInteger(`api.${name}`, value);
  // Node refuses a headers timeout longer than the request timeout.
  if (timeouts.headersTimeoutMs > timeouts.requestTimeoutMs) {
    throw configInvalid(`api.headersTimeoutMs: ${timeouts.headersTimeoutMs} must not exceed api.requestTimeoutMs (${timeouts.requestTimeoutMs})`);
  }
  return timeouts;
}

function checkCaps(tcp: ApiTcpOptions): ApiConnectionCaps {
  const caps = {
    maxConnections: tcp.maxConnections ?? API_LIMIT_DEFAULTS.maxConnections,
    maxConnectionsPerClient: tcp.maxConnectionsPerClient ?? API_LIMIT_DEFAULTS.maxConnectionsPerClient,
  };
  for (const [name, value] of Object.entries(caps)) positiveInteger(`api.tcp.${name}`, value);
  return caps;
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) throw configInvalid(`${name}: ${value} must be a positive integer`);
}

function configInvalid(message: string): FleetError {
  return new FleetError(ErrorCodes.CONFIG_INVALID, message);
}
