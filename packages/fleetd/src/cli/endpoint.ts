import { ErrorCodes, FleetError } from '@fleetd/core';

/** Where fleetd listens when nothing else is said (the daemon's default `api.socket`). */
export const DEFAULT_ENDPOINT = '/run/fleetd/fleetd.sock';

/** A parsed `--endpoint`: a unix socket, or an HTTP(S) base URL. */
export type Endpoint =
  | { readonly kind: 'unix'; readonly socketPath: string; readonly display: string }
  | { readonly kind: 'http' | 'https'; readonly url: URL; readonly display: string };

/**
 * Accepts what fleet's fleetctl accepted for its API endpoint: an absolute
 * socket path, `unix:///path` (or `file:///path`), `http(s)://host:port`.
 */
export function parseEndpoint(raw: string): Endpoint {
  const text = raw.trim();
  if (text === '') throw invalid(raw, 'it is empty');
  if (text.startsWith('/')) return { kind: 'unix', socketPath: text, display: text };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) throw invalid(raw, 'use a socket path (/run/fleetd/fleetd.sock), unix:///path or http(s)://host:port');
  if (scheme === 'unix' || scheme === 'file') return unixEndpoint(raw, text.slice(scheme.length + 3));
  if (scheme === 'http' || scheme === 'https') return httpEndpoint(raw, text, scheme);
  throw invalid(raw, `unsupported scheme "${scheme}" (use unix, http or https)`);
}

function unixEndpoint(raw: string, rest: string): Endpoint {
  // `unix://var/run/x.sock` is a missing slash, not a host "var" (fleet said the same).
  if (!rest.startsWith('/')) {
    const host = rest.split('/')[0] ?? '';
    throw invalid(raw, `a unix socket URL needs an absolute path (unix:///path), not host "${host}"`);
  }
  return { kind: 'unix', socketPath: rest, display: rest };
}

function httpEndpoint(raw: string, text: string, scheme: 'http' | 'https'): Endpoint {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(raw, 'it is not a valid URL');
  }
  if (url.hostname === '') throw invalid(raw, 'the URL has no host');
  if (url.search !== '' || url.hash !== '') throw invalid(raw, 'the URL must not have a query or fragment');
  return { kind: scheme, url, display: url.origin + url.pathname.replace(/\/$/, '') };
}

function invalid(raw: string, why: string): FleetError {
  return new FleetError(ErrorCodes.CLI_USAGE, `--endpoint ${JSON.stringify(raw)}: ${why}`);
}
