import { createServer as createHttpServer } from 'node:http';
import type { RequestListener, Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ErrorCodes, FleetError, describeThrown } from '@fleetd/core';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from 'fastify';
import { loadDashboardAssets } from '../dashboard/assets.js';
import type { DashboardAssets } from '../dashboard/assets.js';
import { dashboardRoutes } from '../dashboard/routes.js';
import { DashboardSessions } from '../dashboard/session.js';
import type { FleetService } from '../service/index.js';
import { requireBearerToken } from './auth.js';
import { checkOptions, warnIfUnauthenticated } from './checks.js';
import { clientErrorHandler, MAX_PARAM_LENGTH, routerFailure } from './client-error.js';
import { HTTP_REASONS, toWireFailure, wireError } from './errors.js';
import { FleetClientLag } from './fleet-client-lag.js';
import { capConnections, httpServerTimeouts, RateLimitedWarning } from './limits.js';
import type { ApiConnectionCaps, ApiConnectionObserver, ApiListener, ApiTimeouts } from './limits.js';
import { pathOf } from './resource.js';
import { fleetRoutes } from './routes-fleet.js';
import { fleetdRoutes } from './routes-fleetd.js';
import { bulkUnitRoutes } from './routes-units-bulk.js';
import { listenRestricted, prepareSocketPath, restrictSocket } from './socket.js';

export interface ApiSocketOptions {
  readonly path: string;
  /** File mode after listening, e.g. 0o660. */
  readonly mode: number;
  /** Group name or gid to own the socket. */
  readonly group?: string | number;
}

export interface ApiTcpOptions {
  readonly host: string;
  /** 0: any free port (see `ApiServer.tcpUrl`). */
  readonly port: number;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** PEM contents. With `ca`, clients must present a certificate it signed. */
  readonly tls?: { readonly cert: string; readonly key: string; readonly ca?: string };
  /**
   * Serve TCP with neither a token nor a client CA: anyone who reaches the
   * port controls the cluster. Refused unless set; warned about at every start.
   */
  readonly allowUnauthenticated?: boolean;
  /** Default 256: open connections in total; more are closed at once. */
  readonly maxConnections?: number;
  /** Default 32: open connections from one client address; more are closed at once. */
  readonly maxConnectionsPerClient?: number;
}

export interface ApiServerOptions {
  readonly service: FleetService;
  readonly socket?: ApiSocketOptions;
  readonly tcp?: ApiTcpOptions;
  /** fleet's page size (100); every page token carries it. */
  readonly pageSize: number;
  readonly bodyLimitBytes: number;
  /** Defaults: headers within 10 s, the whole request within 60 s, idle keep-alive 5 s. Both listeners. */
  readonly timeouts?: Partial<ApiTimeouts>;
  /** Open, closed and refused connections and parser failures, for metrics. */
  readonly onConnectionEvent?: ApiConnectionObserver;
  readonly logger?: FastifyBaseLogger;
  /** Serve the web dashboard at `/ui/` on every listener, behind the same credentials. Default false (fleetd's config turns it on). */
  readonly dashboard?: boolean;
}

export interface ApiServer {
  readonly socketPath?: string | undefined;
  /** `http(s)://host:port` with the port actually bound. */
  readonly tcpUrl?: string | undefined;
  close(): Promise<void>;
}

/** Serves fleet's v1 API and fleetd's extras on a unix socket and/or TCP, the same routes on both. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  // Every option is checked before anything listens.
  const { timeouts, tcpCaps } = checkOptions(options);
  const apps: FastifyInstance[] = [];
  const closeAll = async () => {
    for (const app of apps.splice(0)) await app.close();
  };
  const context: ListenerContext = {
    timeouts,
    observe: options.onConnectionEvent ?? (() => undefined),
    warnings: new RateLimitedWarning(options.logger),
    // One for both listeners: what fleet's client did through one is what it reads through the other.
    lag: new FleetClientLag(),
    // Read before anything listens: missing files are a start-up error, not a broken page.
    dashboard: options.dashboard === true ? loadDashboardAssets() : undefined,
  };
  try {
    let socketPath: string | undefined;
    let tcpUrl: string | undefined;
    // Separate servers: a TCP listener at its connection cap leaves the socket reachable.
    if (options.socket !== undefined) {
      const app = buildApp(options, {}, { ...context, listener: 'socket', caps: undefined });
      apps.push(app);
      socketPath = await listenOnSocket(app, options.socket);
    }
    if (options.tcp !== undefined) {
      const app = buildApp(options, options.tcp, { ...context, listener: 'tcp', caps: tcpCaps });
      apps.push(app);
      tcpUrl = await listenOnTcp(app, options.tcp);
      warnIfUnauthenticated(options.tcp, tcpUrl, options.logger);
    }
    return { socketPath, tcpUrl, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

interface ListenerContext {
  readonly timeouts: ApiTimeouts;
  readonly observe: ApiConnectionObserver;
  readonly warnings: RateLimitedWarning;
  readonly lag: FleetClientLag;
  readonly dashboard: DashboardAssets | undefined;
}

interface ListenerSetup extends ListenerContext {
  readonly listener: ApiListener;
  readonly caps: ApiConnectionCaps | undefined;
}

/** Node's server with the timeouts set at creation (the connection check interval cannot change later). */
function serverFactory(tcp: Partial<ApiTcpOptions>, setup: ListenerSetup) {
  return (handler: RequestListener): HttpServer => {
    const timeouts = httpServerTimeouts(setup.timeouts);
    const server =
      tcp.tls === undefined
        ? createHttpServer(timeouts, handler)
        : createHttpsServer({ ...httpsOptions(tcp.tls), ...timeouts, handshakeTimeout: setup.timeouts.headersTimeoutMs }, handler);
    server.keepAliveTimeout = setup.timeouts.keepAliveTimeoutMs;
    capConnections(server, setup.listener, setup.caps, setup.observe, setup.warnings);
    return server;
  };
}

