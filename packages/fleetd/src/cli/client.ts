import type { DesiredState } from '@fleetd/core';
import {
  FLEET_API_PREFIX,
  FLEETD_API_PREFIX,
  type Health,
  type MachinePage,
  type PlanRequest,
  type PlanResult,
  type UnitPage,
  type UnitStatePage,
  type WireExplanation,
  type WireMachine,
  type WireUnit,
  type WireUnitOption,
  type WireUnitPuts,
  type WireUnitPutsResult,
  type WireUnitState,
} from '../api/wire.js';
import { ErrorCodes } from '@fleetd/core';
import { ApiError, send, type ApiErrorDetails, type TransportOptions } from './http.js';

export { ApiError } from './http.js';
export type { ApiErrorDetails, TransportOptions } from './http.js';

/** What PUT /fleet/v1/units/{name} takes: a new unit or a replacement, or only a desired state. */
export interface UnitWrite {
  readonly name: string;
  readonly options?: readonly WireUnitOption[];
  readonly desiredState?: DesiredState;
  /** fleetd only: the file's text, kept for `cat`. */
  readonly contents?: string;
}

export interface StateFilter {
  readonly machineID?: string;
  readonly unitName?: string;
}

/** Safety net against a server that hands out the same page token forever. */
const MAX_PAGES = 10_000;

/**
 * A typed client of fleet's v1 API and fleetd's extras. Lists follow
 * `nextPageToken` to the end; error answers become ApiError (the server's
 * error code, message, plugin and HTTP status).
 */
export class FleetClient {
  /** Whether the server takes many units in one request: unknown until asked. */
  private bulk: boolean | undefined;

  constructor(private readonly transport: TransportOptions) {}

  get endpoint(): TransportOptions['endpoint'] {
    return this.transport.endpoint;
  }

  async units(): Promise<WireUnit[]> {
    return this.pages<UnitPage, WireUnit>(`${FLEET_API_PREFIX}/units`, {}, (page) => page.units);
  }

  /** The unit, or undefined when the cluster has none of that name (404). */
  async unit(name: string): Promise<WireUnit | undefined> {
    try {
      return await this.json<WireUnit>('GET', `${FLEET_API_PREFIX}/units/${encodeURIComponent(name)}`);
    } catch (error) {
      if (isUnitNotFound(error)) return undefined;
      throw error;
    }
  }

  async unitStates(filter: StateFilter = {}): Promise<WireUnitState[]> {
    return this.pages<UnitStatePage, WireUnitState>(`${FLEET_API_PREFIX}/state`, { ...filter }, (page) => page.states);
  }

  async machines(): Promise<WireMachine[]> {
    return this.pages<MachinePage, WireMachine>(`${FLEET_API_PREFIX}/machines`, {}, (page) => page.machines);
  }

  /** Creates, replaces (other options) or re-targets (desired state only) a unit. */
  async putUnit(unit: UnitWrite): Promise<void> {
    await this.json('PUT', `${FLEET_API_PREFIX}/units/${encodeURIComponent(unit.name)}`, unit);
  }

  /**
   * fleetd's `POST /fleetd/v1/units`: many putUnit in one request. Undefined
   * when the server has no such route (fleet, an older fleetd): send them one
   * by one then. A unit refused before anything was written rejects with
   * UnitPutsRefused: its position, and the ApiError its PUT would have had.
   */
  async putUnits(units: readonly UnitWrite[]): Promise<WireUnitPutsResult | undefined> {
    if (this.bulk === false) return undefined;
    // A unit file's text alone: fleetd parses it once instead of parsing it and checking the options against it.
    const body: WireUnitPuts = { units: units.map(textOnly) };
    const response = await send(this.transport, 'POST', `${FLEETD_API_PREFIX}/units`, body);
    if (response.status >= 400) {
      const error = apiError(response.status, response.text);
      // Larger than the daemon's api.bodyLimitBytes: these go one by one, later ones may still fit.
      if (response.status === 413) return undefined;
      if (!isNoSuchRoute(error)) throw refusedAt(response.text, error);
      this.bulk = false;
      return undefined;
    }
    this.bulk = true;
    try {
      return JSON.parse(response.text) as WireUnitPutsResult;
    } catch {
      throw new ApiError(response.status, `POST ${FLEETD_API_PREFIX}/units: the daemon answered with invalid JSON`);
    }
  }

  async setUnitTargetState(name: string, desiredState: DesiredState): Promise<void> {
    await this.putUnit({ name, desiredState });
  }

  async destroyUnit(name: string): Promise<void> {
    await this.json('DELETE', `${FLEET_API_PREFIX}/units/${encodeURIComponent(name)}`);
  }

