import { ErrorCodes, isFleetError } from '@fleetd/core';
import type { ErrorCode } from '@fleetd/core';
import type { WireError } from './wire.js';

/** A refusal the HTTP layer makes itself (content type, body, page token, route), with fleet's status and message. */
export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly status: number,
    message: string,
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
  [ErrorCodes.SNAPSHOT_INVALID]: 400,
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

/** Whatever a route threw, as fleet's error body. */
export function toWireFailure(error: unknown, bodyLimitBytes?: number): WireFailure {
  if (error instanceof HttpError) return failure(error.status, error.message, false);
  if (isFleetError(error)) {
    const status = STATUS_BY_CODE[error.code] ?? 500;
    return failure(status, error.message, status >= 500 && status !== 503);
  }
  const status = frameworkStatus(error);
  if (status !== undefined) return failure(status, frameworkMessage(error, status, bodyLimitBytes), false);
  return failure(500, 'internal server error', true);
}

export function wireError(status: number, message: string): WireError {
  return { error: { code: status, message } };
}

function failure(status: number, message: string, internal: boolean): WireFailure {
  return { status, body: wireError(status, message), internal };
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
