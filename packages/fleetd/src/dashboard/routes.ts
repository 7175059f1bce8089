import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { noResourceAt, resource } from '../api/resource.js';
import type { Asset, DashboardAssets } from './assets.js';
import { clearedSessionCookie, sessionCookie } from './session.js';
import type { DashboardSessions } from './session.js';

/** Where the dashboard lives on every API listener. */
export const DASHBOARD_PATH = '/ui/';

/**
 * Nothing but the dashboard's own files may run or load: no inline script or
 * style, no other origin, no framing (clickjacking), forms post only here.
 */
export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export interface DashboardRouteOptions {
  readonly assets: DashboardAssets;
  /** Sign-in by token; undefined on a listener without a token (socket, client certificates, unauthenticated). */
  readonly sessions: DashboardSessions | undefined;
  /** A TLS listener: the session cookie is `Secure`. */
  readonly secure: boolean;
}

const ONLY_GET = { status: 405, message: 'only GET supported against this resource' };

/** The dashboard's pages and files, and signing in and out. */
export function dashboardRoutes(app: FastifyInstance, options: DashboardRouteOptions): void {
  const { assets, sessions, secure } = options;
  resource(app, '/ui', { GET: async (_request, reply) => reply.code(308).header('location', DASHBOARD_PATH).send() }, ONLY_GET);
  resource(app, DASHBOARD_PATH, { GET: async (request, reply) => sendAsset(request, reply, assets.index, 'no-cache') }, ONLY_GET);
  resource(
    app,
    '/ui/assets/*',
    {
      GET: async (request, reply) => {
        const asset = assets.files.get((request.params as { '*': string })['*']);
        if (asset === undefined) throw noResourceAt(request);
        // Names carry a content hash: a new build is a new name.
        return sendAsset(request, reply, asset, 'private, max-age=31536000, immutable');
      },
    },
    ONLY_GET,
  );
  resource(
    app,
    '/ui/login',
    {
      GET: async (request, reply) => (sessions === undefined ? seeOther(reply, DASHBOARD_PATH) : sendAsset(request, reply, assets.login, 'no-cache')),
      POST: async (request, reply) => {
        if (sessions === undefined) return seeOther(reply, DASHBOARD_PATH);
        if (!sessions.acceptsToken(formField(request, 'token'))) return seeOther(reply, '/ui/login?error=token');
        reply.header('set-cookie', sessionCookie(sessions.issue(), secure));
        return seeOther(reply, DASHBOARD_PATH);
      },
    },
    { status: 405, message: 'only GET and POST supported against this resource' },
  );
  resource(
    app,
    '/ui/logout',
    { POST: async (_request, reply) => seeOther(reply.header('set-cookie', clearedSessionCookie(secure)), '/ui/login') },
    { status: 405, message: 'only POST supported against this resource' },
  );
}

/** The sign-in page as the answer to an unauthenticated visit of the dashboard: a 401, as any request without credentials. */
export function sendSignInPage(request: FastifyRequest, reply: FastifyReply, assets: DashboardAssets): FastifyReply {
  return sendAsset(request, reply.code(401), assets.login, 'no-store');
}

export function isDashboardPage(method: string, path: string): boolean {
  return method === 'GET' && (path === '/ui' || path === DASHBOARD_PATH);
}

/** What anyone may fetch: the sign-in page, its own script and style, signing in and out. */
export function isPublicDashboardPath(method: string, path: string): boolean {
  if (path === '/ui/login') return method === 'GET' || method === 'POST';
  if (path === '/ui/logout') return method === 'POST';
  return method === 'GET' && /^\/ui\/assets\/login[-.][^/]*$/.test(path);
}

function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: Asset, cacheControl: string): FastifyReply {
  withDashboardHeaders(reply).header('cache-control', cacheControl).header('etag', asset.etag).header('vary', 'accept-encoding');
  if (request.headers['if-none-match'] === asset.etag && reply.statusCode === 200) return reply.code(304).send();
  reply.type(asset.type);
  if (!/\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) return reply.send(asset.body);
  return reply.header('content-encoding', 'gzip').send(asset.gzip);
}

function withDashboardHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer');
}

function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return withDashboardHeaders(reply).code(303).header('location', location).header('cache-control', 'no-store').send();
}

/** One field of a sign-in form (urlencoded, as a browser posts it; JSON accepted for scripts). */
function formField(request: FastifyRequest, name: string): string {
  const body = typeof request.body === 'string' ? request.body : '';
  const type = request.headers['content-type'] ?? '';
  if (type.startsWith('application/json')) {
    try {
      const value = (JSON.parse(body) as Record<string, unknown>)[name];
      return typeof value === 'string' ? value : '';
    } catch {
      return '';
    }
  }
  return new URLSearchParams(body).get(name) ?? '';
}
