import { ErrorCodes } from '@fleetd/core';
import type { FastifyInstance } from 'fastify';
import { MAX_UNITS_PER_PUT, UnitPutRefused } from '../service/index.js';
import type { FleetService, PutUnitRequest, PutUnitsOutcome } from '../service/index.js';
import { decodeUnitPut, parseJson, requireJson } from './body.js';
import { HTTP_REASONS, HttpError, toWireFailure } from './errors.js';
import { resource } from './resource.js';
import { FLEETD_API_PREFIX } from './wire.js';
import type { WireUnitPutResult, WireUnitPutsResult } from './wire.js';

/**
 * `POST /fleetd/v1/units`: many of fleet's `PUT /fleet/v1/units/{name}` in
 * one request, for fleetctl's submit, load and start of many units. Every
 * unit is checked as its PUT would check it before anything is written: the
 * first bad one answers with its PUT's status and error, plus `unit` and
 * `index`, and nothing is written. Otherwise 200 with each unit's outcome.
 */
export function bulkUnitRoutes(app: FastifyInstance, service: FleetService): void {
  resource(
    app,
    `${FLEETD_API_PREFIX}/units`,
    {
      POST: async (request, reply) => {
        requireJson(request.headers);
        const puts = decodeUnitPuts(parseJson(request.body, 'unable to decode body: '));
        try {
          const outcomes = await service.putUnits(puts);
          return await reply.code(200).send({ units: outcomes.map((outcome, i) => resultOf(puts[i]?.name ?? '', outcome)) } satisfies WireUnitPutsResult);
        } catch (error) {
          if (!(error instanceof UnitPutRefused)) throw error;
          const { status, body } = toWireFailure(error.cause);
          return reply.code(status).send({ error: { ...body.error, unit: error.unit, index: error.index } });
        }
      },
    },
    { status: 405, message: 'only POST supported against this resource' },
  );
}

function decodeUnitPuts(value: unknown): PutUnitRequest[] {
  const units = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { units?: unknown }).units : undefined;
  if (!Array.isArray(units)) throw new HttpError(400, 'unable to decode body: the body must be {"units": [Unit, ...]}', HTTP_REASONS.requestInvalid);
  if (units.length > MAX_UNITS_PER_PUT) {
    throw new HttpError(400, `${units.length} units in one request; at most ${MAX_UNITS_PER_PUT}, send the rest in another`, HTTP_REASONS.requestInvalid);
  }
  return units.map((item: unknown, index) => decodeItem(item, index));
}

/** A unit of the list as its PUT's body; the name, which a PUT takes from its URL, is required. */
function decodeItem(item: unknown, index: number): PutUnitRequest {
  const put = decodeAt(item, index);
  if (put.name === undefined || put.name === '') {
    throw new HttpError(400, `unable to decode body: units[${index}] has no name`, ErrorCodes.UNIT_INVALID);
  }
  return { name: put.name, options: put.options, desiredState: put.desiredState, contents: put.contents };
}

function decodeAt(item: unknown, index: number): ReturnType<typeof decodeUnitPut> {
  try {
    return decodeUnitPut(item ?? undefined);
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    throw new HttpError(error.status, error.message.replace('unable to decode body: ', `unable to decode body: units[${index}]: `), error.reason);
  }
}

function resultOf(name: string, outcome: PutUnitsOutcome): WireUnitPutResult {
  switch (outcome.kind) {
    case 'created':
    case 'replaced':
    case 'updated':
      return { name, outcome: outcome.kind };
    case 'refused':
      return { name, error: { code: 409, message: outcome.message, reason: outcome.reason } };
    default:
      return { name, error: toWireFailure(outcome.error).body.error };
  }
}