function buildApp(options: ApiServerOptions, tcp: Partial<ApiTcpOptions>, setup: ListenerSetup): FastifyInstance {
  const app = Fastify({
    ...(options.logger === undefined ? { logger: false } : { loggerInstance: options.logger }),
    serverFactory: serverFactory(tcp, setup),
    bodyLimit: options.bodyLimitBytes,
    // Unit names may be 255 characters.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    exposeHeadRoutes: false,
    // One debug line per request (below) instead of fastify's two info lines.
    logController: new LogController({ disableRequestLogging: true }),
    frameworkErrors: (error, _request, reply) => {
      const failure = routerFailure(error);
      void (reply as FastifyReply).code(failure.status).send(wireError(failure.status, failure.message, HTTP_REASONS.requestInvalid));
    },
    clientErrorHandler: clientErrorHandler(setup.listener, setup.timeouts, setup.observe, setup.warnings),
  }) as unknown as FastifyInstance;
  // Bodies stay text: each route checks its content type and decodes with fleet's messages.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('server', `fleetd/${options.service.version}`);
  });
  const sessions = tcp.token === undefined || setup.dashboard === undefined ? undefined : new DashboardSessions(tcp.token);
  if (tcp.token !== undefined)
    requireBearerToken(app, tcp.token, sessions === undefined ? undefined : { sessions, assets: setup.dashboard as DashboardAssets });
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'api request');
  });
  app.setErrorHandler(async (error, request, reply) => {
    const failure = toWireFailure(error, options.bodyLimitBytes);
    if (failure.internal) request.log.error({ err: error, method: request.method, url: request.url }, 'api request failed');
    if (failure.status === 401) reply.header('www-authenticate', 'Bearer');
    return reply.code(failure.status).send(failure.body);
  });
  app.setNotFoundHandler(async (request, reply) => reply.code(404).send(wireError(404, `no resource at ${pathOf(request)}`, HTTP_REASONS.routeNotFound)));
  fleetRoutes(app, options.service, options.pageSize, setup.lag);
  fleetdRoutes(app, options.service);
  bulkUnitRoutes(app, options.service);
  if (setup.dashboard !== undefined) dashboardRoutes(app, { assets: setup.dashboard, sessions, secure: tcp.tls !== undefined });
  return app;
}

function httpsOptions(tls: NonNullable<ApiTcpOptions['tls']>) {
  return {
    cert: tls.cert,
    key: tls.key,
    ...(tls.ca === undefined ? {} : { ca: tls.ca, requestCert: true, rejectUnauthorized: true }),
  };
}

async function listenOnSocket(app: FastifyInstance, socket: ApiSocketOptions): Promise<string> {
  await prepareSocketPath(socket.path, socket.group);
  // The socket is created owner-only (see listenRestricted), then opened up to its configured mode.
  await listenRestricted(app.server, () => listen(app, { path: socket.path }, `api.socket: cannot listen on ${socket.path}`));
  await restrictSocket(socket.path, socket.mode, socket.group);
  return socket.path;
}

async function listenOnTcp(app: FastifyInstance, tcp: ApiTcpOptions): Promise<string> {
  await listen(app, { host: tcp.host, port: tcp.port }, `api.tcp: cannot listen on ${tcp.host}:${tcp.port}`);
  const { port } = app.server.address() as AddressInfo;
  const host = tcp.host.includes(':') ? `[${tcp.host}]` : tcp.host;
  return `${tcp.tls === undefined ? 'http' : 'https'}://${host}:${port}`;
}

async function listen(app: FastifyInstance, where: { path: string } | { host: string; port: number }, failure: string): Promise<void> {
  try {
    await app.listen(where);
  } catch (error) {
    throw new FleetError(ErrorCodes.API_LISTEN_FAILED, `${failure}: ${describeThrown(error)}`, { cause: error });
  }
}
