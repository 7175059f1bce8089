/**
 * fleetctl without --endpoint or FLEETCTL_ENDPOINT: the first of the places a
 * fleetd on this host listens by default, so that a system fleetd, a user's
 * `fleetd --systemd-user` and a `fleetd dev` cluster all work with a bare
 * `fleetctl list-machines`.
 */
import { statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ErrorCodes, FleetError } from '@fleetd/core';
import { defaultDevDir, devSocketPath } from '../dev/paths.js';
import { DEFAULT_ENDPOINT } from './endpoint.js';

export interface EndpointPlace {
  readonly socketPath: string;
  /** Whose default it is, for the error that lists them. */
  readonly owner: string;
}

export interface EndpointSearch {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly uid: number;
  /** Default: a socket is there (or cannot be looked at: connecting then says why). */
  readonly isPresent?: (socketPath: string) => boolean;
}

/** Where fleetctl looks, in order: the daemon's default, a `--systemd-user` fleetd's, `fleetd dev`'s. */
export function endpointPlaces(env: EndpointSearch['env'], uid: number): EndpointPlace[] {
  const places: EndpointPlace[] = [{ socketPath: DEFAULT_ENDPOINT, owner: "fleetd's default" }];
  const runtime = env['XDG_RUNTIME_DIR'];
  if (runtime !== undefined && isAbsolute(runtime)) places.push({ socketPath: join(runtime, 'fleetd', 'fleetd.sock'), owner: 'fleetd --systemd-user' });
  places.push({ socketPath: devSocketPath(defaultDevDir(env, uid)), owner: 'fleetd dev' });
  return places.filter((place, index) => places.findIndex((other) => other.socketPath === place.socketPath) === index);
}

/** The first place with a socket, or API_UNREACHABLE naming every place looked at and what to do. */
export function findDefaultEndpoint(search: EndpointSearch): string {
  const places = endpointPlaces(search.env, search.uid);
  const isPresent = search.isPresent ?? socketIsThere;
  const found = places.find((place) => isPresent(place.socketPath));
  if (found !== undefined) return found.socketPath;
  const looked = places.map((place) => `${place.socketPath} (${place.owner})`);
  const list = looked.length === 1 ? (looked[0] ?? '') : `${looked.slice(0, -1).join(', ')} or ${looked.at(-1) ?? ''}`;
  throw new FleetError(
    ErrorCodes.API_UNREACHABLE,
    `no fleetd found: no socket at ${list}; start fleetd, run a local cluster with \`fleetd dev\`, or say where fleetd listens with --endpoint or FLEETCTL_ENDPOINT`,
  );
}

/** A socket, or a path this user may not look at (a 0750 /run/fleetd): connecting says "permission denied" better than "not found". */
export function socketIsThere(socketPath: string): boolean {
  try {
    return statSync(socketPath).isSocket();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'EPERM';
  }
}
