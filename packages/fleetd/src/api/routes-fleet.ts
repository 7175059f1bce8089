import { ErrorCodes, isFleetError } from '@fleetd/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FleetService } from '../service/index.js';
import { decodeMachineOps, decodeUnitPut, parseJson, requireJson } from './body.js';
import { FLEET_DISCOVERY } from './discovery.js';
import { FleetClientLag, isFleetGoClient, untilStopped } from './fleet-client-lag.js';
import { HttpError } from './errors.js';
import { pageOf, pageTokenOf } from './page-token.js';
import { param, queryValues, resource } from './resource.js';
import { FLEET_API_PREFIX } from './wire.js';
import type { MachinePage, UnitPage, UnitStatePage, WireUnit } from './wire.js';

const ONLY_GET = { status: 405, message: 'only GET supported against this resource' };

/**
 * Where fleet's mux (api/mux.go) served the same handlers: its first API path
 * `/v1-alpha` (not under `/fleet`), kept beside `/fleet/v1` through v1.0.
 */
export const FLEET_API_PREFIXES = ['/v1-alpha', FLEET_API_PREFIX] as const;

/**
 * fleet's API v1 (api/*.go in fleet), route by route, with its statuses and
 * messages, under each of fleet's prefixes. `lag` keeps what fleet's own
 * client needs of fleet's timing (see FleetClientLag).
 */
export function fleetRoutes(app: FastifyInstance, service: FleetService, pageSize: number, lag: FleetClientLag): void {
  for (const base of FLEET_API_PREFIXES) fleetRoutesUnder(app, base, { service, pageSize, lag });
  // fleet's mux answered the server root with 405.
  resource(app, '/', {}, { status: 405, message: 'method not allowed' });
}

interface FleetRouteContext {
  readonly service: FleetService;
  readonly pageSize: number;
  readonly lag: FleetClientLag;
}

function fleetRoutesUnder(app: FastifyInstance, base: string, { service, pageSize, lag }: FleetRouteContext): void {
  // The token is checked before the registry is read, as fleet does.
  const tokenOf = (request: FastifyRequest) => pageTokenOf(queryValues(request, 'nextPageToken'), pageSize);
  // Units as the requesting client reads them: fleet's own client through fleet's lag.
  const asRead = (request: FastifyRequest) => (isFleetGoClient(request.headers) ? (unit: WireUnit) => lag.view(unit) : (unit: WireUnit) => unit);

  resource(
    app,
    `${base}/units`,
    {
      GET: async (request): Promise<UnitPage> => {
        const token = tokenOf(request);
        const { items, nextPageToken } = await service.pageUnits(token);
        return { units: items.map(asRead(request)), ...(nextPageToken === undefined ? {} : { nextPageToken }) };
      },
    },
    ONLY_GET,
  );

  resource(
    app,
    `${base}/units/:name`,
    {
      GET: async (request) => asRead(request)(await service.getUnit(param(request, 'name'))),
      DELETE: async (request, reply) => {
        await service.destroyUnit(param(request, 'name'));
        return reply.code(204).send();
      },
      PUT: async (request, reply) => {
        const status = await putUnit(service, request, isFleetGoClient(request.headers) ? lag : undefined);
        return reply.code(status.code).send(status.body);
      },
    },
    { status: 405, message: 'only GET, PUT and DELETE supported against this resource' },
  );

  resource(
    app,
    `${base}/state`,
    {
      GET: async (request): Promise<UnitStatePage> => {
        const token = tokenOf(request);
        const filter = { machineIDs: queryValues(request, 'machineID'), unitNames: queryValues(request, 'unitName') };
        const { items, nextPageToken } = await service.pageStates(filter, token);
        return { states: items, ...(nextPageToken === undefined ? {} : { nextPageToken }) };
      },
    },
    ONLY_GET,
  );

  resource(app, `${base}/state/:name`, { GET: (request) => service.getUnitState(param(request, 'name')) }, ONLY_GET);

  resource(
    app,
    `${base}/machines`,
    {
      GET: async (request): Promise<MachinePage> => {
        const token = tokenOf(request);
        const { items, nextPageToken } = pageOf(await service.listMachines(), token);
        return { machines: items, ...(nextPageToken === undefined ? {} : { nextPageToken }) };
      },
      // fleet checks no content type here, only that the body decodes.
      PATCH: async (request, reply) => {
        await service.patchMachines(decodeMachineOps(parseJson(request.body)));
        return reply.code(204).send();
      },
    },
    { status: 405, message: 'only GET and PATCH supported against this resource' },
  );

  // fleet answered other methods on /discovery with 400, not 405.
  resource(app, `${base}/discovery`, { GET: async () => FLEET_DISCOVERY }, { status: 400, message: 'only HTTP GET supported against this resource' });
  // fleet's mux answered the API root with 405.
  resource(app, base, {}, { status: 405, message: 'method not allowed' });
}

/**
 * fleet's unitsResource.set: 415, body, names, then the service decides 201
 * (created or replaced) / 204 / 409. With `lag` (a request of fleet's own
 * client), what the PUT did to the desired state is recorded for its reads,
 * after the unit stopped when the PUT lowered a running unit.
 */
async function putUnit(service: FleetService, request: FastifyRequest, lag: FleetClientLag | undefined): Promise<{ code: number; body?: unknown }> {
  requireJson(request.headers);
  const body = decodeUnitPut(parseJson(request.body, 'unable to decode body: '));
  const item = param(request, 'name');
  const name = body.name === undefined || body.name === '' ? item : body.name;
  if (name !== item) {
    throw new HttpError(400, `name in URL ${JSON.stringify(item)} differs from unit name in request body ${JSON.stringify(name)}`, ErrorCodes.UNIT_INVALID);
  }
  const before = lag?.needsBefore(body.desiredState) === true ? await unitIfAny(service, name) : undefined;
  const outcome = await service.putUnit({ name, options: body.options, desiredState: body.desiredState, contents: body.contents });
  if (outcome.kind !== 'refused' && lag !== undefined) {
    const desiredState = outcome.kind === 'updated' ? body.desiredState : undefined;
    // fleet's client reads the unit next: it must have stopped by then, or its restart restarts nothing.
    if (lag.lowersRunning(desiredState, before)) await untilStopped(() => unitIfAny(service, name));
    lag.recordPut(name, desiredState, before);
  }
  switch (outcome.kind) {
    // fleet answers a replacement as a creation: it went through the same `create`.
    case 'created':
    case 'replaced':
      return { code: 201 };
    case 'refused':
      throw new HttpError(409, outcome.message, outcome.reason);
    default:
      return { code: 204 };
  }
}

async function unitIfAny(service: FleetService, name: string): Promise<WireUnit | undefined> {
  try {
    return await service.getUnit(name);
  } catch (error) {
    if (isFleetError(error, ErrorCodes.UNIT_NOT_FOUND)) return undefined;
    throw error;
  }
}
