import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HTTP_REASONS, HttpError } from './errors.js';

export type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

const EVERY_METHOD = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

/**
 * One URL, its handlers by method, and fleet's answer to any other method
 * (each fleet resource had its own status and message for that).
 */
export function resource(
  app: FastifyInstance,
  url: string,
  handlers: Readonly<Partial<Record<string, Handler>>>,
  otherMethod: { readonly status: number; readonly message: string },
): void {
  app.route({
    method: EVERY_METHOD,
    url,
    handler: async (request, reply) => {
      const handle = handlers[request.method];
      if (handle === undefined) throw new HttpError(otherMethod.status, otherMethod.message, HTTP_REASONS.routeNotFound);
      return handle(request, reply);
    },
  });
}

/** Every value of a query parameter (fleet's clients send each once; repeats are kept). */
export function queryValues(request: FastifyRequest, name: string): string[] {
  const value = (request.query as Record<string, string | string[] | undefined>)[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** A path parameter; an empty one (`/units/`) is no resource at all, as in fleet. */
export function param(request: FastifyRequest, name: string): string {
  const value = (request.params as Record<string, string | undefined>)[name];
  if (value === undefined || value === '') throw noResourceAt(request);
  return value;
}

/** The request's path, without its query. */
export function pathOf(request: FastifyRequest): string {
  return request.url.split('?', 1)[0] ?? '';
}

/** The 404 of a path that names nothing. */
export function noResourceAt(request: FastifyRequest): HttpError {
  return new HttpError(404, `no resource at ${pathOf(request)}`, HTTP_REASONS.routeNotFound);
}
