/**
 * What one client may cost the API: how long a request may take to arrive and
 * how many connections it may hold. Without these, connections that never
 * finish their headers are never token-checked and are held for Node's 5
 * minutes; enough of them exhaust the daemon's file descriptors.
 */
import type { Server } from 'node:net';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';

export interface ApiTimeouts {
  /** Time to receive a request's headers (and the first byte: silent connections too). */
  readonly headersTimeoutMs: number;
  /** Time to receive a whole request, body included. */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open after a response. */
  readonly keepAliveTimeoutMs: number;
}

export interface ApiConnectionCaps {
  /** Open connections on the TCP listener, all clients together. */
  readonly maxConnections: number;
  /** Open connections on the TCP listener from one client address. */
  readonly maxConnectionsPerClient: number;
}

export const API_LIMIT_DEFAULTS = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 256,
  maxConnectionsPerClient: 32,
} satisfies ApiTimeouts & ApiConnectionCaps);

export type ApiListener = 'socket' | 'tcp';

/** Why a connection was turned away before a request was read. */
export type ConnectionRefusal = 'max-connections' | 'max-connections-per-client';

/** Why the HTTP parser gave up on a connection (answered by the server's clientError handler). */
export type ClientErrorReason = 'timeout' | 'headers-too-large' | 'bad-request';

/** What the listeners report, for metrics: open connections, refusals, parser failures. */
export type ApiConnectionEvent =
  | { readonly type: 'opened' | 'closed'; readonly listener: ApiListener }
  | { readonly type: 'refused'; readonly listener: ApiListener; readonly reason: ConnectionRefusal }
  | { readonly type: 'client-error'; readonly listener: ApiListener; readonly reason: ClientErrorReason };

export type ApiConnectionObserver = (event: ApiConnectionEvent) => void;

/** Node closes a connection after this long without headers only when its periodic check runs: keep it frequent. */
export function connectionsCheckingIntervalMs(timeouts: ApiTimeouts): number {
  return Math.max(50, Math.min(1000, Math.floor(timeouts.headersTimeoutMs / 2)));
}

/** Node's server options that bound how long a request may take to arrive. */
export function httpServerTimeouts(timeouts: ApiTimeouts) {
  return {
    headersTimeout: timeouts.headersTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    connectionsCheckingInterval: connectionsCheckingIntervalMs(timeouts),
  };
}

/**
 * One warning per listener and reason at most every `everyMs`, saying how many
 * happened since the last one: an attack of a thousand connections is one
 * line, not a thousand.
 */
export class RateLimitedWarning {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: FastifyBaseLogger | undefined,
    private readonly everyMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  warn(key: string, fields: Record<string, unknown>, message: string): void {
    const entry = this.last.get(key);
    const now = this.now();
    if (entry !== undefined && now - entry.at < this.everyMs) {
      entry.suppressed += 1;
      return;
    }
    this.last.set(key, { at: now, suppressed: 0 });
    this.logger?.warn({ ...fields, ...(entry === undefined ? {} : { sinceLastWarning: entry.suppressed + 1 }) }, message);
  }
}

/** `::ffff:10.0.0.1` and `10.0.0.1` are one client. */
function clientAddress(socket: Socket): string {
  const address = socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * Counts open connections and caps them: in total with Node's own
 * `maxConnections` (it closes the socket before any callback runs, and emits
 * `drop`), and per client address here, before TLS or HTTP see the socket.
 */
export function capConnections(
  server: Server,
  listener: ApiListener,
  caps: ApiConnectionCaps | undefined,
  observe: ApiConnectionObserver,
  warnings: RateLimitedWarning,
): void {
  const perClient = new Map<string, number>();
  if (caps !== undefined) {
    server.maxConnections = caps.maxConnections;
    server.on('drop', (data?: { remoteAddress?: string }) => {
      observe({ type: 'refused', listener, reason: 'max-connections' });
      warnings.warn(
        `${listener}:max-connections`,
        { listener, limit: caps.maxConnections, client: data?.remoteAddress },
        `api: connection refused, ${caps.maxConnections} connections open (api.tcp.maxConnections)`,
      );
    });
  }
  // Prepended: a refused socket is destroyed before TLS or the HTTP parser is set up for it.
  server.prependListener('connection', (socket: Socket) => {
    const client = clientAddress(socket);
    const open = (perClient.get(client) ?? 0) + 1;
    if (caps !== undefined && open > caps.maxConnectionsPerClient) {
      observe({ type: 'refused', listener, reason: 'max-connections-per-client' });
      warnings.warn(
        `${listener}:max-connections-per-client`,
        { listener, client, limit: caps.maxConnectionsPerClient },
        `api: connection from ${client} refused, it has ${caps.maxConnectionsPerClient} open (api.tcp.maxConnectionsPerClient)`,
      );
      socket.destroy();
      return;
    }
    perClient.set(client, open);
    observe({ type: 'opened', listener });
    socket.once('close', () => {
      const left = (perClient.get(client) ?? 1) - 1;
      if (left === 0) perClient.delete(client);
      else perClient.set(client, left);
      observe({ type: 'closed', listener });
    });
  });
}
