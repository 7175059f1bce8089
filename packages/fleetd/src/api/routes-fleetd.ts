import type { FastifyInstance } from 'fastify';
import type { FleetService } from '../service/index.js';
import { decodePlanRequest, parseJson, requireJson } from './body.js';
import { HTTP_REASONS, HttpError } from './errors.js';
import { eventStreamRoute } from './event-stream.js';
import { param, resource } from './resource.js';
import { FLEETD_API_PREFIX } from './wire.js';

const ONLY_GET = { status: 405, message: 'only GET supported against this resource' };

/** What fleet never had: explanations, dry-run plans, the live event stream, health and metrics. */
export function fleetdRoutes(app: FastifyInstance, service: FleetService): void {
  resource(app, `${FLEETD_API_PREFIX}/events`, { GET: eventStreamRoute(app, service) }, ONLY_GET);

  resource(app, `${FLEETD_API_PREFIX}/units/:name/explanation`, { GET: (request) => service.explain(param(request, 'name')) }, ONLY_GET);

  resource(
    app,
    `${FLEETD_API_PREFIX}/plan`,
    {
      POST: async (request) => {
        requireJson(request.headers);
        return service.plan(decodePlanRequest(parseJson(request.body, 'unable to decode body: ')));
      },
    },
    { status: 405, message: 'only POST supported against this resource' },
  );

  resource(
    app,
    '/health',
    {
      GET: async (_request, reply) => {
        const health = await service.health();
        return reply.code(health.status === 'ok' ? 200 : 503).send(health);
      },
    },
    ONLY_GET,
  );

  resource(
    app,
    '/metrics',
    {
      GET: async (_request, reply) => {
        const metrics = await service.metrics();
        if (metrics === undefined) throw new HttpError(404, 'this fleetd exposes no metrics', HTTP_REASONS.routeNotFound);
        return reply.code(200).type(metrics.contentType).send(metrics.body);
      },
    },
    ONLY_GET,
  );
}
