import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DashboardAssets } from '../dashboard/assets.js';
import { isDashboardPage, isPublicDashboardPath, sendSignInPage } from '../dashboard/routes.js';
import { cookieValue, SESSION_COOKIE } from '../dashboard/session.js';
import type { DashboardSessions } from '../dashboard/session.js';
import { HTTP_REASONS, HttpError } from './errors.js';
import { pathOf } from './resource.js';

/** The header the dashboard sends with every request: a page of another origin cannot send it without a CORS preflight fleetd never grants. */
export const DASHBOARD_REQUEST_HEADER = 'x-fleetd-ui';

export interface DashboardSignIn {
  readonly sessions: DashboardSessions;
  readonly assets: DashboardAssets;
}

/**
 * Every request on the TCP listener must carry `Authorization: Bearer <token>`,
 * or, with the dashboard, the session cookie that signing in with that token
 * gave. Both sides are hashed first so the comparison takes the same time
 * whatever the length or content of what was sent.
 */
export function requireBearerToken(app: FastifyInstance, token: string, dashboard?: DashboardSignIn): void {
  const expected = digest(token);
  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization;
    if (dashboard !== undefined && header === undefined) {
      const path = pathOf(request);
      if (isPublicDashboardPath(request.method, path)) return undefined;
      if (dashboard.sessions.verify(cookieValue(request.headers.cookie, SESSION_COOKIE))) {
        checkSessionRequest(request);
        return undefined;
      }
      if (isDashboardPage(request.method, path)) return sendSignInPage(request, reply, dashboard.assets);
    }
    const match = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(header.trim());
    if (match === null) throw new HttpError(401, 'missing bearer token: send Authorization: Bearer <token>', HTTP_REASONS.unauthorized);
    if (!timingSafeEqual(digest(match[1] as string), expected)) throw new HttpError(401, 'invalid bearer token', HTTP_REASONS.unauthorized);
    return undefined;
  });
}

/**
 * A browser sends the cookie with whatever request a page makes, whichever
 * site the page is from: writes under a session must come from the dashboard
 * itself (its header, and its origin when the browser names one). Reads are
 * safe: another origin cannot see their answers.
 */
function checkSessionRequest(request: FastifyRequest): void {
  if (request.method === 'GET' || request.method === 'HEAD') return;
  const origin = request.headers.origin;
  const sameOrigin = origin === undefined || hostOf(origin) === request.headers.host;
  if (request.headers[DASHBOARD_REQUEST_HEADER] !== '1' || !sameOrigin) {
    throw new HttpError(
      403,
      `a dashboard session may change the cluster only from the dashboard (same origin, ${DASHBOARD_REQUEST_HEADER} header); scripts send Authorization: Bearer <token>`,
      HTTP_REASONS.unauthorized,
    );
  }
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
