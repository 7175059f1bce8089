import { ErrorCodes, isFleetError } from '@fleetd/core';
import type { ErrorCode, FleetError } from '@fleetd/core';
import type { WireError } from './wire.js';

/** The reasons of refusals the HTTP layer makes itself (the request, not what it asks for). */
export const HTTP_REASONS = Object.freeze({
  /** Not JSON, not application/json, a bad page token, a body too large or of the wrong shape. */
  requestInvalid: ErrorCodes.API_REQUEST_INVALID,
  /** A TCP listener's bearer token missing or wrong. */
  unauthorized: ErrorCodes.API_UNAUTHORIZED,
  /** No such route, or not this method on it. */
  routeNotFound: ErrorCodes.API_ROUTE_NOT_FOUND,
} satisfies Record<string, ErrorCode>);

/** A refusal the HTTP layer makes itself (content type, body, page token, route), with fleet's status and message. */
export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly status: number,
    message: string,
    /** The error code sent as `reason`: the domain's when the body says something about a unit or machine, else HTTP_REASONS'. */
    readonly reason: ErrorCode,
  ) {
    super(message);
  }
}

/**
 * The one table from error codes to HTTP statuses. Codes not listed are the
 * daemon's own failures: 500, with the error's message (never a stack).
 */
export const STATUS_BY_CODE: Readonly<Partial<Record<ErrorCode, number>>> = Object.freeze({
  [ErrorCodes.UNIT_FILE_SYNTAX]: 400,
  [ErrorCodes.UNIT_FILE_TOO_LARGE]: 400,
  [ErrorCodes.UNIT_NAME_INVALID]: 400,
  [ErrorCodes.UNIT_TEMPLATE_NOT_RUNNABLE]: 400,
  [ErrorCodes.UNIT_INVALID]: 400,
  [ErrorCodes.UNIT_STATE_INVALID]: 400,
  [ErrorCodes.UNIT_STATE_TRANSITION]: 400,
  [ErrorCodes.MACHINE_INVALID]: 400,
  [ErrorCodes.MACHINE_PATCH_TOO_LARGE]: 400,
  [ErrorCodes.SNAPSHOT_INVALID]: 400,
  [ErrorCodes.PLAN_TOO_LARGE]: 400,
  [ErrorCodes.REGISTRY_INVALID_ARGUMENT]: 400,
  [ErrorCodes.UNIT_NOT_FOUND]: 404,
  [ErrorCodes.UNIT_EXISTS]: 409,
  [ErrorCodes.REGISTRY_CONFLICT]: 409,
  [ErrorCodes.REGISTRY_UNAVAILABLE]: 503,
  [ErrorCodes.REGISTRY_CLOSED]: 503,
});

export interface WireFailure {
  readonly status: number;
  readonly body: WireError;
  /** True for failures of the daemon itself, worth an error log line. */
  readonly internal: boolean;
}

/**
 * Whatever a route threw, as fleet's error body plus fleetd's `reason` (the
 * error code), and `plugin` / `pluginCode` when a plugin is behind it.
 */
export function toWireFailure(error: unknown, bodyLimitBytes?: number): WireFailure {
  if (error instanceof HttpError) return failure(error.status, wireError(error.status, error.message, error.reason), false);
  if (isFleetError(error)) {
    const status = STATUS_BY_CODE[error.code] ?? 500;
    return failure(status, fleetErrorBody(status, error), status >= 500 && status !== 503);
  }
  const status = frameworkStatus(error);
  if (status !== undefined) return failure(status, wireError(status, frameworkMessage(error, status, bodyLimitBytes), HTTP_REASONS.requestInvalid), false);
  return failure(500, wireError(500, 'internal server error', ErrorCodes.INTERNAL_ERROR), true);
}

/** `{"error":{"code":<status>,"message":...,"reason":<error code>}}`: fleet's body, whose clients ignore the extra field. */
export function wireError(status: number, message: string, reason: ErrorCode): WireError {
  return { error: { code: status, message, reason } };
}

function fleetErrorBody(status: number, error: FleetError): WireError {
  const { plugin, pluginCode } = error;
  return {
    error: {
      ...wireError(status, error.message, error.code).error,
      ...(plugin === undefined ? {} : { plugin }),
      ...(pluginCode === undefined ? {} : { pluginCode }),
    },
  };
}

function failure(status: number, body: WireError, internal: boolean): WireFailure {
  return { status, body, internal };
}

/** fastify's own errors (body too large, bad media type) carry a 4xx statusCode. */
function frameworkStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function frameworkMessage(error: unknown, status: number, bodyLimitBytes: number | undefined): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return ONLY_JSON;
  if (status === 413) return bodyLimitBytes === undefined ? 'request body is too large' : `request body is larger than ${bodyLimitBytes} bytes`;
  return error instanceof Error ? error.message : 'bad request';
}

/** fleet's message for a body that is not JSON (api/serialization.go). */
export const ONLY_JSON = 'only acceptable Content-Type is application/json';
