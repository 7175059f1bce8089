/**
 * Requests to fleetd's API from the page. Every request carries the `x-fleetd-ui` header:
 * the server refuses cookie-authenticated writes without it (a cross-site form cannot set it).
 * A 401 means the session is gone: back to the sign-in page.
 */
export const LOGIN_PAGE = '/ui/login';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface RequestOptions {
  readonly method?: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Sent as JSON. */
  readonly body?: unknown;
  readonly signal?: AbortSignal;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { 'x-fleetd-ui': '1', accept: 'application/json' };
  const init: RequestInit = { method: options.method ?? 'GET', credentials: 'same-origin', headers };
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  if (options.signal !== undefined) init.signal = options.signal;
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (options.signal?.aborted === true) throw error;
    throw new ApiError(`fleetd did not answer (${error instanceof Error ? error.message : String(error)})`, 0);
  }
  if (response.status === 401) {
    location.assign(LOGIN_PAGE);
    throw new ApiError('Signed out: the API wants a token', 401);
  }
  const text = await response.text();
  if (!response.ok) throw new ApiError(errorMessage(text) ?? `${response.status} ${response.statusText}`.trim(), response.status);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** fleet's error body: `{"error":{"code":404,"message":"..."}}`. */
export function errorMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } } | null;
    const message = parsed?.error?.message;
    return typeof message === 'string' && message !== '' ? message : undefined;
  } catch {
    return undefined;
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function unitPath(name: string): string {
  return `/fleet/v1/units/${encodeURIComponent(name)}`;
}