  async explanation(name: string): Promise<WireExplanation> {
    return this.json<WireExplanation>('GET', `${FLEETD_API_PREFIX}/units/${encodeURIComponent(name)}/explanation`);
  }

  async plan(request: PlanRequest): Promise<PlanResult> {
    return this.json<PlanResult>('POST', `${FLEETD_API_PREFIX}/plan`, request);
  }

  async health(): Promise<Health> {
    return this.json<Health>('GET', '/health');
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the page type the API answers with
  private async pages<Page extends { readonly nextPageToken?: string }, Item>(
    path: string,
    query: Record<string, string>,
    items: (page: Page) => readonly Item[] | undefined,
  ): Promise<Item[]> {
    const all: Item[] = [];
    let token: string | undefined;
    for (let count = 0; count < MAX_PAGES; count++) {
      const params = new URLSearchParams(query);
      if (token !== undefined) params.set('nextPageToken', token);
      const search = params.size === 0 ? '' : `?${params.toString()}`;
      const page = await this.json<Page>('GET', path + search);
      all.push(...(items(page) ?? []));
      token = page.nextPageToken;
      if (token === undefined || token === '') return all;
    }
    throw new ApiError(0, `${path}: the daemon kept returning page tokens after ${MAX_PAGES} pages`);
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await send(this.transport, method, path, body);
    if (response.status >= 400) throw apiError(response.status, response.text);
    if (response.text === '') return undefined as T;
    try {
      return JSON.parse(response.text) as T;
    } catch {
      throw new ApiError(response.status, `${method} ${path}: the daemon answered with invalid JSON`);
    }
  }
}

/**
 * The daemon said it has no such unit: fleetd's UNIT_NOT_FOUND, or a 404
 * without an error code from a server that sends none (fleet). A 404 with
 * another code (no such route, say) is not this.
 */
export function isUnitNotFound(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  return error.reason === undefined ? error.status === 404 : error.code === ErrorCodes.UNIT_NOT_FOUND;
}

function textOnly(unit: UnitWrite): UnitWrite {
  if (unit.contents === undefined) return unit;
  return { name: unit.name, contents: unit.contents, ...(unit.desiredState === undefined ? {} : { desiredState: unit.desiredState }) };
}

/** A unit of a many-unit request refused before anything was written: its position and the error its PUT would have had. */
export class UnitPutsRefused extends Error {
  override readonly name = 'UnitPutsRefused';

  constructor(
    /** The refused unit's position in the request. */
    readonly index: number,
    /** What its own PUT would have answered. */
    readonly error: ApiError,
  ) {
    super(error.message);
  }
}

function refusedAt(text: string, error: ApiError): Error {
  let index: unknown;
  try {
    index = (JSON.parse(text) as { error?: { index?: unknown } } | null)?.error?.index;
  } catch {
    return error;
  }
  return typeof index === 'number' && Number.isSafeInteger(index) && index >= 0 ? new UnitPutsRefused(index, error) : error;
}

/** A 404 or 405 for the route itself: fleet's plain "404 page not found", or fleetd's API_ROUTE_NOT_FOUND. */
function isNoSuchRoute(error: ApiError): boolean {
  return (error.status === 404 || error.status === 405) && (error.reason === undefined || error.reason === ErrorCodes.API_ROUTE_NOT_FOUND);
}

/** An error answer as an ApiError: the message people read, and the codes callers branch on. */
export function apiError(status: number, text: string): ApiError {
  const { reason, plugin, pluginCode } = errorBody(text);
  return new ApiError(status, errorMessage(status, text), { reason, plugin, pluginCode });
}

/** fleet's error body `{"error":{"code","message"}}`, or a description of whatever came instead. */
export function errorMessage(status: number, text: string): string {
  const { message } = errorBody(text);
  const base =
    message !== undefined && message !== '' ? message : `the daemon answered HTTP ${status}${text.trim() === '' ? '' : `: ${text.trim().slice(0, 200)}`}`;
  return status === 401 ? `${base} (pass the API token with --token or FLEETCTL_TOKEN)` : base;
}

interface ErrorBody extends ApiErrorDetails {
  readonly message?: string | undefined;
}

/** The string fields of `{"error":{...}}`; anything else (a proxy's page, no body) has none. */
function errorBody(text: string): ErrorBody {
  let error: unknown;
  try {
    error = (JSON.parse(text) as { error?: unknown } | null)?.error;
  } catch {
    return {};
  }
  if (typeof error !== 'object' || error === null) return {};
  const field = (name: string): string | undefined => {
    const value = (error as Record<string, unknown>)[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  return { message: field('message'), reason: field('reason'), plugin: field('plugin'), pluginCode: field('pluginCode') };
}
