import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { HTTP_REASONS, HttpError } from './errors.js';

/**
 * Every request on the TCP listener must carry `Authorization: Bearer <token>`.
 * Both sides are hashed first so the comparison takes the same time whatever
 * the length or content of what was sent.
 */
export function requireBearerToken(app: FastifyInstance, token: string): void {
  const expected = digest(token);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(header.trim());
    if (match === null) throw new HttpError(401, 'missing bearer token: send Authorization: Bearer <token>', HTTP_REASONS.unauthorized);
    if (!timingSafeEqual(digest(match[1] as string), expected)) throw new HttpError(401, 'invalid bearer token', HTTP_REASONS.unauthorized);
  });
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
