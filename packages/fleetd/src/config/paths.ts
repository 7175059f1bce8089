/**
 * Relative paths made absolute, each against the base of the layer that set
 * it: a config file's paths against the file's directory (as its plugin paths
 * already were), so the file means the same whatever directory fleetd starts
 * in; paths from FLEETD_* variables and flags against the working directory,
 * as a shell user expects of `--data-dir data`.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import type { ConfigPath, ValueOrigin } from './issues.js';
import { getAt, setAt } from './layers.js';
import type { FleetdConfig } from './types.js';

/** Every option that names a file, directory or socket (plugins are resolved on their own, in plugins.ts). */
export const PATH_OPTIONS: readonly ConfigPath[] = [
  ['dataDir'],
  ['machine', 'idFile'],
  ['agent', 'unitsDirectory'],
  ['api', 'socket'],
  ['api', 'tcp', 'tokenFile'],
  ['api', 'tcp', 'tls', 'cert'],
  ['api', 'tcp', 'tls', 'key'],
  ['api', 'tcp', 'tls', 'ca'],
  ['etcd', 'tls', 'ca'],
  ['etcd', 'tls', 'cert'],
  ['etcd', 'tls', 'key'],
];

/** The directory a relative path from `origin` is relative to. */
export function baseDirectory(origin: ValueOrigin, cwd: string): string {
  return origin.kind === 'file' && origin.file !== undefined ? dirname(origin.file) : cwd;
}

/** A copy of `config` with every relative path option made absolute (`api.socket: false` stays false). */
export function absolutePaths(config: FleetdConfig, originOf: (path: ConfigPath) => ValueOrigin, cwd: string): FleetdConfig {
  let result: unknown = config;
  for (const path of PATH_OPTIONS) {
    const value = getAt(result, path);
    if (typeof value !== 'string' || isAbsolute(value)) continue;
    result = setAt(result, path, resolve(baseDirectory(originOf(path), cwd), value));
  }
  return result as FleetdConfig;
}
