import { resolve } from 'node:path';
import { ErrorCodes, FleetError } from '@fleetd/core';

/** Where fleetd listens when nothing else is said (the daemon's default `api.socket`); the first place fleetctl looks. */
export const DEFAULT_ENDPOINT = '/run/fleetd/fleetd.sock';

/** A parsed `--endpoint`: a unix socket, or an HTTP(S) base URL. */
export type Endpoint =
  | { readonly kind: 'unix'; readonly socketPath: string; readonly display: string }
  | { readonly kind: 'http' | 'https'; readonly url: URL; readonly display: string };

/** `10.0.0.1:8080`, `localhost:8440`: a host and port that lack their scheme, not a file name. */
const HOST_PORT = /^(?:\[[^\]]*\]|[^/:[\]]+):\d{1,5}$/;

/**
 * Accepts what fleet's fleetctl accepted for its API endpoint: an absolute
 * socket path, `unix:///path` (or `file:///path`), `http(s)://host:port`;
 * and, for a socket in the working directory (`fleetd dev --dir .`), a
 * relative path: anything without a scheme that is not absolute is one,
 * resolved against `cwd`, except what reads as host:port.
 */
export function parseEndpoint(raw: string, cwd: string = process.cwd()): Endpoint {
  const text = raw.trim();
  if (text === '') throw invalid(raw, 'it is empty');
  if (text.startsWith('/')) return { kind: 'unix', socketPath: text, display: text };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) return relativeSocket(raw, text, cwd);
  if (scheme === 'unix' || scheme === 'file') return unixEndpoint(raw, text.slice(scheme.length + 3));
  if (scheme === 'http' || scheme === 'https') return httpEndpoint(raw, text, scheme);
  throw invalid(raw, `unsupported scheme "${scheme}" (use unix, http or https)`);
}

function relativeSocket(raw: string, text: string, cwd: string): Endpoint {
  if (HOST_PORT.test(text)) throw invalid(raw, `a host and port need their scheme: http://${text} or https://${text} (a socket file of that name: ./${text})`);
  // `unix:/x`, `http:host`: a scheme without its slashes, a typo rather than a file name.
  if (/^[a-z][a-z0-9+.-]*:/i.test(text)) throw invalid(raw, 'use a socket path (/run/fleetd/fleetd.sock, ./fleetd.sock), unix:///path or http(s)://host:port');
  const socketPath = resolve(cwd, text);
  return { kind: 'unix', socketPath, display: socketPath };
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
